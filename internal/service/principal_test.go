package service_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/service"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

// principalWorld is what TestPrincipals runs on: Ada is the Owner of an account with a bound
// lock and manages one client; Bob administers nothing; a second lock is registered, unbound.
type principalWorld struct {
	s                *service.Service
	ada, bob         *keyward.User
	ownerID          string
	lock, otherLock  string // physical lock ids
	adaClient, other string // client ids: Ada's, and one that no user manages
}

func newPrincipalWorld(t *testing.T, s *service.Service) *principalWorld {
	w := &principalWorld{s: s}
	w.ada = must(s.CreateUser(op, keyward.UserCreate{Email: "ada@example.com", Verified: true}))(t)
	w.bob = must(s.CreateUser(op, keyward.UserCreate{Email: "bob@example.com", Verified: true}))(t)
	w.ownerID = must(s.RegisterOwner(op, keyward.OwnerRegistration{Name: "Home", OwnerEmail: w.ada.Email}))(t).ID
	lock, code := must2(s.RegisterLock(op, keyward.PhysicalLockCreate{DevicePublicKey: apitest.DeviceKey(), LockTypeID: "TK.Td30", ProtocolVersion: 3, TimeZone: "Europe/Vienna"}))(t)
	must(s.BindLock(keyward.NewContextWithPrincipal(ctx, keyward.SessionPrincipal(w.ada)), w.ownerID,
		keyward.BindLockRequest{PhysicalLockID: lock.ID, BindingCode: code}))(t)
	other, _ := must2(s.RegisterLock(op, keyward.PhysicalLockCreate{DevicePublicKey: apitest.DeviceKey(), LockTypeID: "TK.Td30", ProtocolVersion: 3, TimeZone: "Europe/Vienna"}))(t)
	w.lock, w.otherLock = lock.ID, other.ID
	c, _ := must2(s.CreateClient(op, keyward.ClientCreate{Name: "Ada's app", GrantTypes: []string{keyward.GrantAuthorizationCode},
		RedirectURIs: []string{"https://app.example/cb"}, OwnerEmail: w.ada.Email}))(t)
	w.adaClient = c.ID
	c, _ = must2(s.CreateClient(op, keyward.ClientCreate{Name: "Integration", GrantTypes: []string{keyward.GrantClientCredentials}}))(t)
	w.other = c.ID
	return w
}

// useCaseCall is one use case of each kind, called with the principal in ctx; it answers the
// error only, since TestPrincipals asks whether the caller got through.
type useCaseCall struct {
	name string
	call func(ctx context.Context, w *principalWorld) error
}

var principalUseCases = []useCaseCall{
	{"Management", func(ctx context.Context, w *principalWorld) error {
		_, err := w.s.FindBoundLocks(ctx, w.ownerID, nil)
		return err
	}},
	{"ManagementOwnerRole", func(ctx context.Context, w *principalWorld) error {
		return w.s.DeletePermission(ctx, w.ownerID, "nope") // past the checks, the permission is not found
	}},
	{"User", func(ctx context.Context, w *principalWorld) error {
		_, err := w.s.FindOwners(ctx, nil)
		return err
	}},
	{"Operator", func(ctx context.Context, w *principalWorld) error {
		_, err := w.s.RegisterCard(ctx, 1)
		return err
	}},
	{"Clients", func(ctx context.Context, w *principalWorld) error {
		_, err := w.s.FindClients(ctx)
		return err
	}},
	{"OwnClient", func(ctx context.Context, w *principalWorld) error {
		_, err := w.s.UpdateClient(ctx, w.adaClient, keyward.ClientUpdate{})
		return err
	}},
	{"OthersClient", func(ctx context.Context, w *principalWorld) error {
		return w.s.DeleteClient(ctx, w.other)
	}},
}

// refusal is the error a use case answers a caller it is not open to: its sentinel and the
// exact details. A nil sentinel means the call succeeds.
type refusal struct {
	err     *keyward.Error
	details string
}

