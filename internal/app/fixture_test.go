package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/app"
	"github.com/keyward/keyward/internal/app/apptest"
	"github.com/keyward/keyward/internal/client"
	"github.com/keyward/keyward/internal/config"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
	"github.com/keyward/keyward/internal/oauth"
	"github.com/keyward/keyward/internal/sqlstore"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

// fixture is a running server on loopback with two tenants:
//   - account "o1" owned by Olivia, administered by the clients "admin" (all scopes), "reader"
//     (read scopes only); it has the bound lock "lock1" and the contact "guest";
//   - account "o2" owned by Oscar, with the bound lock "lock2";
//   - the client "stranger" has every scope but administers no account;
//   - "free" is a registered, unbound lock whose binding code is freeCode.
type fixture struct {
	t       *testing.T
	m       *app.Main
	base    string
	logs    *apitest.Output // the server's JSON log lines
	console *apitest.Output // the server's plain-text console
	ids     map[string]string
	secrets map[string]string
	tokens  map[string]string
	locks   map[string]*apitest.Lock // the registered locks, by physical lock id

	olivia               *keyward.User
	freeLockID, freeCode string
	lock2Code            string
	// admin is account o1 through the Go client with the admin client's tokens, for the calls
	// that set a test up or read what it did; tests of the wire itself use do.
	admin *client.Account
}

var allScopes = []string{
	keyward.ScopeWriteOwnerAccounts, keyward.ScopeWriteOwnerPermissions, keyward.ScopeWriteCoreEntities,
	keyward.ScopeWriteGrants, keyward.ScopeReadLogs, keyward.ScopeWriteIPUsers,
}

var readScopes = []string{keyward.ScopeReadOwnerAccounts, keyward.ScopeReadOwnerPermissions, keyward.ScopeReadCoreEntities}

func newFixture(t *testing.T, engine sqlstore.Engine) *fixture {
	t.Helper()
	plans := filepath.Join(t.TempDir(), "plans.json")
	if err := os.WriteFile(plans, []byte(testPlans), 0o600); err != nil {
		t.Fatal(err)
	}
	logs, console := &apitest.Output{}, &apitest.Output{}
	m := apptest.Start(t, config.Config{Addr: "127.0.0.1:0", DB: sqltest.DSN(t, engine), Plans: plans}, logs, console)
	fx := &fixture{t: t, m: m, base: m.Config.Issuer, logs: logs, console: console, ids: map[string]string{}, secrets: map[string]string{}, tokens: map[string]string{},
		locks: map[string]*apitest.Lock{}}
	fx.seed(context.Background())
	fx.admin = fx.account("admin", "o1")
	return fx
}

// testPlans is the fixture's plan catalog: the default has everything, "three" allows three
// smartphone users, "basic" has no features.
const testPlans = `{"default": "unlimited", "plans": [
	{"name": "unlimited", "smartphoneUserLimit": 0, "features": ["timeRestrictions", "lockGroups", "identityProviders"]},
	{"name": "three", "smartphoneUserLimit": 3, "features": ["timeRestrictions", "lockGroups", "identityProviders"]},
	{"name": "basic", "smartphoneUserLimit": 0, "features": []}]}`

// setPlan moves an account of the fixture to another plan.
func (f *fixture) setPlan(t *testing.T, owner, plan string) {
	t.Helper()
	f.must(f.m.Service.SetOwnerPlan(asOperator(context.Background()), f.ids[owner], plan))
}

