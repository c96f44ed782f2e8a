package httpapi

import (
	"context"
	"errors"
	"testing"

	"github.com/keyward/keyward/internal/keyward"
)

func TestServer_Owners(t *testing.T) {
	two := &fakeService{FindOwnersFunc: func(context.Context, *keyward.Query) ([]*keyward.Owner, error) {
		return []*keyward.Owner{{ID: "o1", Name: "Office", Active: true}, {ID: "o2", Name: "Home"}}, nil
	}}
	none := &fakeService{FindOwnersFunc: func(context.Context, *keyward.Query) ([]*keyward.Owner, error) {
		return nil, nil
	}}
	update := &fakeService{UpdateOwnerFunc: func(_ context.Context, id string, u keyward.OwnerUpdate) (*keyward.Owner, error) {
		if u.Name == nil {
			return nil, errors.New("want a name")
		}
		return &keyward.Owner{ID: id, Name: *u.Name, Active: true}, nil
	}}
	create := &fakeService{CreateOwnerFunc: func(_ context.Context, c keyward.OwnerCreate) (*keyward.Owner, error) {
		return &keyward.Owner{ID: "o9", Name: c.Name, Active: true}, nil
	}}
	runScenarios(t, []scenario{
		{Name: "List", Method: "GET", Path: "/api/v1/Owners", Service: two,
			WantStatus: 200, WantBody: `[{"id":"o1","name":"Office","active":true},{"id":"o2","name":"Home","active":false}]`},
		{Name: "ListEmptyIsArray", Method: "GET", Path: "/api/v1/Owners", Service: none,
			WantStatus: 200, WantBody: `[]`},
		{Name: "ListSelect", Method: "GET", Path: "/api/v1/Owners?$select=id,name", Service: two,
			WantStatus: 200, WantBody: `[{"id":"o1","name":"Office"},{"id":"o2","name":"Home"}]`},
		{Name: "ListSelectCaseInsensitive", Method: "GET", Path: "/api/v1/Owners?$SELECT=ID&", Service: two,
			WantStatus: 200, WantBody: `[{"id":"o1"},{"id":"o2"}]`},
		{Name: "ListSelectEmptyIsArray", Method: "GET", Path: "/api/v1/Owners?$select=id", Service: none,
			WantStatus: 200, WantBody: `[]`},
		{Name: "ErrListBadOption", Method: "GET", Path: "/api/v1/Owners?$top=x", Service: two,
			WantStatus: 400, WantBody: errBody("", "The request is invalid.", `$top: must be an integer between 0 and 1000, got "x"`, "")},
		{Name: "Create", Method: "PUT", Path: "/api/v1/Owners", Body: `{"name":"Holiday Home"}`, Service: create,
			WantStatus: 200, WantBody: `{"id":"o9","name":"Holiday Home","active":true}`},
		{Name: "Get", Method: "GET", Path: "/api/v1/Owners/o1", Service: ownerService(),
			WantStatus: 200, WantBody: `{"id":"o1","name":"Office","active":true}`},
		{Name: "Patch", Method: "PATCH", Path: "/api/v1/owners/o1", Body: `{"name":"Another Home"}`, Service: update,
			WantStatus: 200, WantBody: `{"id":"o1","name":"Another Home","active":true}`},
		{Name: "ErrPatchWithoutBody", Method: "PATCH", Path: "/api/v1/owners/o1", Service: update,
			WantStatus: 400, WantBody: errBody("", "The request is invalid.", "the request body is empty; a JSON object is required", "")},
	})
}
