package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/service"
	"github.com/keyward/keyward/internal/sqlstore"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

// world is the real service over a fresh SQLite store, seeded through the operator's and a
// signed-in user's use cases. Ids are sequential and the clock stands still, so bodies are
// exact; tests name entities by the keys of ids ("{o1}" in a path or body):
//
//   - Ada administers "o1" (Office) and "o2" (Home, on the plan "free"); Bob administers
//     nothing; Uma has not verified her address.
//   - o1 holds the bound locks "lock1" (Front door) and "lock2" (Back door), both members of
//     the lock group "g1" (Floor 1); the contacts "adaContact" (Ada's own), "c1"
//     (a@example.com) and "c2" (an external user); the bound card "k1"; the grant "gr1" of
//     lock1 to c1; and "p1", Ada's Owner permission.
//   - The registry holds the unbound lock "phys3" (binding code "code3") and the card "pc2".
type world struct {
	t     *testing.T
	svc   *service.Service
	store *sqlstore.DB
	ids   map[string]string
	users map[string]*keyward.User // by name: the subjects of the world's tokens
}

// newWorld seeds a world for one test.
func newWorld(t *testing.T) *world {
	t.Helper()
	var n atomic.Int64
	store := sqltest.Open(t, sqlstore.SQLite)
	w := &world{t: t, store: store, ids: map[string]string{}, users: map[string]*keyward.User{},
		svc: service.New(store, service.Config{Now: func() time.Time { return testTime.Time },
			NewID: func() string { return fmt.Sprintf("00000000-0000-7000-8000-%012d", n.Add(1)) }})}
	w.seed()
	return w
}

func (w *world) seed() {
	op := keyward.NewContextWithPrincipal(context.Background(), keyward.Operator())
	ada := w.user(op, "ada", true)
	w.user(op, "bob", true)
	w.user(op, "uma", false)
	w.ids["o1"] = apitest.Check(w.svc.RegisterOwner(op, keyward.OwnerRegistration{Name: "Office", OwnerEmail: ada.Email}))(w.t).ID
	w.ids["o2"] = apitest.Check(w.svc.RegisterOwner(op, keyward.OwnerRegistration{Name: "Home", OwnerEmail: ada.Email, Plan: "free"}))(w.t).ID
	perms := apitest.Check(w.svc.FindPermissions(w.as(ada), w.ids["o1"], nil))(w.t)
	w.ids["p1"], w.ids["adaContact"] = perms[0].ID, perms[0].ContactID

	o1, asAda := w.ids["o1"], w.as(ada)
	for i, title := range []string{"Front door", "Back door", ""} {
		phys, code := apitest.Check2(w.svc.RegisterLock(op, keyward.PhysicalLockCreate{DevicePublicKey: apitest.DeviceKey(), LockTypeID: "TK.Td30", ProtocolVersion: 3,
			TimeZone: "Europe/Vienna", TimeRestrictionSupport: true}))(w.t)
		name := fmt.Sprint(i + 1)
		w.ids["phys"+name], w.ids["code"+name] = phys.ID, code
		if title != "" {
			w.ids["lock"+name] = apitest.Check(w.svc.BindLock(asAda, o1, keyward.BindLockRequest{PhysicalLockID: phys.ID, BindingCode: code, Title: &title}))(w.t).ID
		}
	}
	w.ids["g1"] = apitest.Check(w.svc.CreateLockGroup(asAda, o1, keyward.LockGroupCreate{Title: "Floor 1", Description: apitest.Ptr("East wing")}))(w.t).ID
	for _, l := range []string{"lock1", "lock2"} {
		apitest.Check(w.svc.AddLockGroupMember(asAda, o1, w.ids["g1"], keyward.LockGroupMemberRequest{BoundLockID: w.ids[l]}))(w.t)
	}
	w.ids["c1"] = apitest.Check(w.svc.CreateContact(asAda, o1, keyward.ContactCreate{Identifier: apitest.Ptr("a@example.com")}))(w.t).ID
	w.ids["c2"] = apitest.Check(w.svc.CreateContact(asAda, o1, keyward.ContactCreate{IPID: apitest.Ptr("idp"), IPUserID: apitest.Ptr("ext-7")}))(w.t).ID
	for i := 1; i <= 2; i++ {
		pc := apitest.Check(w.svc.RegisterCard(op, 8))(w.t)
		w.ids[fmt.Sprint("pc", i)], w.ids[fmt.Sprint("uid", i)] = pc.ID, pc.UID
	}
	w.ids["k1"] = apitest.Check(w.svc.BindCard(asAda, o1, keyward.BindCardRequest{PhysicalCardID: apitest.Ptr(w.ids["pc1"]), Label: apitest.Ptr("0042")}))(w.t).ID
	w.ids["gr1"] = apitest.Check(w.svc.CreateGrant(asAda, o1, keyward.GrantCreate{BoundLockID: w.ids["lock1"], ContactID: apitest.Ptr(w.ids["c1"])}))(w.t).ID
}