func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) seed(ctx context.Context) {
	s := f.m.Service
	olivia := f.user(ctx, "olivia@example.com")
	f.olivia = olivia
	oscar := f.user(ctx, "oscar@example.com")
	o1, err := s.RegisterOwner(asOperator(ctx), keyward.OwnerRegistration{Name: "Olivia's Office", OwnerEmail: olivia.Email})
	f.must(err)
	o2, err := s.RegisterOwner(asOperator(ctx), keyward.OwnerRegistration{Name: "Oscar's Shop", OwnerEmail: oscar.Email})
	f.must(err)
	f.ids["o1"], f.ids["o2"] = o1.ID, o2.ID
	f.client(ctx, "admin", allScopes, o1.ID)
	f.client(ctx, "reader", readScopes, o1.ID)
	f.client(ctx, "stranger", allScopes, "")

	asOlivia := asUser(ctx, olivia)
	f.ids["lock1"] = f.bind(asOlivia, o1.ID, "Front Door").ID
	lock2, code2 := f.register(ctx, true)
	f.lock2Code = code2
	l2, err := s.BindLock(asUser(ctx, oscar), o2.ID, keyward.BindLockRequest{PhysicalLockID: lock2.ID, BindingCode: code2})
	f.must(err)
	f.ids["lock2"], f.ids["phys2"] = l2.ID, lock2.ID
	free, code := f.register(ctx, false)
	f.freeLockID, f.freeCode = free.ID, code
	guest, title := "guest@example.com", "Guest"
	c, err := s.CreateContact(asOlivia, o1.ID, keyward.ContactCreate{Identifier: &guest, Title: &title})
	f.must(err)
	f.ids["guest"] = c.ID
	owner := keyward.RoleOwner
	perms, err := f.m.Store.FindPermissions(ctx, keyward.PermissionFilter{OwnerID: o1.ID, Role: &owner})
	f.must(err)
	if len(perms) != 1 {
		f.t.Fatalf("o1 has %d Owner permissions, want 1", len(perms))
	}
	f.ids["oliviaPerm"] = perms[0].ID
	f.ids["oliviaContact"] = perms[0].ContactID
}

func (f *fixture) user(ctx context.Context, email string) *keyward.User {
	u, err := f.m.Service.CreateUser(asOperator(ctx), keyward.UserCreate{Email: email, Verified: true})
	f.must(err)
	return u
}

func (f *fixture) client(ctx context.Context, name string, scopes []string, adminOf string) {
	secret, hash := oauth.NewClientSecret()
	c, _, err := f.m.Service.CreateClient(asOperator(ctx), keyward.ClientCreate{Name: name, SecretHash: hash,
		GrantTypes: []string{keyward.GrantClientCredentials}, Scopes: scopes, AdminOf: adminOf})
	f.must(err)
	f.ids[name+"Client"], f.secrets[name] = c.ID, secret
}

// register adds a lock to the device registry and keeps it, with its device key, in f.locks.
func (f *fixture) register(ctx context.Context, timeRestrictions bool) (*keyward.PhysicalLock, string) {
	return f.registerLock(ctx, keyward.PhysicalLockCreate{LockTypeID: "TK.Td30", ProtocolVersion: 3, TimeZone: "Europe/Vienna",
		TimeRestrictionSupport: timeRestrictions})
}

// registerLock registers the lock spec describes with a new device key.
func (f *fixture) registerLock(ctx context.Context, spec keyward.PhysicalLockCreate) (*keyward.PhysicalLock, string) {
	pub, device := lockproto.NewDeviceKey()
	spec.DevicePublicKey = pub
	l, code, err := f.m.Service.RegisterLock(asOperator(ctx), spec)
	f.must(err)
	f.locks[l.ID] = apitest.NewLock(l.ID, device, code)
	return l, code
}

func (f *fixture) bind(ctx context.Context, ownerID, title string) *keyward.BoundLock {
	phys, code := f.register(context.Background(), true)
	l, err := f.m.Service.BindLock(ctx, ownerID, keyward.BindLockRequest{PhysicalLockID: phys.ID, BindingCode: code, Title: &title})
	f.must(err)
	return l
}

// asUser is the context of a signed-in user, for seeding through the service.
func asUser(ctx context.Context, u *keyward.User) context.Context {
	return keyward.NewContextWithPrincipal(ctx, keyward.SessionPrincipal(u))
}

// asOperator is the operator's context, which the operator use cases need.
func asOperator(ctx context.Context) context.Context {
	return keyward.NewContextWithPrincipal(ctx, keyward.Operator())
}

// token fetches an access token for a client with the real OAuth client library.
func (f *fixture) token(name string, scopes ...string) string {
	f.t.Helper()
	key := name + " " + strings.Join(scopes, " ")
	if tok, ok := f.tokens[key]; ok {
		return tok
	}
	cc := clientcredentials.Config{ClientID: f.ids[name+"Client"], ClientSecret: f.secrets[name], TokenURL: f.base + "/connect/token", Scopes: scopes}
	tok, err := cc.Token(context.Background())
	f.must(err)
	f.tokens[key] = tok.AccessToken
	return tok.AccessToken
}

