package client_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/app"
	"github.com/keyward/keyward/internal/app/apptest"
	"github.com/keyward/keyward/internal/client"
	"github.com/keyward/keyward/internal/config"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/oauth"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

var ctx = context.Background()

// op is the operator's context, which the operator use cases need.
var op = keyward.NewContextWithPrincipal(ctx, keyward.Operator())

// env is a real server with one owner account, "Ada's Office", and a client whose token holds
// every Management API scope and who is Owner of that account.
type env struct {
	t    *testing.T
	m    *app.Main
	base string
	api  *client.Client
	acct *client.Account
}

var allScopes = []string{keyward.ScopeWriteOwnerAccounts, keyward.ScopeWriteOwnerPermissions, keyward.ScopeWriteCoreEntities,
	keyward.ScopeWriteGrants, keyward.ScopeWriteIPUsers}

// forEachEngine runs fn against a server on each engine.
func forEachEngine(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, engine := range sqltest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			m := apptest.Start(t, config.Config{Addr: "127.0.0.1:0", DB: sqltest.DSN(t, engine)}, io.Discard, io.Discard)
			e := &env{t: t, m: m, base: m.Config.Issuer}
			e.seed()
			fn(t, e)
		})
	}
}

func (e *env) seed() {
	s := e.m.Service
	_, err := s.CreateUser(op, keyward.UserCreate{Email: "ada@example.com", Verified: true})
	e.must(err)
	o, err := s.RegisterOwner(op, keyward.OwnerRegistration{Name: "Ada's Office", OwnerEmail: "ada@example.com"})
	e.must(err)
	secret, hash := oauth.NewClientSecret()
	c, _, err := s.CreateClient(op, keyward.ClientCreate{Name: "integration", SecretHash: hash, GrantTypes: []string{keyward.GrantClientCredentials},
		Scopes: allScopes, AdminOf: o.ID, Role: keyward.RoleOwner})
	e.must(err)
	cc := clientcredentials.Config{ClientID: c.ID, ClientSecret: secret, TokenURL: e.base + "/connect/token"}
	e.api = client.New(e.base, cc.Client(ctx))
	e.acct = e.api.Account(o.ID)
}

func (e *env) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

// registerLock puts a lock with time-restriction support into the device registry.
func (e *env) registerLock() (physicalLockID, bindingCode string) {
	e.t.Helper()
	l, code, err := e.m.Service.RegisterLock(op, keyward.PhysicalLockCreate{DevicePublicKey: apitest.DeviceKey(), LockTypeID: "TK.Td30", ProtocolVersion: 3,
		TimeZone: "Europe/Vienna", TimeRestrictionSupport: true})
	e.must(err)
	return l.ID, code
}

// check fails the test on err or when got differs from want.
func check(t *testing.T, what string, got, want any, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("%s (-want +got):\n%s", what, diff)
	}
}

// checkError fails the test unless err is an *client.Error equal to want.
func checkError(t *testing.T, what string, err error, want *client.Error) {
	t.Helper()
	var got *client.Error
	if !errors.As(err, &got) {
		t.Fatalf("%s: err = %v, want an *client.Error", what, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("%s (-want +got):\n%s", what, diff)
	}
}

// notFound is the seed's 404 with the given details.
func notFound(details string) *client.Error {
	return &client.Error{Status: 404, ErrorMessage: "The resource was not found.", ErrorDetails: details}
}
