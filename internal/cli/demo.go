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
	return serveDemo(ctx, env.Stdout, m, d)
}

// serveDemo serves until ctx ends, while the guide is printed and the fleet plays against the
// server; a fleet that fails stops the server, as the demo would mislead with half a fleet.
func serveDemo(ctx context.Context, w io.Writer, m *app.Main, d *demoData) error {
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- m.Run(ctx) }()
	if err := showDemo(ctx, w, m, d); err != nil && ctx.Err() == nil {
		stop()
		<-served
		return err
	}
	return <-served
}

// showDemo prints the guide, plays the fleet against the running server, printing its
// timeline, and says where to look at what it did.
func showDemo(ctx context.Context, w io.Writer, m *app.Main, d *demoData) error {
	if err := printDemo(w, demoText, d, nil); err != nil {
		return err
	}
	if err := printDemo(w, demoFleetText, d, nil); err != nil {
		return err
	}
	f, err := runDemoFleet(ctx, keyward.NewContextWithPrincipal(ctx, keyward.Operator()), m.Services, d, m.Now(), w)
	if err != nil {
		return err
	}
	return printDemo(w, demoLookText, d, f)
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
	email, password, ownerID, clientID, secret string
	base, addr, db                             string
	kept                                       bool
}

// seedDemo creates, as the operator, a user who owns an account and a client-credentials client
// that is Owner of the account too. The fleet (runDemoFleet) brings the locks, contacts and
// grants.
func seedDemo(ctx context.Context, s keyward.Services) (*demoData, error) {
	d := &demoData{email: demoEmail, password: randomPassword()}
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
	return d, nil
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
  owner account   {{.OwnerID}}  "Demo Home", with the simulated fleet below
  client id       {{.ClientID}}
  client secret   {{.Secret}}
  client scopes   {{.Scopes}}
  client role     Owner of "Demo Home", so every scope above works there
  portal user     {{.Email}} / {{.Password}}  (sign in at {{.Base}}/portal/)

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

`

// demoFleetText introduces the fleet's timeline, which follows it.
const demoFleetText = `The fleet: simulated locks and phones play the next weekday in "Demo Home" over the public
wire, as real ones do (the scenario internal/cli/demo.sim, seed 1): the locks front-door and garage;
Ana's phone with a grant for the front door on weekday mornings, Ben's with grants for both
locks at any time. Ana is denied before and after her window, the locks sync their logs and
health through Ben's phone, then Ben's front-door grant is revoked while his phone keeps its key:
the front door has not synced since, so the grant stays RevocationPending. Each lock's events
are at its own clock:

`

// demoLookText says where the fleet's traces are; the walk-through in README.md shows each.
const demoLookText = `
Where to look, with $TOKEN from above (the walk-through in README.md shows every answer): the
denied openings in the account's log, the front door's health readings, what the front door
has not caught up with, and the grants' states:

  curl -s -w '\n' -G -H "Authorization: Bearer $TOKEN" --data-urlencode "\$filter=result eq 'Denied'" \
    {{.Base}}/api/v1/Owners/{{.OwnerID}}/LogEntries
  curl -s -w '\n' -H "Authorization: Bearer $TOKEN" '{{.Base}}/api/v1/Owners/{{.OwnerID}}/BoundLocks/{{.FrontDoor}}?$expand=healthStatuses'
  curl -s -w '\n' -H "Authorization: Bearer $TOKEN" {{.Base}}/api/v1/Owners/{{.OwnerID}}/BoundLocks/{{.FrontDoor}}/Propagation
  curl -s -w '\n' -H "Authorization: Bearer $TOKEN" '{{.Base}}/api/v1/Owners/{{.OwnerID}}/Grants?$select=id,state,active'

Another scenario, in an account of its own:

  keyward sim --db {{q .DB}} --base {{q .Base}} --scenario examples/front-door.sim

Press Ctrl-C to stop.
`

// printDemo writes one part of the guide; f is the fleet after its run, nil before.
func printDemo(w io.Writer, text string, d *demoData, f *demoFleet) error {
	t, err := template.New("demo").Funcs(template.FuncMap{"q": shellQuote}).Parse(text)
	if err != nil {
		return err
	}
	data := map[string]any{"Base": d.base, "Addr": d.addr, "DB": d.db, "Kept": d.kept, "OwnerID": d.ownerID,
		"ClientID": d.clientID, "Secret": d.secret, "Scopes": strings.Join(demoScopes, " "), "Email": d.email, "Password": d.password}
	if f != nil {
		data["FrontDoor"] = f.locks["front-door"]
	}
	return t.Execute(w, data)
}

// shellQuote quotes s for a POSIX shell, leaving words that need no quotes as they are.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./_-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