// expand replaces {name} with fixture ids.
func (f *fixture) expand(s string) string {
	for k, v := range f.ids {
		s = strings.ReplaceAll(s, "{"+k+"}", v)
	}
	return s
}

// response is what a request returned.
type response struct {
	status int
	header http.Header
	body   string
}

// do sends a raw request with an optional bearer token and JSON body; path and body may name
// fixture ids as {name}.
func (f *fixture) do(method, path, token, body string, header map[string]string) response {
	f.t.Helper()
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		h.Set(k, v)
	}
	res := apitest.Do(f.t, nil, method, f.base+f.expand(path), f.expand(body), h)
	return response{status: res.Status, header: res.Header, body: string(res.Body)}
}

// checkJSON compares got with want exactly, after replacing the values of the named top-level
// keys (server-made ids and times) with "<id>", "<time>" or "<key>" once their format is checked;
// a named key holding an object or array is replaced by "<key>" unchecked.
func checkJSON(t *testing.T, got, want string, dynamic ...string) {
	t.Helper()
	if len(dynamic) > 0 {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(got), &m); err != nil {
			t.Fatalf("body is not a JSON object: %v\n%s", err, got)
		}
		for _, k := range dynamic {
			var s string
			if err := json.Unmarshal(m[k], &s); err != nil {
				// an object or array the test does not pin here: its exact bytes are replaced
				got = strings.Replace(got, string(m[k]), `"<`+k+`>"`, 1)
				continue
			}
			placeholder := `"<` + k + `>"`
			switch {
			case strings.HasSuffix(k, "Date"):
				if _, err := time.Parse(keyward.WireTimeLayout, s); err != nil {
					t.Fatalf("%s = %q is not a wire time", k, s)
				}
				placeholder = `"<time>"`
			case k == "id":
				if len(s) != 36 {
					t.Fatalf("%s = %q is not a UUID", k, s)
				}
				placeholder = `"<id>"`
			}
			got = strings.ReplaceAll(got, `"`+s+`"`, placeholder)
		}
	}
	var g, w bytes.Buffer
	if err := json.Compact(&g, []byte(got)); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, got)
	}
	if err := json.Compact(&w, []byte(want)); err != nil {
		t.Fatalf("want is not JSON: %v\n%s", err, want)
	}
	if g.String() != w.String() {
		t.Fatalf("body\n got %s\nwant %s", g.String(), w.String())
	}
}

// jsonField reads one top-level string field of a JSON object.
func jsonField(t *testing.T, body, key string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, body)
	}
	v, ok := m[key].(string)
	if !ok {
		t.Fatalf("no string %q in %s", key, body)
	}
	return v
}

// account is an account of the fixture (by name: "o1") through the Go client, which fetches
// and sends the named client's tokens with the real OAuth client library.
func (f *fixture) account(as, owner string) *client.Account {
	cc := clientcredentials.Config{ClientID: f.ids[as+"Client"], ClientSecret: f.secrets[as], TokenURL: f.base + "/connect/token"}
	return client.New(f.base, cc.Client(context.Background())).Account(f.ids[owner])
}

// contactGrant is a grant request for a contact on a lock or group, all by fixture name.
func (f *fixture) contactGrant(target, contact string) keyward.GrantCreate {
	return keyward.GrantCreate{BoundLockID: f.ids[target], ContactID: apitest.Ptr(f.ids[contact])}
}

// inlineGrant is a grant request for the contact with an identifier on a lock or group (by
// fixture name), which finds or creates that contact.
func (f *fixture) inlineGrant(target, identifier string) keyward.GrantCreate {
	return keyward.GrantCreate{BoundLockID: f.ids[target], Contact: &keyward.GrantContact{Identifier: &identifier}}
}

// cardGrant is a grant request for a bound card on a lock or group, all by fixture name.
func (f *fixture) cardGrant(target, card string) keyward.GrantCreate {
	return keyward.GrantCreate{BoundLockID: f.ids[target], BoundCardID: apitest.Ptr(f.ids[card])}
}
