package storetest

import (
	"errors"
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
	testRefreshRotation(t, s, rt)
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

// testRefreshRotation rotates the unspent refresh token rt of the family "fam": the first
// rotation answers rt as it was with its family and stores the next token with rt's family,
// client, user and scopes; a second spend answers when rt was spent and stores nothing; an
// unknown token is not found; a rolled-back rotation leaves both tokens as they were.
func testRefreshRotation(t *testing.T, s flat, rt *keyward.RefreshToken) {
	t.Helper()
	next := &keyward.RefreshToken{Hash: "rh2", CreatedAt: at(25), ExpiresAt: at(1025)}
	spent, fam, err := s.RotateRefreshToken(ctx, rt.Hash, at(25), next)
	must(t, err)
	if diff := cmp.Diff(rt, spent); diff != "" {
		t.Fatalf("first rotation answered (-want +got):\n%s", diff)
	}
	wantFam, err := s.FindTokenFamily(ctx, "fam")
	must(t, err)
	if diff := cmp.Diff(wantFam, fam); diff != "" {
		t.Fatalf("first rotation's family (-want +got):\n%s", diff)
	}
	want := &keyward.RefreshToken{Hash: "rh2", FamilyID: rt.FamilyID, ClientID: rt.ClientID, UserID: rt.UserID, Scopes: rt.Scopes,
		CreatedAt: at(25), ExpiresAt: at(1025)}
	stored, err := s.FindRefreshToken(ctx, "rh2")
	must(t, err)
	if diff := cmp.Diff(want, next); diff != "" {
		t.Fatalf("next after the rotation (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, stored); diff != "" {
		t.Fatalf("stored next token (-want +got):\n%s", diff)
	}
	if old, err := s.FindRefreshToken(ctx, rt.Hash); err != nil || old.UsedAt == nil || *old.UsedAt != at(25) {
		t.Fatalf("spent token = %+v, %v; want UsedAt %v", old, err, at(25))
	}

	again, fam, err := s.RotateRefreshToken(ctx, rt.Hash, at(26), &keyward.RefreshToken{Hash: "rh3", CreatedAt: at(26), ExpiresAt: at(1026)})
	must(t, err)
	if again.UsedAt == nil || *again.UsedAt != at(25) || fam != nil {
		t.Fatalf("reuse answered %+v, family %+v; want UsedAt %v and no family", again, fam, at(25))
	}
	_, err = s.FindRefreshToken(ctx, "rh3")
	wantErr(t, err, keyward.ErrNotFound)
	_, _, err = s.RotateRefreshToken(ctx, "nope", at(26), &keyward.RefreshToken{Hash: "rh4", CreatedAt: at(26), ExpiresAt: at(1026)})
	wantErr(t, err, keyward.ErrNotFound)
	_, err = s.FindRefreshToken(ctx, "rh4")
	wantErr(t, err, keyward.ErrNotFound)

	refused := errors.New("refused")
	err = s.InTx(ctx, func(tx keyward.Tx) error {
		if _, _, err := tx.RotateRefreshToken(ctx, "rh2", at(27), &keyward.RefreshToken{Hash: "rh5", CreatedAt: at(27), ExpiresAt: at(1027)}); err != nil {
			return err
		}
		return refused
	})
	if !errors.Is(err, refused) {
		t.Fatalf("rolled-back rotation: %v", err)
	}
	if kept, err := s.FindRefreshToken(ctx, "rh2"); err != nil || kept.UsedAt != nil {
		t.Fatalf("after the rollback rh2 = %+v, %v; want it unspent", kept, err)
	}
	_, err = s.FindRefreshToken(ctx, "rh5")
	wantErr(t, err, keyward.ErrNotFound)
}
