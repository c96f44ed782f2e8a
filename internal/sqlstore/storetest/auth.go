package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/keyward/keyward/internal/keyward"
)

// testAuthStorage covers sessions, login failures, sign-up attempts, single-use codes, refresh
// tokens and their families, server secrets, identity providers and their users.
func testAuthStorage(t *testing.T, s flat) {
	u := mkUser(t, s, 1, "ada@example.com")
	c := &keyward.Client{ID: "web", Name: "Web", GrantTypes: []string{keyward.GrantAuthorizationCode}, Scopes: []string{"read:grants"},
		RedirectURIs: []string{"https://app.example/cb"}, LogoURL: "https://app.example/l.png", OwnerUserID: &u.ID, CreatedAt: at(2)}
	must(t, s.CreateClient(ctx, c))
	must(t, s.UpdateClient(ctx, c.ID, keyward.ClientUpdate{Scopes: []string{"read:grants", "offline_access"}}))
	clients, err := s.FindClients(ctx, u.ID)
	must(t, err)
	if len(clients) != 1 || len(clients[0].Scopes) != 2 || clients[0].LogoURL != c.LogoURL {
		t.Fatalf("FindClients = %+v", clients)
	}

	must(t, s.CreateSession(ctx, &keyward.Session{Hash: "sh", UserID: u.ID, CreatedAt: at(3), ExpiresAt: at(100)}))
	if _, err := s.FindSession(ctx, "sh", at(50)); err != nil {
		t.Fatalf("live session: %v", err)
	}
	_, err = s.FindSession(ctx, "sh", at(100))
	wantErr(t, err, keyward.ErrNotFound)
	must(t, s.DeleteSession(ctx, "sh"))

	for i := range 3 {
		must(t, s.RecordLoginFailure(ctx, "ADA@example.com", at(10+i)))
	}
	if n, err := s.CountLoginFailures(ctx, "ada@example.com", at(11)); err != nil || n != 2 {
		t.Fatalf("CountLoginFailures since 11 = %d, %v; want 2", n, err)
	}
	must(t, s.ClearLoginFailures(ctx, "Ada@Example.com"))
	if n, _ := s.CountLoginFailures(ctx, "ada@example.com", at(0)); n != 0 {
		t.Fatalf("after clear: %d failures", n)
	}

	for i, network := range []string{"192.0.2.7", "192.0.2.7", "192.0.2.7", "2001:db8:1:2::/64"} {
		must(t, s.RecordSignupAttempt(ctx, network, at(30+i)))
	}
	for _, tc := range []struct {
		network string
		since   keyward.Time
		want    int
	}{
		{"192.0.2.7", at(0), 3},
		{"192.0.2.7", at(31), 2}, // an attempt at the start of the window counts
		{"192.0.2.7", at(33), 0},
		{"2001:db8:1:2::/64", at(0), 1},
		{"192.0.2.70", at(0), 0},
	} {
		if n, err := s.CountSignupAttempts(ctx, tc.network, tc.since); err != nil || n != tc.want {
			t.Fatalf("CountSignupAttempts(%s, %v) = %d, %v; want %d", tc.network, tc.since, n, err, tc.want)
		}
	}

	must(t, s.CreateTokenFamily(ctx, &keyward.TokenFamily{ID: "fam", ClientID: c.ID, UserID: u.ID, CreatedAt: at(20)}))
	code := &keyward.AuthCode{Hash: "ch", ClientID: c.ID, UserID: u.ID, RedirectURI: "https://app.example/cb", Scopes: []string{"read:grants"},
		CodeChallenge: "x", CodeChallengeMethod: "S256", FamilyID: "fam", CreatedAt: at(21), ExpiresAt: at(81)}
	must(t, s.CreateAuthCode(ctx, code))
	first, err := s.UseAuthCode(ctx, "ch", at(22))
	must(t, err)
	if diff := cmp.Diff(code, first); diff != "" {
		t.Fatalf("first use (-want +got):\n%s", diff)
	}
	again, err := s.UseAuthCode(ctx, "ch", at(23))
	must(t, err)
	if again.UsedAt == nil || *again.UsedAt != at(22) {
		t.Fatalf("second use: UsedAt = %v, want %v", again.UsedAt, at(22))
	}
	_, err = s.UseAuthCode(ctx, "nope", at(23))
	wantErr(t, err, keyward.ErrNotFound)

	rt := &keyward.RefreshToken{Hash: "rh", FamilyID: "fam", ClientID: c.ID, UserID: u.ID, Scopes: []string{"read:grants"}, CreatedAt: at(24), ExpiresAt: at(1000)}
	must(t, s.CreateRefreshToken(ctx, rt))
	if got, err := s.UseRefreshToken(ctx, "rh", at(25)); err != nil || got.UsedAt != nil {
		t.Fatalf("first refresh use: %+v, %v", got, err)
	}
	if got, err := s.UseRefreshToken(ctx, "rh", at(26)); err != nil || got.UsedAt == nil {
		t.Fatalf("reuse not detected: %+v, %v", got, err)
	}
	must(t, s.RevokeTokenFamily(ctx, "fam", at(27)))
	must(t, s.RevokeTokenFamily(ctx, "fam", at(28))) // the first revocation time stays
	fam, err := s.FindTokenFamily(ctx, "fam")
	must(t, err)
	if fam.RevokedAt == nil || *fam.RevokedAt != at(27) {
		t.Fatalf("family = %+v", fam)
	}

	calls := 0
	gen := func() string { calls++; return "secret-" + time.Duration(calls).String() }
	v1, err := s.GetSecret(ctx, "csrf", gen)
	must(t, err)
	v2, err := s.GetSecret(ctx, "csrf", gen)
	must(t, err)
	if v1 != v2 || v1 != "secret-1ns" {
		t.Fatalf("GetSecret gave %q then %q, want the first value twice", v1, v2)
	}

	o := mkOwner(t, s, 30)
	p := &keyward.IdentityProvider{ID: "acme", OwnerAccountID: o.ID, Issuer: "https://id", Audience: "kw", PublicKeyPEM: "pem", CreatedAt: at(31)}
	must(t, s.CreateIdentityProvider(ctx, p))
	wantErr(t, s.CreateIdentityProvider(ctx, p), keyward.ErrInvalid)
	ext := &keyward.User{ID: "ext-1", Kind: keyward.UserExternal, Verified: true, CreatedAt: at(32)}
	must(t, s.CreateUser(ctx, ext))
	must(t, s.CreateUser(ctx, &keyward.User{ID: "ext-2", Kind: keyward.UserExternal, Verified: true, CreatedAt: at(33)})) // no address, no clash
	ipu := &keyward.IPUser{ID: ext.ID, IPID: "acme", IPUserID: "u1", Status: keyward.IPUserStatusNormal, OwnerAccountID: o.ID, CreatedAt: at(34)}
	must(t, s.CreateIPUser(ctx, ipu))
	dup := *ipu
	dup.ID = "ext-2"
	wantErr(t, s.CreateIPUser(ctx, &dup), keyward.ErrDuplicateIPUser)
	id := "u1"
	users, err := s.FindIPUsers(ctx, keyward.IPUserFilter{IPID: "acme", IPUserID: &id})
	must(t, err)
	if diff := cmp.Diff([]*keyward.IPUser{ipu}, users); diff != "" {
		t.Fatalf("FindIPUsers (-want +got):\n%s", diff)
	}
	must(t, s.DeleteIdentityProvider(ctx, o.ID, "acme"))
	users, err = s.FindIPUsers(ctx, keyward.IPUserFilter{IPID: "acme"})
	must(t, err)
	if len(users) != 0 {
		t.Fatalf("users of a deleted provider: %v", users)
	}
}
