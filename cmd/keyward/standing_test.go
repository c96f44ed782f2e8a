package main_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/keyward/keyward/internal/apitest"
	kw "github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/sqlstore"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

// TestTwoServersTokenStandingAppliesAtOnce runs two `keyward serve` processes on one PostgreSQL
// database: a permission removed, a token revoked at one node, a client deleted and a scope
// taken from a client refuse the very next request on the other node, because each request
// reads the token's standing and the caller's role afresh (one statement, no cache).
func TestTwoServersTokenStandingAppliesAtOnce(t *testing.T) {
	dsn := sqltest.DSN(t, sqlstore.Postgres) // skips without PostgreSQL, fails if it is required
	owner := sharedAccount(t, dsn)
	var manager apiCreds
	keyward(t, &manager, "admin", "client", "create", "--db", dsn, "--name", "manager",
		"--scopes", kw.ScopeWriteOwnerPermissions+" "+kw.ScopeReadCoreEntities, "--admin-of", owner.ID, "--json")
	// a cluster has one issuer: b serves under a's
	a := serve(t, dsn)
	port := freePort(t)
	b := serve(t, dsn, "--addr", "127.0.0.1:"+port, "--issuer", a.base)
	b.base = "http://127.0.0.1:" + port
	ctx := context.Background()
	managed := manager.account(a, owner.ID)
	before, err := managed.Permissions(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var reader, revoked, deleted, narrowed apiCreds
	keyward(t, &reader, "admin", "client", "create", "--db", dsn, "--name", "reader", "--scopes", kw.ScopeReadCoreEntities, "--admin-of", owner.ID, "--json")
	keyward(t, &revoked, "admin", "client", "create", "--db", dsn, "--name", "revoked", "--scopes", kw.ScopeReadCoreEntities, "--admin-of", owner.ID, "--json")
	keyward(t, &deleted, "admin", "client", "create", "--db", dsn, "--name", "deleted", "--scopes", kw.ScopeReadCoreEntities, "--admin-of", owner.ID, "--json")
	keyward(t, &narrowed, "admin", "client", "create", "--db", dsn, "--name", "narrowed", "--scopes", kw.ScopeReadCoreEntities+" "+kw.ScopeReadGrants,
		"--admin-of", owner.ID, "--json")
	after, err := managed.Permissions(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	readerToken, revokedToken, deletedToken, narrowedToken := token(t, a, reader), token(t, a, revoked), token(t, a, deleted), token(t, a, narrowed)
	locks := "/api/v1/Owners/" + owner.ID + "/BoundLocks"
	read := func(s *server, tok string) apitest.Response {
		return apitest.Do(t, nil, "GET", s.base+locks, "", http.Header{"Authorization": {"Bearer " + tok}})
	}
	for _, tok := range []string{readerToken, revokedToken, deletedToken, narrowedToken} {
		if res := read(b, tok); res.Status != 200 {
			t.Fatalf("read on the other node before any change: %d %s", res.Status, res.Body)
		}
	}

	// The permission the reader's client got is the one that was not there before it; the
	// revoked client's is the last one.
	ids := func(list []*kw.Permission) (out []string) {
		for _, p := range list {
			out = append(out, p.ID)
		}
		return out
	}
	var readerPerm string
	for _, id := range ids(after) {
		if !slices.Contains(ids(before), id) {
			readerPerm = id
			break
		}
	}
	// The permission is removed by a third process on the database (an Owner's request to any
	// node writes the same row).
	db, err := sqlstore.OpenNoMigrate(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if res, err := db.SQL().ExecContext(ctx, `DELETE FROM permissions WHERE id = $1`, readerPerm); err != nil {
		t.Fatal(err)
	} else if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("deleted %d permissions %q, want 1", n, readerPerm)
	}
	res := read(b, readerToken)
	want := `{"ErrorCode":"","ErrorMessage":"The caller has no permission for this operation.","ErrorDetails":"the caller has no permission on owner account \"` + owner.ID + `\"","UserErrorMessage":""}`
	if res.Status != 403 || string(res.Body) != want {
		t.Errorf("read on the other node after the permission was removed: %d %s; want 403 %s", res.Status, res.Body, want)
	}

	rev := apitest.Do(t, nil, "POST", a.base+"/connect/revocation", url.Values{"token": {revokedToken}}.Encode(), http.Header{
		"Content-Type": {"application/x-www-form-urlencoded"}, "Authorization": {basic(revoked)}})
	if rev.Status != 200 {
		t.Fatalf("revocation: %d %s", rev.Status, rev.Body)
	}
	if res := read(b, revokedToken); res.Status != 401 || !strings.Contains(string(res.Body), `"ErrorDetails":"the token was revoked"`) {
		t.Errorf("read on the other node after the token was revoked: %d %s; want 401, the token was revoked", res.Status, res.Body)
	}

	var gone struct{}
	keyward(t, &gone, "admin", "client", "delete", "--db", dsn, "--id", deleted.ClientID, "--json")
	if res := read(b, deletedToken); res.Status != 401 || !strings.Contains(string(res.Body), `"ErrorDetails":"the token's client `+deleted.ClientID+` no longer exists"`) {
		t.Errorf("read on the other node after the client was deleted: %d %s; want 401, the client no longer exists", res.Status, res.Body)
	}

	var changed struct{}
	keyward(t, &changed, "admin", "client", "update", "--db", dsn, "--id", narrowed.ClientID, "--scopes", kw.ScopeReadGrants, "--json")
	res = read(b, narrowedToken)
	want = `{"ErrorCode":"","ErrorMessage":"The access token lacks a required scope.","ErrorDetails":"the operation requires the scope \"read:core:entities\"","UserErrorMessage":""}`
	if res.Status != 401 || string(res.Body) != want {
		t.Errorf("read on the other node after the client lost the scope: %d %s; want 401 %s", res.Status, res.Body, want)
	}
	in := apitest.Do(t, nil, "POST", b.base+"/connect/introspect", url.Values{"token": {narrowedToken}}.Encode(), http.Header{
		"Content-Type": {"application/x-www-form-urlencoded"}, "Authorization": {basic(narrowed)}})
	if in.Status != 200 || !strings.Contains(string(in.Body), `"active":true`) || !strings.Contains(string(in.Body), `"scope":"read:grants"`) {
		t.Errorf("introspection on the other node after the client lost a scope: %d %s; want active with the scope read:grants only", in.Status, in.Body)
	}
}

// freePort is a loopback port free a moment ago.
func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

// token is an access token of c from s's token endpoint, by the real OAuth client library.
func token(t *testing.T, s *server, c apiCreds) string {
	t.Helper()
	cc := clientcredentials.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, TokenURL: s.base + "/connect/token"}
	tok, err := cc.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tok.AccessToken
}

// basic is the HTTP Basic authorization of c (RFC 6749 §2.3.1 form-encodes id and secret first).
func basic(c apiCreds) string {
	req, _ := http.NewRequest("POST", "/", nil)
	req.SetBasicAuth(url.QueryEscape(c.ClientID), url.QueryEscape(c.ClientSecret))
	return req.Header.Get("Authorization")
}
