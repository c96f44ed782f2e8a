package httpapi

import (
	"context"
	"testing"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/keyward"
)

func TestServer_Permissions(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	asAda := keyward.NewContextWithPrincipal(context.Background(), w.token("ada", allScopes...))
	w.ids["c3"] = apitest.Check(w.svc.CreateContact(asAda, w.ids["o1"], keyward.ContactCreate{Identifier: apitest.Ptr("b@example.com")}))(t).ID
	w.ids["p2"] = apitest.Check(w.svc.CreatePermission(asAda, w.ids["o1"], keyward.PermissionCreate{ContactID: w.ids["c1"], Role: keyward.RoleAdmin}))(t).ID
	const adaOwner = `{"id":"{p1}","ownerAccountId":"{o1}","contactId":"{adaContact}","role":"Owner"}`
	const c1Admin = `{"id":"{p2}","ownerAccountId":"{o1}","contactId":"{c1}","role":"Admin"}`
	runScenarios(t, w, []scenario{
		{Name: "List", Method: "GET", Path: "/api/v1/Owners/{o1}/Permissions",
			WantStatus: 200, WantBody: `[` + adaOwner + `,` + c1Admin + `]`},
		{Name: "Get", Method: "GET", Path: "/api/v1/Owners/{o1}/Permissions/{p2}",
			WantStatus: 200, WantBody: c1Admin},
		{Name: "Create", Method: "PUT", Path: "/api/v1/owners/{o1}/permissions", Body: `{"contactId":"{c3}","role":"Admin"}`,
			WantStatus: 200, WantBody: `{"id":"{new}","ownerAccountId":"{o1}","contactId":"{c3}","role":"Admin"}`},
		{Name: "Delete", Method: "DELETE", Path: "/api/v1/OWNERS/{o1}/PERMISSIONS/{p2}",
			WantStatus: 204},
		{Name: "ErrDeleteLastOwner", Method: "DELETE", Path: "/api/v1/Owners/{o1}/Permissions/{p1}",
			WantStatus: 403, WantBody: errBody("", "The last Owner permission of an owner account cannot be removed.",
				`permission "{p1}" is the only Owner permission of owner account "{o1}"`, "")},
	})
}
