package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/keyward/keyward/internal/app"
	"github.com/keyward/keyward/internal/config"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/oauth"
	"github.com/keyward/keyward/internal/service"
)

// demoScopes are the scopes of the demo's client: everything the Management API offers today.
var demoScopes = []string{
	keyward.ScopeReadOwnerAccounts, keyward.ScopeWriteOwnerAccounts, keyward.ScopeWriteCoreEntities,
	keyward.ScopeWriteOwnerPermissions, keyward.ScopeWriteGrants, keyward.ScopeReadLogs, keyward.ScopeWriteIPUsers,
}

func runDemo(ctx context.Context, env Env, args []string) error {
	cfg, err := loadConfig(env, "demo", args, nil)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "keyward-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg.DB = "sqlite:" + filepath.Join(dir, "keyward.db")
	m := &app.Main{Config: cfg, Logger: newLogger(env, cfg), Console: env.Stderr}
	defer m.Close()
	if err := m.Open(ctx); err != nil {
		return err
	}
	d, err := seedDemo(ctx, m.Service)
	if err != nil {
		return err
	}
	printDemo(env, cfg, d)
	return m.Run(ctx)
}

// demoData is what the demo prints.
type demoData struct {
	email, password, ownerID, clientID, secret, lockTitle string
}

// seedDemo creates a user who owns an account with a bound lock, a contact, and a
// client-credentials client that administers the account.
func seedDemo(ctx context.Context, s *service.Service) (*demoData, error) {
	d := &demoData{email: "owner@demo.keyward.invalid", password: randomPassword(), lockTitle: "Front Door"}
	hash, err := oauth.HashPassword(d.password)
	if err != nil {
		return nil, err
	}
	u, err := s.AdminCreateUser(ctx, d.email, hash, true)
	if err != nil {
		return nil, err
	}
	o, err := s.AdminCreateOwner(ctx, "Demo Home", u.Email, "")
	if err != nil {
		return nil, err
	}
	d.ownerID = o.ID
	var secretHash string
	d.secret, secretHash = oauth.NewClientSecret()
	c, _, err := s.AdminCreateClient(ctx, service.ClientSpec{Name: "Demo integration", SecretHash: secretHash,
		GrantTypes: []string{keyward.GrantClientCredentials}, Scopes: demoScopes, AdminOf: o.ID})
	if err != nil {
		return nil, err
	}
	d.clientID = c.ID
	lock, code, err := s.AdminRegisterLock(ctx, service.LockSpec{LockTypeID: "TK.Td30", ProtocolVersion: 3,
		TimeZone: "Europe/Vienna", TimeRestrictionSupport: true})
	if err != nil {
		return nil, err
	}
	actx := keyward.NewContextWithPrincipal(ctx, &keyward.Principal{UserID: u.ID, Email: u.Email, Kind: u.Kind,
		Scopes: []string{keyward.ScopeWriteCoreEntities}})
	if _, err := s.BindLock(actx, o.ID, keyward.BindLockRequest{PhysicalLockID: lock.ID, BindingCode: code, Title: &d.lockTitle}); err != nil {
		return nil, err
	}
	guest, title := "guest@demo.keyward.invalid", "Guest"
	if _, err := s.CreateContact(actx, o.ID, keyward.ContactCreate{Identifier: &guest, Title: &title}); err != nil {
		return nil, err
	}
	return d, nil
}

func randomPassword() string {
	secret, _ := oauth.NewClientSecret()
	return secret[:16]
}

func printDemo(env Env, cfg config.Config, d *demoData) {
	base := cfg.Issuer
	fmt.Fprintf(env.Stdout, `Keyward demo is running at %[1]s (a fresh SQLite database, deleted on exit).

  base URL        %[1]s/api/v1
  owner account   %[2]s  "Demo Home" with the lock %[7]q and a contact
  client id       %[3]s
  client secret   %[4]s
  portal user     %[5]s / %[6]s

Fetch a token and list the owner's locks:

  TOKEN=$(curl -s -u '%[3]s:%[4]s' -d grant_type=client_credentials \
    -d scope='read:core:entities' %[1]s/connect/token | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
  curl -s -H "Authorization: Bearer $TOKEN" %[1]s/api/v1/Owners/%[2]s/BoundLocks

Press Ctrl-C to stop.
`, base, d.ownerID, d.clientID, d.secret, d.email, d.password, d.lockTitle)
}
