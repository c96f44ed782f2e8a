package httpapi

import (
	"context"
	"errors"
	"testing"

	"github.com/keyward/keyward/internal/keyward"
)

func TestServer_Contacts(t *testing.T) {
	str := func(s string) *string { return &s }
	svc := &fakeService{
		FindContactsFunc: func(_ context.Context, o string, _ *keyward.Query) ([]*keyward.Contact, error) {
			return []*keyward.Contact{
				{ID: "c1", OwnerID: o, Identifier: str("a@example.com"), Email: str("a@example.com"), IPID: keyward.IPTapkey},
				{ID: "c2", OwnerID: o, IPID: "idp", IPUserID: str("ext-7")},
			}, nil
		},
		CreateContactFunc: func(_ context.Context, o string, c keyward.ContactCreate) (*keyward.Contact, error) {
			if c.IPID == nil || c.IPUserID == nil || c.Identifier != nil || c.Email != nil {
				return nil, errors.New("want the external-IdP form")
			}
			return &keyward.Contact{ID: "c3", OwnerID: o, IPID: *c.IPID, IPUserID: c.IPUserID, Title: c.Title}, nil
		},
		FindContactFunc: func(_ context.Context, o, id string) (*keyward.Contact, error) {
			return &keyward.Contact{ID: id, OwnerID: o, IPID: keyward.IPTapkey}, nil
		},
		UpdateContactFunc: func(_ context.Context, o, id string, u keyward.ContactUpdate) (*keyward.Contact, error) {
			return &keyward.Contact{ID: id, OwnerID: o, IPID: keyward.IPTapkey, Title: u.Title, Comment: u.Comment}, nil
		},
		DeleteContactFunc: func(_ context.Context, o, id string) error {
			if o != "o1" || id != "C1" {
				return errors.New("wrong ids")
			}
			return nil
		},
	}
	runScenarios(t, []scenario{
		{Name: "ListSelect", Method: "GET", Path: "/api/v1/Owners/o1/Contacts?$select=id,identifier&", Service: svc,
			WantStatus: 200, WantBody: `[{"id":"c1","identifier":"a@example.com"},{"id":"c2","identifier":null}]`},
		{Name: "Create", Method: "PUT", Path: "/api/v1/Owners/o1/Contacts", Body: `{"ipId":"idp","ipUserId":"ext-9","title":"Nine"}`, Service: svc,
			WantStatus: 200, WantBody: `{"id":"c3","ownerId":"o1","identifier":null,"email":null,"ipId":"idp","ipUserId":"ext-9","title":"Nine","comment":null}`},
		{Name: "Get", Method: "GET", Path: "/api/v1/Owners/o1/Contacts/C1", Service: svc,
			WantStatus: 200, WantBody: `{"id":"C1","ownerId":"o1","identifier":null,"email":null,"ipId":"tapkey","ipUserId":null,"title":null,"comment":null}`},
		{Name: "Patch", Method: "PATCH", Path: "/api/v1/Owners/o1/Contacts/C1", Body: `{"title":"T","comment":"C"}`, Service: svc,
			WantStatus: 200, WantBody: `{"id":"C1","ownerId":"o1","identifier":null,"email":null,"ipId":"tapkey","ipUserId":null,"title":"T","comment":"C"}`},
		{Name: "Delete", Method: "DELETE", Path: "/api/v1/Owners/o1/Contacts/C1", Service: svc,
			WantStatus: 204},
		{Name: "ErrDuplicate", Method: "PUT", Path: "/api/v1/Owners/o1/Contacts", Body: `{"identifier":"a@example.com"}`,
			Service: &fakeService{CreateContactFunc: func(context.Context, string, keyward.ContactCreate) (*keyward.Contact, error) {
				return nil, keyward.ErrDuplicateContact
			}},
			WantStatus: 400, WantBody: errBody("Duplicate", "A contact with this identifier already exists.", "", "This contact already exists.")},
	})
}
