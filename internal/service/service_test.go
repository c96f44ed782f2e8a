package service_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/service"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

var ctx = context.Background()

// op is the operator's context, which the operator use cases need.
var op = keyward.NewContextWithPrincipal(ctx, keyward.Operator())

// as is the context of u holding scopes.
func as(u *keyward.User, scopes ...string) context.Context { return apitest.AsUser(ctx, u, scopes...) }

// must takes a call's results and returns a check that fails t on an error: must(f())(t).
func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func TestService_CreateOwner(t *testing.T) {
	for _, engine := range sqltest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			s := service.New(sqltest.Open(t, engine), service.Config{})
			verified := must(s.CreateUser(op, keyward.UserCreate{Email: "ada@example.com", Verified: true}))(t)
			unverified := must(s.CreateUser(op, keyward.UserCreate{Email: "bob@example.com", Verified: false}))(t)

			t.Run("OK", func(t *testing.T) {
				o := must(s.CreateOwner(as(verified, keyward.ScopeWriteOwnerAccounts), keyward.OwnerCreate{Name: "Home"}))(t)
				if o.Name != "Home" || !o.Active {
					t.Fatalf("owner = %+v", o)
				}
				perms := must(s.FindPermissions(as(verified, keyward.ScopeReadOwnerPermissions), o.ID, nil))(t)
				if len(perms) != 1 || perms[0].Role != keyward.RoleOwner {
					t.Fatalf("permissions = %+v", perms)
				}
				owners := must(s.FindOwners(as(verified, keyward.ScopeReadOwnerAccounts), nil))(t)
				if len(owners) != 1 || owners[0].ID != o.ID {
					t.Fatalf("owners = %+v", owners)
				}
			})
			t.Run("ErrEmailNotVerified", func(t *testing.T) {
				_, err := s.CreateOwner(as(unverified, keyward.ScopeWriteOwnerAccounts), keyward.OwnerCreate{Name: "Bob's"})
				e := keyward.ErrorOf(err)
				if !errors.Is(err, keyward.ErrEmailNotVerified) || e.Details != `user "`+unverified.ID+`" must verify the address "bob@example.com" before creating an owner account` {
					t.Fatalf("err = %v", err)
				}
			})
			t.Run("ErrInsufficientScope", func(t *testing.T) {
				_, err := s.CreateOwner(as(verified, keyward.ScopeReadOwnerAccounts), keyward.OwnerCreate{Name: "x"})
				if e := keyward.ErrorOf(err); e == nil || e.Kind != keyward.KindUnauthorized || e.Challenge["scope"] != keyward.ScopeWriteOwnerAccounts {
					t.Fatalf("err = %v", err)
				}
			})
			t.Run("ErrNoPrincipal", func(t *testing.T) {
				if _, err := s.FindOwners(ctx, nil); !errors.Is(err, keyward.ErrNoToken) {
					t.Fatalf("err = %v", err)
				}
			})
		})
	}
}

// TestService_LastOwnerUnderConcurrency removes two Owner permissions at once, many times: the
// owner lock lets at most one of the two removals through, so an account never loses its last
// Owner.
func TestService_LastOwnerUnderConcurrency(t *testing.T) {
	for _, engine := range sqltest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			s := service.New(sqltest.Open(t, engine), service.Config{})
			for round := range 5 {
				a := must(s.CreateUser(op, keyward.UserCreate{Email: "a" + string(rune('0'+round)) + "@example.com", Verified: true}))(t)
				b := must(s.CreateUser(op, keyward.UserCreate{Email: "b" + string(rune('0'+round)) + "@example.com", Verified: true}))(t)
				o := must(s.RegisterOwner(op, keyward.OwnerRegistration{Name: "Shared", OwnerEmail: a.Email}))(t)
				aCtx := as(a, keyward.ScopeWriteOwnerPermissions, keyward.ScopeWriteCoreEntities)
				c := must(s.CreateContact(aCtx, o.ID, keyward.ContactCreate{Identifier: &b.Email}))(t)
				must(s.CreatePermission(aCtx, o.ID, keyward.PermissionCreate{ContactID: c.ID, Role: keyward.RoleOwner}))(t)
				perms := must(s.FindPermissions(aCtx, o.ID, nil))(t)
				var wg sync.WaitGroup
				errs := make([]error, len(perms))
				for i, p := range perms {
					wg.Add(1)
					go func() {
						defer wg.Done()
						// each Owner removes the other's permission... or its own; both are Owners now
						errs[i] = s.DeletePermission(aCtx, o.ID, p.ID)
					}()
				}
				wg.Wait()
				ok, refused := 0, 0
				for _, err := range errs {
					switch {
					case err == nil:
						ok++
					case errors.Is(err, keyward.ErrLastOwner), errors.Is(err, keyward.ErrForbidden):
						refused++
					default:
						t.Fatalf("unexpected error: %v", err)
					}
				}
				left, err := s.FindPermissions(as(b, keyward.ScopeReadOwnerPermissions), o.ID, nil)
				if ok == 2 || refused == 0 {
					t.Fatalf("round %d: %d removals succeeded, %d refused; the account lost its last Owner (%v, %v)", round, ok, refused, left, err)
				}
			}
		})
	}
}

