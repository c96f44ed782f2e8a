package app_test

import (
	"context"
	"testing"

	"github.com/keyward/keyward/internal/keyward"
)

// TestEmailNotVerified_Administrator: an unverified user cannot be made administrator.
func TestEmailNotVerified_Administrator(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		u, err := f.m.Service.CreateUser(asOperator(context.Background()), keyward.UserCreate{Email: "uma@example.com"})
		f.must(err)
		f.ids["uma"] = u.ID
		f.promoteAdminToOwner(t)
		f.createContact(t, "umaContact", `{"identifier":"uma@example.com"}`)
		f.run(t, []scenario{
			{name: "MakeAdmin", method: "PUT", path: "/api/v1/Owners/{o1}/Permissions", as: "admin", header: map[string]string{"Accept-Language": "de"},
				body: `{"contactId":"{umaContact}","role":"Admin"}`, wantStatus: 403,
				wantBody: `{"ErrorCode":"EmailNotVerified","ErrorMessage":"The user's e-mail address has not been verified.","ErrorDetails":"user \"{uma}\" must verify the address \"uma@example.com\" before becoming an administrator","UserErrorMessage":"Diese E-Mail-Adresse wurde noch nicht bestätigt. Bitte bestätigen Sie sie über den Link in der Bestätigungs-E-Mail."}`},
		})
	})
}

// createContact makes a contact through the API and stores its id under name.
func (f *fixture) createContact(t *testing.T, name, body string) {
	t.Helper()
	res := f.do("PUT", "/api/v1/Owners/{o1}/Contacts", f.token("admin"), body, nil)
	if res.status != 200 {
		t.Fatalf("create contact %s: %d %s", name, res.status, res.body)
	}
	f.ids[name] = jsonField(t, res.body, "id")
}
