package storetest

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/keyward"
)

// testCheckAccessToken covers the one statement that accepts an access token: the user, the
// family (existing, revoked, missing), the jti's revocation for a token without a family (and
// not for one with a family, which decides alone), and the role on the owner account asked for,
// as FindRole reads it, the client's scopes now (none for a deleted client), and the account's
// write version, which each transaction on the account's data raises by one.
func testCheckAccessToken(t *testing.T, s flat) {
	o1, o2 := mkOwner(t, s, 1), mkOwner(t, s, 2)
	u := mkUser(t, s, 3, "ada@example.com")
	must(t, s.CreatePermission(ctx, &keyward.Permission{ID: "p1", OwnerAccountID: o1.ID, ContactID: mkContact(t, s, o1.ID, 4, "ADA@example.com").ID,
		Role: keyward.RoleOwner, CreatedAt: at(5)}))
	// a contact of the same address in another account without a permission gives no role there
	mkContact(t, s, o2.ID, 6, "ada@example.com")
	must(t, s.CreateClient(ctx, &keyward.Client{ID: "web", Name: "web", GrantTypes: []string{keyward.GrantAuthorizationCode}, Scopes: []string{"openid", "read:grants"},
		RedirectURIs: []string{"https://web.example/cb"}, AllowedOrigins: []string{}, CreatedAt: at(8)}))
	for _, id := range []string{"live", "gone"} {
		must(t, s.CreateTokenFamily(ctx, &keyward.TokenFamily{ID: id, ClientID: "web", UserID: u.ID, CreatedAt: at(9)}))
	}
	must(t, s.RevokeTokenFamily(ctx, "gone", at(10)))
	must(t, s.RevokeAccessToken(ctx, "jti-revoked", at(1000)))

	tests := []struct {
		name  string
		check keyward.TokenCheck
		want  keyward.TokenStanding
	}{
		// o1 took two writes (its contact, its permission), o2 one (its contact)
		{"LiveFamilyOwnerRole", keyward.TokenCheck{ClientID: "web", Family: "live", JTI: "jti-revoked", OwnerID: o1.ID},
			keyward.TokenStanding{FamilyExists: true, Role: keyward.RoleOwner, ClientScopes: []string{"openid", "read:grants"}, AccountVersion: apitest.Ptr[int64](2)}},
		{"RevokedFamilyNoRole", keyward.TokenCheck{ClientID: "web", Family: "gone", JTI: "j", OwnerID: o2.ID},
			keyward.TokenStanding{FamilyExists: true, FamilyRevokedAt: apitest.Ptr(at(10)), ClientScopes: []string{"openid", "read:grants"}, AccountVersion: apitest.Ptr[int64](1)}},
		{"MissingFamilyAndClient", keyward.TokenCheck{ClientID: "deleted", Family: "nope", JTI: "j"}, keyward.TokenStanding{}},
		{"RevokedJTI", keyward.TokenCheck{ClientID: "web", JTI: "jti-revoked", OwnerID: "no-such-owner"},
			keyward.TokenStanding{Revoked: true, ClientScopes: []string{"openid", "read:grants"}}},
		{"LiveJTI", keyward.TokenCheck{ClientID: "web", JTI: "jti-live"}, keyward.TokenStanding{ClientScopes: []string{"openid", "read:grants"}}},
	}
	for _, tt := range tests {
		tt.check.UserID, tt.want.User = u.ID, u
		got, err := s.CheckAccessToken(ctx, tt.check)
		must(t, err)
		if diff := cmp.Diff(&tt.want, got); diff != "" {
			t.Errorf("%s: CheckAccessToken(%+v) (-want +got):\n%s", tt.name, tt.check, diff)
		}
	}
	// a write on o1 raises its version, and only its own
	must(t, s.on(ctx, o1.ID, func(tx keyward.OwnerTx) error {
		return tx.UpdateOwner(ctx, keyward.OwnerUpdate{Name: apitest.Ptr("Renamed")})
	}))
	for owner, want := range map[string]int64{o1.ID: 3, o2.ID: 1} {
		got, err := s.CheckAccessToken(ctx, keyward.TokenCheck{UserID: u.ID, ClientID: "web", JTI: "j", OwnerID: owner})
		must(t, err)
		if got.AccountVersion == nil || *got.AccountVersion != want {
			t.Errorf("account %s: version %v after the write, want %d", owner, got.AccountVersion, want)
		}
	}
	_, err := s.CheckAccessToken(ctx, keyward.TokenCheck{UserID: "nobody", JTI: "j"})
	wantErr(t, err, keyward.ErrNotFound)
}
