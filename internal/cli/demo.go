package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/template"

	"github.com/keyward/keyward/internal/app"
	"github.com/keyward/keyward/internal/config"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
	"github.com/keyward/keyward/internal/oauth"
	"github.com/keyward/keyward/internal/service"
)

// demoScopes are the scopes of the demo's client: everything the Management API offers today.
// The client is made Owner of the demo account, so that each of them works there, including
// write:owneraccount:permissions, which only an Owner may use.
var demoScopes = []string{
	keyward.ScopeReadOwnerAccounts, keyward.ScopeWriteOwnerAccounts, keyward.ScopeWriteCoreEntities,
	keyward.ScopeWriteOwnerPermissions, keyward.ScopeWriteGrants, keyward.ScopeReadLogs, keyward.ScopeWriteIPUsers,
}

// demoEmail is the demo account's owner; a database that has this user holds demo data already.
const demoEmail = "owner@demo.keyward.invalid"

func runDemo(ctx context.Context, env Env, args []string) error {
	cfg, kept, err := demoConfig(env, args)
	if err != nil {
		return err
	}
	if !kept {
		dir, err := os.MkdirTemp("", "keyward-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir) // deferred first, so it runs after the store is closed
		cfg.DB = "sqlite:" + filepath.Join(dir, "keyward.db")
	}
	m := &app.Main{Config: cfg, Logger: newLogger(env, cfg), Console: env.Stderr}
	defer m.Close()
	if err := m.Open(ctx); err != nil {
		return err
	}
	d, err := seedDemo(keyward.NewContextWithPrincipal(ctx, keyward.Operator()), m.Services)
	if errors.Is(err, keyward.ErrEmailAddressInUse) {
		return fmt.Errorf("the database %s holds demo data already: serve it again with `keyward serve --db %s`, or give the demo a new --db",
			cfg.DB, shellQuote(cfg.DB))
	}
	if err != nil {
		return err
	}
	d.base, d.addr, d.db, d.kept = m.Config.Issuer, m.Addr(), cfg.DB, kept
	if err := printDemo(env.Stdout, d); err != nil {
		return err
	}
	return m.Run(ctx)
}

// demoConfig parses the demo's flags. kept reports whether --db was given: then the demo uses
// and keeps that database. KEYWARD_DB is ignored, so that the demo never seeds a server's
// database only because the variable is set in the shell.
func demoConfig(env Env, args []string) (cfg config.Config, kept bool, err error) {
	var fs *flag.FlagSet
	cfg, err = loadConfig(env, "demo", args, func(f *flag.FlagSet) {
		fs = f
		db := f.Lookup("db")
		db.DefValue = "" // the server's default file is not the demo's
		db.Usage = "keep the demo in this database: sqlite:FILE or postgres://... " +
			"(default: a temporary SQLite file, deleted on exit; KEYWARD_DB is ignored)"
	})
	if err != nil {
		return cfg, false, err
	}
	fs.Visit(func(f *flag.Flag) { kept = kept || f.Name == "db" })
	return cfg, kept, nil
}

// demoData is what the demo prints.
type demoData struct {
	email, password, ownerID, clientID, secret, lockTitle string
	base, addr, db                                        string
	kept                                                  bool
}

// seedDemo creates, as the operator, a user who owns an account with a bound lock, a contact,
// and a client-credentials client that is Owner of the account too.
func seedDemo(ctx context.Context, s keyward.Services) (*demoData, error) {
	d := &demoData{email: demoEmail, password: randomPassword(), lockTitle: "Front Door"}
	hash, err := service.HashPassword(d.password)
	if err != nil {
		return nil, err
	}
	u, err := s.Users.CreateUser(ctx, keyward.UserCreate{Email: d.email, PasswordHash: hash, Verified: true})
	if err != nil {
		return nil, err
	}
	o, err := s.Owners.RegisterOwner(ctx, keyward.OwnerRegistration{Name: "Demo Home", OwnerEmail: u.Email})
	if err != nil {
		return nil, err
	}
	d.ownerID = o.ID
	var secretHash string
	d.secret, secretHash = oauth.NewClientSecret()
	c, _, err := s.Clients.CreateClient(ctx, keyward.ClientCreate{Name: "Demo integration", SecretHash: secretHash,
		GrantTypes: []string{keyward.GrantClientCredentials}, Scopes: demoScopes, AdminOf: o.ID, Role: keyward.RoleOwner})
	if err != nil {
		return nil, err
	}
	d.clientID = c.ID
	return d, seedDemoLock(ctx, s, u, o.ID, d.lockTitle)
}

// seedDemoLock registers the demo's lock as the operator, then binds it and adds a contact as
// the owner, signed in.
func seedDemoLock(ctx context.Context, s keyward.Services, u *keyward.User, ownerID, title string) error {
	lock, code, err := s.Locks.RegisterLock(ctx, keyward.PhysicalLockCreate{DevicePublicKey: demoDeviceKey(), LockTypeID: "TK.Td30", ProtocolVersion: lockproto.ProtocolLatest,
		TimeZone: "Europe/Vienna", TimeRestrictionSupport: true})
	if err != nil {
		return err
	}
	actx := keyward.NewContextWithPrincipal(ctx, keyward.SessionPrincipal(u))
	if _, err := s.Locks.BindLock(actx, ownerID, keyward.BindLockRequest{PhysicalLockID: lock.ID, BindingCode: code, Title: &title}); err != nil {
		return err
	}
	guest, guestTitle := "guest@demo.keyward.invalid", "Guest"
	_, err = s.Contacts.CreateContact(actx, ownerID, keyward.ContactCreate{Identifier: &guest, Title: &guestTitle})
	return err
}

func randomPassword() string {
	secret, _ := oauth.NewClientSecret()
	return secret[:16]
}

// demoText is the demo's guide. Every command in it is complete: the values, including --db,
// are filled in, so that the admin commands reach the demo's database and no other.
const demoText = `Keyward demo is running at {{.Base}}.

Database: {{.DB}}
{{if .Kept}}  It is kept when the demo stops; serve it again with
    keyward serve --db {{q .DB}} --addr {{.Addr}}
{{else}}  A temporary file, deleted when the demo stops (give the demo --db sqlite:FILE to keep it).
{{end}}
  owner account   {{.OwnerID}}  "Demo Home", with the lock {{printf "%q" .LockTitle}} and a contact
  client id       {{.ClientID}}
  client secret   {{.Secret}}
  client scopes   {{.Scopes}}
  client role     Owner of "Demo Home", so every scope above works there
  portal user     {{.Email}} / {{.Password}}  (sign in at {{.Base}}/account/login)

Fetch a token with all of the client's scopes and list the account's locks:

  TOKEN=$(curl -s -u {{q (print .ClientID ":" .Secret)}} -d grant_type=client_credentials \
    --data-urlencode {{q (print "scope=" .Scopes)}} {{.Base}}/connect/token | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
  curl -s -w '\n' -H "Authorization: Bearer $TOKEN" {{.Base}}/api/v1/Owners/{{.OwnerID}}/BoundLocks

Register another lock, bind it with its binding code and sync it as the lock would. The commands
work on the demo's database and server while the demo runs; they need keyward on your PATH (in the repository:
go build -o keyward ./cmd/keyward && export PATH="$PWD:$PATH"):

  keyward admin lock register --db {{q .DB}}
  curl -s -w '\n' -X PUT -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d '{"physicalLockId":"PHYSICAL_LOCK_ID","bindingCode":"BINDING_CODE","title":"Back Door"}' \
    {{.Base}}/api/v1/Owners/{{.OwnerID}}/BoundLocks
  keyward device sync --base {{q .Base}} --physical-lock-id PHYSICAL_LOCK_ID --device-key DEVICE_KEY_SEED --binding-code BINDING_CODE

PHYSICAL_LOCK_ID, BINDING_CODE and DEVICE_KEY_SEED are what lock register prints. The walk-through in README.md goes
on from here (contacts, grants, access checks, revocation); it reads these shell variables:

  export BASE={{q .Base}}
  export DB={{q .DB}}
  export OWNER={{q .OwnerID}}
  export CLIENT_ID={{q .ClientID}}
  export CLIENT_SECRET={{q .Secret}}
  export SCOPES={{q .Scopes}}

Press Ctrl-C to stop.
`

// printDemo writes the guide.
func printDemo(w io.Writer, d *demoData) error {
	t, err := template.New("demo").Funcs(template.FuncMap{"q": shellQuote}).Parse(demoText)
	if err != nil {
		return err
	}
	return t.Execute(w, map[string]any{"Base": d.base, "Addr": d.addr, "DB": d.db, "Kept": d.kept, "OwnerID": d.ownerID,
		"LockTitle": d.lockTitle, "ClientID": d.clientID, "Secret": d.secret, "Scopes": strings.Join(demoScopes, " "),
		"Email": d.email, "Password": d.password})
}

// shellQuote quotes s for a POSIX shell, leaving words that need no quotes as they are.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./_-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// demoDeviceKey is the public half of a device key for the demo's lock.
func demoDeviceKey() []byte {
	pub, _ := lockproto.NewDeviceKey()
	return pub
}