// TestPrincipals calls one use case of each kind as each kind of principal: a token (scopes,
// then the user's permissions), a session (the user's permissions, no scopes), a device (none
// of these), the operator (operator use cases, any client).
func TestPrincipals(t *testing.T) {
	for _, engine := range sqltest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			w := newPrincipalWorld(t, service.New(sqltest.Open(t, engine), service.Config{}))
			noCaller := refusal{keyward.ErrNoToken, "the request carries no authenticated caller"}
			forbidden := func(format string, a ...any) refusal { return refusal{keyward.ErrForbidden, fmt.Sprintf(format, a...)} }
			scope := func(s string) refusal {
				return refusal{keyward.ErrInsufficientScope, fmt.Sprintf("the operation requires the scope %q", s)}
			}
			token := fmt.Sprintf("a token of client %q for user %q", "c1", w.ada.ID)
			adaSession, bobSession := fmt.Sprintf("the session of user %q", w.ada.ID), fmt.Sprintf("the session of user %q", w.bob.ID)
			device, otherDevice := fmt.Sprintf("lock %q", w.lock), fmt.Sprintf("lock %q", w.otherLock)
			const user, operator, clients = "a user (with a token or a session)", "the operator", "the operator or a signed-in user"
			noPermission := refusal{keyward.ErrNotFound, `permission "nope" does not exist`}
			notAdaClient := refusal{keyward.ErrNotFound, fmt.Sprintf("user %q manages no client %q", w.ada.Email, w.other)}

			tests := []struct {
				name      string
				principal *keyward.Principal // nil: none in ctx
				want      map[string]refusal // by use case; absent means ok
			}{
				{name: "None", want: map[string]refusal{"Management": noCaller, "ManagementOwnerRole": noCaller, "User": noCaller,
					"Operator": noCaller, "Clients": noCaller, "OwnClient": noCaller, "OthersClient": noCaller}},
				{name: "UnknownKind", principal: &keyward.Principal{UserID: w.ada.ID}, want: map[string]refusal{"Management": noCaller,
					"ManagementOwnerRole": noCaller, "User": noCaller, "Operator": noCaller, "Clients": noCaller,
					"OwnClient": noCaller, "OthersClient": noCaller}},
				{name: "Token", principal: keyward.TokenPrincipal(w.ada, "c1", []string{keyward.ScopeReadCoreEntities, keyward.ScopeReadOwnerAccounts,
					keyward.ScopeWriteOwnerPermissions}), want: map[string]refusal{
					"ManagementOwnerRole": noPermission,
					"Operator":            forbidden("%s cannot register a card; only %s can", token, operator),
					"Clients":             forbidden("%s cannot list clients; only %s can", token, clients),
					"OwnClient":           forbidden("%s cannot change a client; only %s can", token, clients),
					"OthersClient":        forbidden("%s cannot delete a client; only %s can", token, clients)}},
				{name: "TokenWithoutScope", principal: keyward.TokenPrincipal(w.ada, "c1", []string{keyward.ScopeReadGrants}), want: map[string]refusal{
					"Management":          scope(keyward.ScopeReadCoreEntities),
					"ManagementOwnerRole": scope(keyward.ScopeWriteOwnerPermissions),
					"User":                scope(keyward.ScopeReadOwnerAccounts),
					"Operator":            forbidden("%s cannot register a card; only %s can", token, operator),
					"Clients":             forbidden("%s cannot list clients; only %s can", token, clients),
					"OwnClient":           forbidden("%s cannot change a client; only %s can", token, clients),
					"OthersClient":        forbidden("%s cannot delete a client; only %s can", token, clients)}},
				{name: "Session", principal: keyward.SessionPrincipal(w.ada), want: map[string]refusal{
					"ManagementOwnerRole": noPermission,
					"Operator":            forbidden("%s cannot register a card; only %s can", adaSession, operator),
					"OthersClient":        notAdaClient}},
				{name: "SessionWithoutPermission", principal: keyward.SessionPrincipal(w.bob), want: map[string]refusal{
					"Management":          forbidden("the caller has no permission on owner account %q", w.ownerID),
					"ManagementOwnerRole": forbidden("the caller has no permission on owner account %q", w.ownerID),
					"Operator":            forbidden("%s cannot register a card; only %s can", bobSession, operator),
					"OwnClient":           {keyward.ErrNotFound, fmt.Sprintf("user %q manages no client %q", w.bob.Email, w.adaClient)},
					"OthersClient":        {keyward.ErrNotFound, fmt.Sprintf("user %q manages no client %q", w.bob.Email, w.other)}}},
				{name: "Device", principal: keyward.DevicePrincipal(keyward.DeviceLock, w.lock), want: map[string]refusal{
					"Management":          forbidden("%s acts only as itself and cannot list the bound locks; only %s can", device, user),
					"ManagementOwnerRole": forbidden("%s acts only as itself and cannot remove a permission; only %s can", device, user),
					"User":                forbidden("%s acts only as itself and cannot list the owner accounts; only %s can", device, user),
					"Operator":            forbidden("%s acts only as itself and cannot register a card; only %s can", device, operator),
					"Clients":             forbidden("%s acts only as itself and cannot list clients; only %s can", device, clients),
					"OwnClient":           forbidden("%s acts only as itself and cannot change a client; only %s can", device, clients),
					"OthersClient":        forbidden("%s acts only as itself and cannot delete a client; only %s can", device, clients)}},
				{name: "OtherDevice", principal: keyward.DevicePrincipal(keyward.DeviceLock, w.otherLock), want: map[string]refusal{
					"Management":          forbidden("%s acts only as itself and cannot list the bound locks; only %s can", otherDevice, user),
					"ManagementOwnerRole": forbidden("%s acts only as itself and cannot remove a permission; only %s can", otherDevice, user),
					"User":                forbidden("%s acts only as itself and cannot list the owner accounts; only %s can", otherDevice, user),
					"Operator":            forbidden("%s acts only as itself and cannot register a card; only %s can", otherDevice, operator),
					"Clients":             forbidden("%s acts only as itself and cannot list clients; only %s can", otherDevice, clients),
					"OwnClient":           forbidden("%s acts only as itself and cannot change a client; only %s can", otherDevice, clients),
					"OthersClient":        forbidden("%s acts only as itself and cannot delete a client; only %s can", otherDevice, clients)}},
				{name: "Operator", principal: keyward.Operator(), want: map[string]refusal{
					"Management":          forbidden("the operator cannot list the bound locks; only %s can", user),
					"ManagementOwnerRole": forbidden("the operator cannot remove a permission; only %s can", user),
					"User":                forbidden("the operator cannot list the owner accounts; only %s can", user)}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					pctx := ctx
					if tt.principal != nil {
						pctx = keyward.NewContextWithPrincipal(ctx, tt.principal)
					}
					for _, uc := range principalUseCases {
						t.Run(uc.name, func(t *testing.T) {
							checkRefusal(t, uc.call(pctx, w), tt.want[uc.name])
						})
					}
				})
			}
		})
	}
}

