package app_test

import (
	"context"
	"testing"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/client"
	"github.com/keyward/keyward/internal/keyward"
)

func TestOwners(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		f.run(t, []scenario{
			{name: "ListOnlyAdministered", method: "GET", path: "/api/v1/Owners", as: "admin", wantStatus: 200,
				wantBody: `[{"id":"{o1}","name":"Olivia's Office","active":true}]`},
			{name: "ListEmptyForStranger", method: "GET", path: "/api/v1/owners/", as: "stranger", wantStatus: 200, wantBody: `[]`},
			{name: "Get", method: "GET", path: "/API/V1/OWNERS/{o1}", as: "reader", wantStatus: 200,
				wantBody: `{"id":"{o1}","name":"Olivia's Office","active":true}`},
			{name: "Select", method: "GET", path: "/api/v1/Owners?$select=name&", as: "admin", wantStatus: 200,
				wantBody: `[{"name":"Olivia's Office"}]`},
			{name: "PatchName", method: "PATCH", path: "/api/v1/Owners/{o1}", as: "admin", body: `{"name":"HQ","active":false}`, wantStatus: 200,
				wantBody: `{"id":"{o1}","name":"HQ","active":true}`},
			{name: "PatchEmptyName", method: "PATCH", path: "/api/v1/Owners/{o1}", as: "admin", body: `{"name":""}`, wantStatus: 400,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The request is invalid.","ErrorDetails":"field \"name\" is required","UserErrorMessage":""}`},
			{name: "CreateWithClientToken", method: "PUT", path: "/api/v1/Owners", as: "admin", body: `{"name":"Mine"}`, wantStatus: 403,
				wantBody: `{"ErrorCode":"","ErrorMessage":"Owner accounts can only be created by users.","ErrorDetails":"a client-credentials token acts for a service user, which cannot own an owner account","UserErrorMessage":""}`},
			{name: "MalformedJSON", method: "PATCH", path: "/api/v1/Owners/{o1}", as: "admin", body: `{"name":`, wantStatus: 400,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The request is invalid.","ErrorDetails":"malformed JSON after 8 bytes: unexpected end of JSON input","UserErrorMessage":""}`},
			{name: "WrongFieldType", method: "PATCH", path: "/api/v1/Owners/{o1}", as: "admin", body: `{"name":5}`, wantStatus: 400,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The request is invalid.","ErrorDetails":"field \"name\": expected string","UserErrorMessage":""}`},
			// a body must be declared JSON (design.md, Errors)
			{name: "PatchWithoutMediaType", method: "PATCH", path: "/api/v1/Owners/{o1}", as: "admin", header: map[string]string{"Content-Type": ""},
				body: `{"name":"Office"}`, wantStatus: 400,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The request is invalid.","ErrorDetails":"the request body has no Content-Type; it must be application/json","UserErrorMessage":""}`},
			{name: "PatchAsForm", method: "PATCH", path: "/api/v1/Owners/{o1}", as: "admin", header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
				body: `name=Office`, wantStatus: 400,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The request is invalid.","ErrorDetails":"the request body must be application/json, not \"application/x-www-form-urlencoded\"","UserErrorMessage":""}`},
			{name: "PatchWithCharset", method: "PATCH", path: "/api/v1/Owners/{o1}", as: "admin", header: map[string]string{"Content-Type": "application/json; charset=UTF-8"},
				body: `{"name":"Office"}`, wantStatus: 200, wantBody: `{"id":"{o1}","name":"Office","active":true}`},
		})
	})
}

func TestPermissions(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		f.run(t, []scenario{
			{name: "List", method: "GET", path: "/api/v1/Owners/{o1}/Permissions?$filter=role%20eq%20'Owner'", as: "reader", wantStatus: 200,
				wantBody: `[{"id":"{oliviaPerm}","ownerAccountId":"{o1}","contactId":"{oliviaContact}","role":"Owner"}]`},
			{name: "Get", method: "GET", path: "/api/v1/Owners/{o1}/Permissions/{oliviaPerm}", as: "admin", wantStatus: 200,
				wantBody: `{"id":"{oliviaPerm}","ownerAccountId":"{o1}","contactId":"{oliviaContact}","role":"Owner"}`},
			{name: "AdminCannotGrant", method: "PUT", path: "/api/v1/Owners/{o1}/Permissions", as: "admin", body: `{"contactId":"{guest}","role":"Admin"}`, wantStatus: 403,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The caller has no permission for this operation.","ErrorDetails":"the operation needs the Owner role on owner account \"{o1}\"; the caller is Admin","UserErrorMessage":""}`},
			{name: "AdminCannotRemoveOwner", method: "DELETE", path: "/api/v1/Owners/{o1}/Permissions/{oliviaPerm}", as: "admin", wantStatus: 403,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The caller has no permission for this operation.","ErrorDetails":"the operation needs the Owner role on owner account \"{o1}\"; the caller is Admin","UserErrorMessage":""}`},
			{name: "LastOwnerContactStays", method: "DELETE", path: "/api/v1/Owners/{o1}/Contacts/{oliviaContact}", as: "admin", wantStatus: 403,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The last Owner permission of an owner account cannot be removed.","ErrorDetails":"permission \"{oliviaPerm}\" is the only Owner permission of owner account \"{o1}\"","UserErrorMessage":""}`},
		})
	})
}

