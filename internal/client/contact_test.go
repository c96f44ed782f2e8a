package client_test

import (
	"testing"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/client"
	"github.com/keyward/keyward/internal/keyward"
)

func TestClient_ContactsAndPermissions(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		_, err := e.m.Service.CreateUser(op, keyward.UserCreate{Email: "ben@example.com", Verified: true})
		e.must(err)
		c, err := e.acct.CreateContact(ctx, keyward.ContactCreate{Identifier: apitest.Ptr("ben@example.com"), Title: apitest.Ptr("Ben")})
		e.must(err)
		want := &keyward.Contact{ID: c.ID, OwnerID: e.acct.ID, Identifier: apitest.Ptr("ben@example.com"), Email: apitest.Ptr("ben@example.com"),
			IPID: keyward.IPTapkey, Title: apitest.Ptr("Ben")}
		check(t, "CreateContact", c, want, nil)
		got, err := e.acct.Contact(ctx, c.ID)
		check(t, "Contact", got, want, err)
		want.Comment = apitest.Ptr("night shift")
		got, err = e.acct.UpdateContact(ctx, c.ID, keyward.ContactUpdate{Comment: apitest.Ptr("night shift")})
		check(t, "UpdateContact", got, want, err)
		contacts, err := e.acct.Contacts(ctx, &client.Query{Filter: "startswith(identifier,'BEN')"})
		check(t, "Contacts", contacts, []*keyward.Contact{want}, err)

		p, err := e.acct.CreatePermission(ctx, keyward.PermissionCreate{ContactID: c.ID, Role: keyward.RoleAdmin})
		e.must(err)
		wantPerm := &keyward.Permission{ID: p.ID, OwnerAccountID: e.acct.ID, ContactID: c.ID, Role: keyward.RoleAdmin}
		check(t, "CreatePermission", p, wantPerm, nil)
		gotPerm, err := e.acct.Permission(ctx, p.ID)
		check(t, "Permission", gotPerm, wantPerm, err)
		perms, err := e.acct.Permissions(ctx, &client.Query{Filter: "role eq 'Admin'"})
		check(t, "Permissions", perms, []*keyward.Permission{wantPerm}, err)
		e.must(e.acct.DeletePermission(ctx, p.ID))
		_, err = e.acct.Permission(ctx, p.ID)
		checkError(t, "deleted permission", err, notFound(`permission "`+p.ID+`" does not exist`))

		e.must(e.acct.DeleteContact(ctx, c.ID))
		_, err = e.acct.Contact(ctx, c.ID)
		checkError(t, "deleted contact", err, notFound(`contact "`+c.ID+`" does not exist`))
	})
}
