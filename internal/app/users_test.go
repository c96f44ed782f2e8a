package app_test

import (
	"context"
	"testing"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/keyward"
)

// TestEmailNotVerified_Administrator: an unverified user cannot be made administrator.
func TestEmailNotVerified_Administrator(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		u, err := f.m.Service.CreateUser(asOperator(context.Background()), keyward.UserCreate{Email: "uma@example.com"})
		f.must(err)
		f.ids["uma"] = u.ID
		f.promoteAdminToOwner(t)
		c, err := f.admin.CreateContact(context.Background(), keyward.ContactCreate{Identifier: apitest.Ptr("uma@example.com")})
		f.must(err)
		f.ids["umaContact"] = c.ID
		f.run(t, []scenario{
			{name: "MakeAdmin", method: "PUT", path: "/api/v1/Owners/{o1}/Permissions", as: "admin", header: map[string]string{"Accept-Language": "de"},
				body: `{"contactId":"{umaContact}","role":"Admin"}`, wantStatus: 403,
				wantBody: `{"ErrorCode":"EmailNotVerified","ErrorMessage":"The user's e-mail address has not been verified.","ErrorDetails":"user \"{uma}\" must verify the address \"uma@example.com\" before becoming an administrator","UserErrorMessage":"Diese E-Mail-Adresse wurde noch nicht bestätigt. Bitte bestätigen Sie sie über den Link in der Bestätigungs-E-Mail."}`},
		})
	})
}