// user creates the person name@example.com and records its id under name.
func (w *world) user(op context.Context, name string, verified bool) *keyward.User {
	u := apitest.Check(w.svc.CreateUser(op, keyward.UserCreate{Email: name + "@example.com", Verified: verified}))(w.t)
	w.ids[name], w.users[name] = u.ID, u
	return u
}

// as is the context of u's browser session, for seeding.
func (w *world) as(u *keyward.User) context.Context {
	return keyward.NewContextWithPrincipal(context.Background(), keyward.SessionPrincipal(u))
}

// expand replaces every {name} of s with the world's id of that name.
func (w *world) expand(s string) string {
	for k, v := range w.ids {
		s = strings.ReplaceAll(s, "{"+k+"}", v)
	}
	return s
}

// Tokens the verifier knows, besides those that fail: each is Ada's unless it says otherwise.
var testTokens = map[string]func(w *world) *keyward.Principal{
	"good":       func(w *world) *keyward.Principal { return w.token("ada", allScopes...) },
	"narrow":     func(w *world) *keyward.Principal { return w.token("ada", keyward.ScopeWriteCoreEntities) },
	"other":      func(w *world) *keyward.Principal { return w.token("bob", allScopes...) },
	"unverified": func(w *world) *keyward.Principal { return w.token("uma", allScopes...) },
	"device":     func(w *world) *keyward.Principal { return keyward.DevicePrincipal(keyward.DeviceLock, w.ids["phys1"]) },
	// the mobile API's: a phone of Ada, of Bob, of Uma; a client-credentials token with every scope
	"phone":    func(w *world) *keyward.Principal { return w.token("ada", phoneScopes...) },
	"phoneBob": func(w *world) *keyward.Principal { return w.token("bob", phoneScopes...) },
	"phoneUma": func(w *world) *keyward.Principal { return w.token("uma", phoneScopes...) },
	"service": func(w *world) *keyward.Principal {
		return keyward.TokenPrincipal(&keyward.User{ID: "svc-1", Email: keyward.ServiceUserEmail("client-1"), Kind: keyward.UserService},
			"client-1", append(phoneScopes, allScopes...))
	},
}

// phoneScopes are the mobile API's scopes.
var phoneScopes = []string{keyward.ScopeReadUser, keyward.ScopeRegisterMobiles, keyward.ScopeHandleKeys}

// allScopes is every scope of the Management API's resources.
var allScopes = []string{keyward.ScopeWriteOwnerAccounts, keyward.ScopeWriteOwnerPermissions, keyward.ScopeWriteCoreEntities,
	keyward.ScopeWriteGrants, keyward.ScopeWriteIPUsers}

// token is the principal of a token of client "client-1" for the user the world calls name.
func (w *world) token(name string, scopes ...string) *keyward.Principal {
	return keyward.TokenPrincipal(w.users[name], "client-1", scopes)
}

// VerifyAccessToken implements keyward.TokenVerifier for the world's tokens. Of the others,
// "expired" and any unknown token get the domain's 401s, "broken" fails with an internal error,
// "panic" and "abort" panic, the latter with http.ErrAbortHandler.
func (w *world) VerifyAccessToken(_ context.Context, token, _ string) (*keyward.Principal, error) {
	if p, ok := testTokens[token]; ok {
		return p(w), nil
	}
	switch token {
	case "expired":
		return nil, keyward.ErrExpiredToken.WithDetails("the token expired at 2026-01-02T03:04:05.000Z")
	case "broken":
		return nil, errors.New("signing keys unavailable: connection refused")
	case "panic":
		panic("boom")
	case "abort":
		panic(http.ErrAbortHandler)
	}
	return nil, keyward.ErrInvalidToken.WithDetails("the token signature does not verify")
}