func TestService_CreateClientRole(t *testing.T) {
	for _, engine := range sqltest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			s := service.New(sqltest.Open(t, engine), service.Config{})
			ada := must(s.CreateUser(op, keyward.UserCreate{Email: "ada@example.com", Verified: true}))(t)
			o := must(s.RegisterOwner(op, keyward.OwnerRegistration{Name: "Home", OwnerEmail: ada.Email}))(t)
			spec := func(name string, role keyward.Role) keyward.ClientCreate {
				return keyward.ClientCreate{Name: name, GrantTypes: []string{keyward.GrantClientCredentials},
					Scopes: []string{keyward.ScopeWriteOwnerPermissions}, AdminOf: o.ID, Role: role}
			}
			for _, tt := range []struct {
				name string
				role keyward.Role
				want keyward.Role
			}{{"DefaultAdmin", "", keyward.RoleAdmin}, {"Owner", keyward.RoleOwner, keyward.RoleOwner}} {
				t.Run(tt.name, func(t *testing.T) {
					must2(s.CreateClient(op, spec(tt.name, tt.role)))(t)
					perms := must(s.FindPermissions(as(ada, keyward.ScopeReadOwnerPermissions), o.ID, nil))(t)
					if got := perms[len(perms)-1].Role; got != tt.want { // the newest is the service user's
						t.Fatalf("the service user's role is %q, want %q; permissions %+v", got, tt.want, perms)
					}
				})
			}
			t.Run("ErrUnknownRole", func(t *testing.T) {
				_, _, err := s.CreateClient(op, spec("x", "Janitor"))
				if e := keyward.ErrorOf(err); e == nil || e.Kind != keyward.KindInvalid || e.Details != `unknown role "Janitor"; a client's service user is an Admin or an Owner` {
					t.Fatalf("err = %v", err)
				}
			})
		})
	}
}

// must2 is must for calls with two results.
func must2[T, U any](v T, w U, err error) func(t *testing.T) (T, U) {
	return func(t *testing.T) (T, U) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v, w
	}
}

// TestService_FindAdministrators: every permission of the account with its contact, in the
// permissions' order; the caller needs the scopes of both and a role on the account.
func TestService_FindAdministrators(t *testing.T) {
	for _, engine := range sqltest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			s := service.New(sqltest.Open(t, engine), service.Config{})
			ada := must(s.CreateUser(op, keyward.UserCreate{Email: "ada@example.com", Verified: true}))(t)
			bob := must(s.CreateUser(op, keyward.UserCreate{Email: "bob@example.com", Verified: true}))(t)
			carl := must(s.CreateUser(op, keyward.UserCreate{Email: "carl@example.com", Verified: true}))(t)
			both := []string{keyward.ScopeReadOwnerPermissions, keyward.ScopeReadCoreEntities}
			o := must(s.CreateOwner(as(ada, keyward.ScopeWriteOwnerAccounts), keyward.OwnerCreate{Name: "Home"}))(t)
			email := bob.Email
			c := must(s.CreateContact(as(ada, keyward.ScopeWriteCoreEntities), o.ID, keyward.ContactCreate{Identifier: &email}))(t)
			must(s.CreatePermission(as(ada, keyward.ScopeWriteOwnerPermissions), o.ID, keyward.PermissionCreate{ContactID: c.ID, Role: keyward.RoleAdmin}))(t)

			perms := must(s.FindPermissions(as(ada, both...), o.ID, nil))(t)
			admins := must(s.FindAdministrators(as(ada, both...), o.ID))(t)
			var got, want []string
			for _, a := range admins {
				got = append(got, a.Permission.ID+" "+string(a.Permission.Role)+" "+*a.Contact.Identifier)
			}
			for _, p := range perms {
				contact := must(s.FindContact(as(ada, both...), o.ID, p.ContactID))(t)
				want = append(want, p.ID+" "+string(p.Role)+" "+*contact.Identifier)
			}
			if len(want) != 2 || fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("administrators %q, want %q (the two permissions with their contacts)", got, want)
			}
			for _, refused := range []struct {
				name string
				ctx  context.Context
				want string
			}{
				{"without the contacts' scope", as(ada, keyward.ScopeReadOwnerPermissions), keyward.InsufficientScope(keyward.ScopeReadCoreEntities).Error()},
				{"without the permissions' scope", as(ada, keyward.ScopeReadCoreEntities), keyward.InsufficientScope(keyward.ScopeReadOwnerPermissions).Error()},
				{"of no role on the account", as(carl, both...), keyward.ErrForbidden.WithDetails("the caller has no permission on owner account %q", o.ID).Error()},
			} {
				if _, err := s.FindAdministrators(refused.ctx, o.ID); err == nil || err.Error() != refused.want {
					t.Errorf("a caller %s: %v, want %s", refused.name, err, refused.want)
				}
			}
		})
	}
}
