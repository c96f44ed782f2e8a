package storetest

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/keyward"
)

// testConsents covers remembered consents, the revocation of a user's families of one client,
// and the revoked access tokens with their pruning.
func testConsents(t *testing.T, s flat) {
	u := mkUser(t, s, 1, "ada@example.com")
	other := mkUser(t, s, 2, "bob@example.com")
	for i, cid := range []string{"web", "spa"} {
		must(t, s.CreateClient(ctx, &keyward.Client{ID: cid, Name: cid, GrantTypes: []string{keyward.GrantAuthorizationCode},
			RedirectURIs: []string{"https://" + cid + ".example/cb"}, AllowedOrigins: []string{"https://" + cid + ".example"}, CreatedAt: at(3 + i)}))
	}
	_, err := s.FindConsent(ctx, u.ID, "web")
	wantErr(t, err, keyward.ErrNotFound)
	web := &keyward.Consent{UserID: u.ID, ClientID: "web", Scopes: []string{"openid"}, CreatedAt: at(10), UpdatedAt: at(10)}
	must(t, s.SaveConsent(ctx, web))
	must(t, s.SaveConsent(ctx, &keyward.Consent{UserID: u.ID, ClientID: "spa", Scopes: []string{"read:grants"}, CreatedAt: at(11), UpdatedAt: at(11)}))
	must(t, s.SaveConsent(ctx, &keyward.Consent{UserID: u.ID, ClientID: "web", Scopes: []string{"openid", "email"}, CreatedAt: at(12), UpdatedAt: at(12)}))
	got, err := s.FindConsent(ctx, u.ID, "web")
	must(t, err)
	want := &keyward.Consent{UserID: u.ID, ClientID: "web", Scopes: []string{"openid", "email"}, CreatedAt: at(10), UpdatedAt: at(12)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("FindConsent after a second consent (-want +got):\n%s", diff)
	}
	list, err := s.FindConsents(ctx, u.ID)
	must(t, err)
	if len(list) != 2 || list[0].ClientID != "web" || list[1].ClientID != "spa" {
		t.Fatalf("FindConsents = %+v, want web then spa", list)
	}
	must(t, s.DeleteConsent(ctx, u.ID, "spa"))
	wantErr(t, s.DeleteConsent(ctx, u.ID, "spa"), keyward.ErrNotFound)

	for i, f := range []struct{ id, client, user string }{{"f1", "web", u.ID}, {"f2", "web", u.ID}, {"f3", "spa", u.ID}, {"f4", "web", other.ID}} {
		must(t, s.CreateTokenFamily(ctx, &keyward.TokenFamily{ID: f.id, ClientID: f.client, UserID: f.user, CreatedAt: at(20 + i), AuthTime: apitest.Ptr(at(19))}))
	}
	must(t, s.RevokeTokenFamily(ctx, "f2", at(25)))
	must(t, s.RevokeTokenFamilies(ctx, "web", u.ID, at(30)))
	for id, wantRevoked := range map[string]*keyward.Time{"f1": apitest.Ptr(at(30)), "f2": apitest.Ptr(at(25)), "f3": nil, "f4": nil} {
		f, err := s.FindTokenFamily(ctx, id)
		must(t, err)
		if !cmp.Equal(f.RevokedAt, wantRevoked) || f.AuthTime == nil || *f.AuthTime != at(19) {
			t.Errorf("family %s: revoked %v auth time %v, want revoked %v auth time %v", id, f.RevokedAt, f.AuthTime, wantRevoked, at(19))
		}
	}

	must(t, s.RevokeAccessToken(ctx, "jti-1", at(100)))
	must(t, s.RevokeAccessToken(ctx, "jti-1", at(100))) // twice is fine
	must(t, s.RevokeAccessToken(ctx, "jti-2", at(200)))
	must(t, s.PruneRevokedAccessTokens(ctx, at(150)))
	for jti, want := range map[string]bool{"jti-1": false, "jti-2": true, "jti-3": false} {
		st, err := s.CheckAccessToken(ctx, keyward.TokenCheck{UserID: u.ID, ClientID: "web", JTI: jti})
		if err != nil || st.Revoked != want {
			t.Errorf("CheckAccessToken(jti %s): revoked %v, %v; want %v", jti, st != nil && st.Revoked, err, want)
		}
	}

	must(t, s.UpdateClient(ctx, "web", keyward.ClientUpdate{AllowedOrigins: []string{"https://a.example", "http://localhost:3000"}}))
	c, err := s.FindClientByID(ctx, "web")
	must(t, err)
	if diff := cmp.Diff([]string{"https://a.example", "http://localhost:3000"}, c.AllowedOrigins); diff != "" {
		t.Errorf("AllowedOrigins after update (-want +got):\n%s", diff)
	}
	must(t, s.DeleteClient(ctx, "web"))
	_, err = s.FindConsent(ctx, u.ID, "web")
	wantErr(t, err, keyward.ErrNotFound) // the consent went with its client
}
