package client_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"testing"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/client"
	"github.com/keyward/keyward/internal/keyward"
)

func TestClient_IdentityProviders(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		e.must(err)
		der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
		e.must(err)
		pub := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
		p, err := e.acct.CreateIdentityProvider(ctx, keyward.IdentityProviderCreate{IPID: "acme.app", Issuer: "https://id.acme.example",
			Audience: "keyward", PublicKey: pub})
		want := &keyward.IdentityProvider{ID: "acme.app", OwnerAccountID: e.acct.ID, Issuer: "https://id.acme.example", Audience: "keyward", PublicKeyPEM: pub}
		check(t, "CreateIdentityProvider", p, want, err)
		list, err := e.acct.IdentityProviders(ctx)
		check(t, "IdentityProviders", list, []*keyward.IdentityProvider{want}, err)
		p, err = e.acct.IdentityProvider(ctx, "acme.app")
		check(t, "IdentityProvider", p, want, err)

		u, err := e.acct.CreateIPUser(ctx, "acme.app", keyward.IPUserCreate{IPUserID: "u-1"})
		e.must(err)
		wantUser := &keyward.IPUser{ID: u.ID, IPID: "acme.app", IPUserID: "u-1", Status: keyward.IPUserStatusNormal}
		check(t, "CreateIPUser", u, wantUser, nil)
		users, err := e.acct.IPUsers(ctx, "acme.app", &client.Query{Filter: "ipUserId eq 'u-1'"})
		check(t, "IPUsers", users, []*keyward.IPUser{wantUser}, err)
		u, err = e.acct.IPUser(ctx, "acme.app", wantUser.ID)
		check(t, "IPUser", u, wantUser, err)
		u, err = e.acct.IPUserByIPUserID(ctx, "acme.app", "u-1")
		check(t, "IPUserByIPUserID", u, wantUser, err)
		u, err = e.acct.UpdateIPUser(ctx, "acme.app", wantUser.ID, keyward.IPUserUpdate{})
		check(t, "UpdateIPUser", u, wantUser, err)
		_, err = e.acct.UpdateIPUser(ctx, "acme.app", wantUser.ID, keyward.IPUserUpdate{Email: apitest.Ptr("new@example.com")})
		checkError(t, "UpdateIPUser address", err, &client.Error{Status: 400, ErrorCode: "EmailChangeNotSupported",
			ErrorMessage:     "Changing the e-mail address of a user is not supported.",
			ErrorDetails:     `the address of identity-provider user "` + wantUser.ID + `" is managed by identity provider "acme.app"`,
			UserErrorMessage: "A user's email address cannot be changed."})

		e.must(e.acct.DeleteIdentityProvider(ctx, "acme.app"))
		_, err = e.acct.IdentityProvider(ctx, "acme.app")
		checkError(t, "deleted identity provider", err, notFound(`identity provider "acme.app" does not exist`))
	})
}
