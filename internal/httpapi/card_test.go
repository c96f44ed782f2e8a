package httpapi

import (
	"context"
	"errors"
	"testing"

	"github.com/keyward/keyward/internal/keyward"
)

// testBoundCard is a bound card with the given ids and title.
func testBoundCard(o, id string, title *string) *keyward.BoundCard {
	return &keyward.BoundCard{ID: id, Label: "0042", UID: "AHHCCh07gB==", IsActive: true, PhysicalCardID: "pc1",
		OwnerAccountID: o, BindDate: testTime, Title: title, NofGrantsCapacity: 8}
}

// boundCardJSON is testBoundCard on the wire, written out by hand; title is JSON (null or a string).
func boundCardJSON(o, id, title string) string {
	return `{"id":"` + id + `","label":"0042","uid":"AHHCCh07gB==","isActive":true,"physicalCardId":"pc1","ownerAccountId":"` + o +
		`","bindDate":` + testTimeJSON + `,"unbindDate":null,"title":` + title + `,"nofGrantsCapacity":8}`
}

func TestServer_BoundCards(t *testing.T) {
	svc := &fakeService{
		FindBoundCardsFunc: func(_ context.Context, o string, _ *keyward.Query) ([]*keyward.BoundCard, error) {
			return []*keyward.BoundCard{testBoundCard(o, "k1", nil)}, nil
		},
		BindCardFunc: func(_ context.Context, o string, r keyward.BindCardRequest) (*keyward.BoundCard, error) {
			if r.UID == nil || *r.UID != "AHHCCh07gB==" {
				return nil, errors.New("want the uid")
			}
			return testBoundCard(o, "k2", r.Title), nil
		},
		FindBoundCardFunc: func(_ context.Context, o, id string) (*keyward.BoundCard, error) {
			return testBoundCard(o, id, nil), nil
		},
		UpdateBoundCardFunc: func(_ context.Context, o, id string, u keyward.BoundCardUpdate) error {
			if o != "o1" || id != "K1" || u.Title == nil || *u.Title != "Lost" {
				return errors.New("wrong arguments")
			}
			return nil
		},
	}
	runScenarios(t, []scenario{
		{Name: "List", Method: "GET", Path: "/api/v1/Owners/o1/BoundCards", Service: svc,
			WantStatus: 200, WantBody: `[` + boundCardJSON("o1", "k1", "null") + `]`},
		{Name: "ListSelect", Method: "GET", Path: "/api/v1/Owners/o1/BoundCards?$select=id,title", Service: svc,
			WantStatus: 200, WantBody: `[{"id":"k1","title":null}]`},
		{Name: "Bind", Method: "PUT", Path: "/api/v1/Owners/o1/BoundCards", Body: `{"uid":"AHHCCh07gB==","title":"Janitor"}`, Service: svc,
			WantStatus: 200, WantBody: boundCardJSON("o1", "k2", `"Janitor"`)},
		{Name: "Get", Method: "GET", Path: "/api/v1/owners/o1/boundcards/K1", Service: svc,
			WantStatus: 200, WantBody: boundCardJSON("o1", "K1", "null")},
		{Name: "PatchIsNoContent", Method: "PATCH", Path: "/api/v1/Owners/o1/BoundCards/K1", Body: `{"title":"Lost"}`, Service: svc,
			WantStatus: 204},
		{Name: "ErrPatchMalformed", Method: "PATCH", Path: "/api/v1/Owners/o1/BoundCards/K1", Body: `{"title":1}`, Service: svc,
			WantStatus: 400, WantBody: errBody("", "The request is invalid.", `field "title": expected string`, "")},
	})
}
