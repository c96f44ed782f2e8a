package httpapi

import (
	"context"
	"errors"
	"testing"

	"github.com/keyward/keyward/internal/keyward"
)

func TestServer_Permissions(t *testing.T) {
	svc := &fakeService{
		FindPermissionsFunc: func(_ context.Context, o string, _ *keyward.Query) ([]*keyward.Permission, error) {
			return []*keyward.Permission{{ID: "p1", OwnerAccountID: o, ContactID: "c1", Role: keyward.RoleOwner}}, nil
		},
		CreatePermissionFunc: func(_ context.Context, o string, c keyward.PermissionCreate) (*keyward.Permission, error) {
			return &keyward.Permission{ID: "p2", OwnerAccountID: o, ContactID: c.ContactID, Role: c.Role}, nil
		},
		FindPermissionFunc: func(_ context.Context, o, id string) (*keyward.Permission, error) {
			return &keyward.Permission{ID: id, OwnerAccountID: o, ContactID: "c1", Role: keyward.RoleAdmin}, nil
		},
		DeletePermissionFunc: func(_ context.Context, o, id string) error {
			if o != "O1" || id != "P2" {
				return errors.New("wrong ids")
			}
			return nil
		},
	}
	runScenarios(t, []scenario{
		{Name: "List", Method: "GET", Path: "/api/v1/Owners/O1/Permissions", Service: svc,
			WantStatus: 200, WantBody: `[{"id":"p1","ownerAccountId":"O1","contactId":"c1","role":"Owner"}]`},
		{Name: "Create", Method: "PUT", Path: "/api/v1/owners/O1/permissions", Body: `{"contactId":"c4","role":"Admin"}`, Service: svc,
			WantStatus: 200, WantBody: `{"id":"p2","ownerAccountId":"O1","contactId":"c4","role":"Admin"}`},
		{Name: "Get", Method: "GET", Path: "/api/v1/Owners/O1/Permissions/P2", Service: svc,
			WantStatus: 200, WantBody: `{"id":"P2","ownerAccountId":"O1","contactId":"c1","role":"Admin"}`},
		{Name: "Delete", Method: "DELETE", Path: "/api/v1/OWNERS/O1/PERMISSIONS/P2", Service: svc,
			WantStatus: 204},
		{Name: "ErrDeleteLastOwner", Method: "DELETE", Path: "/api/v1/Owners/O1/Permissions/P1",
			Service:    &fakeService{DeletePermissionFunc: func(context.Context, string, string) error { return keyward.ErrLastOwner }},
			WantStatus: 403, WantBody: errBody("", "The last Owner permission of an owner account cannot be removed.", "", "")},
	})
}