func TestPermissions_OwnerManages(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		f.promoteAdminToOwner(t)
		f.run(t, []scenario{
			{name: "GrantAdmin", method: "PUT", path: "/api/v1/Owners/{o1}/Permissions", as: "admin", body: `{"contactId":"{guest}","role":"Admin"}`, wantStatus: 200,
				wantBody: `{"id":"<id>","ownerAccountId":"{o1}","contactId":"{guest}","role":"Admin"}`, dynamic: []string{"id"}},
			{name: "Again", method: "PUT", path: "/api/v1/Owners/{o1}/Permissions", as: "admin", body: `{"contactId":"{guest}","role":"Owner"}`, wantStatus: 400,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The request is invalid.","ErrorDetails":"contact \"{guest}\" already holds a permission on this owner account","UserErrorMessage":""}`},
			{name: "BadRole", method: "PUT", path: "/api/v1/Owners/{o1}/Permissions", as: "admin", body: `{"contactId":"{guest}","role":"King"}`, wantStatus: 400,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The request is invalid.","ErrorDetails":"field \"role\" must be \"Owner\" or \"Admin\", got \"King\"","UserErrorMessage":""}`},
			{name: "UnknownContact", method: "PUT", path: "/api/v1/Owners/{o1}/Permissions", as: "admin", body: `{"contactId":"nope","role":"Admin"}`, wantStatus: 404,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The resource was not found.","ErrorDetails":"contact \"nope\" does not exist","UserErrorMessage":""}`},
			{name: "RemoveOneOfTwoOwners", method: "DELETE", path: "/api/v1/Owners/{o1}/Permissions/{oliviaPerm}", as: "admin", wantStatus: 204},
			{name: "LastOwnerStays", method: "DELETE", path: "/api/v1/Owners/{o1}/Permissions/{adminPerm}", as: "admin", wantStatus: 403,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The last Owner permission of an owner account cannot be removed.","ErrorDetails":"permission \"{adminPerm}\" is the only Owner permission of owner account \"{o1}\"","UserErrorMessage":""}`},
		})
	})
}

// promoteAdminToOwner makes the admin client's permission an Owner one, through Olivia.
func (f *fixture) promoteAdminToOwner(t *testing.T) {
	t.Helper()
	perms, err := f.admin.Permissions(context.Background(), &client.Query{Filter: "role eq 'Admin'"})
	f.must(err)
	var contactID, permID string
	for _, p := range perms {
		contact, err := f.admin.Contact(context.Background(), p.ContactID)
		f.must(err)
		if apitest.Deref(contact.Identifier) == f.ids["adminClient"]+"@clients.invalid" {
			contactID, permID = p.ContactID, p.ID
		}
	}
	if contactID == "" {
		t.Fatalf("the admin client's contact is not among %s", apitest.JSON(perms))
	}
	ctx := asUser(context.Background(), f.olivia)
	f.must(f.m.Service.DeletePermission(ctx, f.ids["o1"], permID))
	p, err := f.m.Service.CreatePermission(ctx, f.ids["o1"], keyward.PermissionCreate{ContactID: contactID, Role: keyward.RoleOwner})
	f.must(err)
	f.ids["adminPerm"] = p.ID
}