// checkRefusal fails t unless err is want: nil for a success, else the sentinel and details.
func checkRefusal(t *testing.T, err error, want refusal) {
	t.Helper()
	if want.err == nil {
		if err != nil {
			t.Fatalf("err = %v, want success", err)
		}
		return
	}
	e := keyward.ErrorOf(err)
	if !errors.Is(err, want.err) || e.Details != want.details {
		t.Fatalf("err = %v (details %q), want %q with details %q", err, detailsOf(e), want.err.Message, want.details)
	}
}

func detailsOf(e *keyward.Error) string {
	if e == nil {
		return ""
	}
	return e.Details
}

// TestService_CreateClientAsUser: a signed-in user registers clients the user manages, and may
// neither name another manager nor make the service user an administrator.
func TestService_CreateClientAsUser(t *testing.T) {
	for _, engine := range sqltest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			w := newPrincipalWorld(t, service.New(sqltest.Open(t, engine), service.Config{}))
			session := keyward.NewContextWithPrincipal(ctx, keyward.SessionPrincipal(w.ada))
			spec := keyward.ClientCreate{Name: "Script", SecretHash: "0123abcd", GrantTypes: []string{keyward.GrantClientCredentials}, Scopes: []string{keyward.ScopeReadGrants}}
			t.Run("OK", func(t *testing.T) {
				c, svcUser := must2(w.s.CreateClient(session, spec))(t)
				if c.OwnerUserID == nil || *c.OwnerUserID != w.ada.ID || svcUser == nil {
					t.Fatalf("client = %+v, service user %+v; want one Ada manages, with a service user", c, svcUser)
				}
				var ids []string
				for _, c := range must(w.s.FindClients(session))(t) {
					ids = append(ids, c.ID)
				}
				if len(ids) != 2 || ids[0] != w.adaClient || ids[1] != c.ID {
					t.Fatalf("Ada's clients = %v, want [%s %s]", ids, w.adaClient, c.ID)
				}
			})
			details := fmt.Sprintf("the session of user %q registers clients it manages itself; only the operator names a client's manager or makes its service user an administrator", w.ada.ID)
			for name, spec := range map[string]keyward.ClientCreate{
				"ErrAdminOf":    {Name: "x", GrantTypes: spec.GrantTypes, AdminOf: w.ownerID},
				"ErrOwnerEmail": {Name: "x", GrantTypes: spec.GrantTypes, OwnerEmail: w.bob.Email},
			} {
				t.Run(name, func(t *testing.T) {
					_, _, err := w.s.CreateClient(session, spec)
					checkRefusal(t, err, refusal{keyward.ErrForbidden, details})
				})
			}
			for name, c := range map[string]struct {
				spec    keyward.ClientCreate
				details string
			}{
				"ErrTokenExchange": {keyward.ClientCreate{Name: "x", SecretHash: "h", GrantTypes: []string{keyward.GrantTokenExchange}},
					`field "grantTypes": a user's client may use authorization_code, refresh_token, client_credentials, not "http://tapkey.net/oauth/token_exchange"`},
				"ErrNoGrantType":             {keyward.ClientCreate{Name: "x", SecretHash: "h"}, `field "grantTypes": choose at least one grant type`},
				"ErrConfidentialNoSecret":    {keyward.ClientCreate{Name: "x", GrantTypes: spec.GrantTypes}, `field "public": a confidential client needs a secret`},
				"ErrPublicWithSecret":        {keyward.ClientCreate{Name: "x", Public: true, SecretHash: "h", GrantTypes: []string{keyward.GrantRefreshToken}}, `field "public": a public client has no secret`},
				"ErrPublicClientCredentials": {keyward.ClientCreate{Name: "x", Public: true, GrantTypes: spec.GrantTypes}, `field "grantTypes": a public client cannot use client_credentials, which needs a secret`},
			} {
				t.Run(name, func(t *testing.T) {
					_, _, err := w.s.CreateClient(session, c.spec)
					checkRefusal(t, err, refusal{keyward.ErrInvalid, c.details})
				})
			}
		})
	}
}
