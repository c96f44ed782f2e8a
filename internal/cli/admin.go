package cli

import (
	"context"
	"encoding/base64"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/keyward/keyward/internal/config"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
	"github.com/keyward/keyward/internal/oauth"
	"github.com/keyward/keyward/internal/service"
	"github.com/keyward/keyward/internal/sqlstore"
	"github.com/keyward/keyward/internal/token"
)

// adminFlags are the flags every admin command has.
type adminFlags struct {
	db     *string
	plans  string
	asJSON bool
}

func newAdminFlags(env Env, name string) (*flag.FlagSet, *adminFlags) {
	fs := newFlags(env, name)
	a := &adminFlags{db: dbFlag(env), plans: env.Getenv("KEYWARD_PLANS")}
	fs.StringVar(a.db, "db", *a.db, "database: sqlite:FILE or postgres://... (env KEYWARD_DB)")
	fs.StringVar(&a.plans, "plans", a.plans, "plan catalog, a JSON file (env KEYWARD_PLANS; default: the built-in plans)")
	fs.BoolVar(&a.asJSON, "json", false, "print one JSON object")
	return fs, a
}

// withService opens the store (migrating it, so that admin commands work on a new database too)
// and runs fn with the use cases over it and a context whose principal is the operator: whoever
// can open the database. It works while a server runs on the same database.
func withService(ctx context.Context, a *adminFlags, fn func(context.Context, keyward.Services) error) error {
	plans, err := config.LoadPlans(a.plans)
	if err != nil {
		return err
	}
	store, err := sqlstore.Open(ctx, *a.db)
	if err != nil {
		return err
	}
	defer store.Close()
	return fn(keyward.NewContextWithPrincipal(ctx, keyward.Operator()), service.New(store, service.Config{Plans: plans}).Services())
}

func required(name, v string) error {
	if strings.TrimSpace(v) == "" {
		return fmt.Errorf("%w: --%s is required", errUsage, name)
	}
	return nil
}

func runUserCreate(ctx context.Context, env Env, args []string) error {
	fs, a := newAdminFlags(env, "admin user create")
	email := fs.String("email", "", "e-mail address (required)")
	password := fs.String("password", "", "password, at least 8 characters (required)")
	verified := fs.Bool("verified", false, "mark the address as verified")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := firstErr(required("email", *email), required("password", *password)); err != nil {
		return err
	}
	hash, err := service.HashPassword(*password)
	if err != nil {
		return fmt.Errorf("%w: --password: %v", errUsage, err)
	}
	return withService(ctx, a, func(ctx context.Context, s keyward.Services) error {
		u, err := s.Users.CreateUser(ctx, keyward.UserCreate{Email: *email, PasswordHash: hash, Verified: *verified})
		if err != nil {
			return err
		}
		return output(env, a.asJSON, map[string]any{"id": u.ID, "email": u.Email, "verified": u.Verified},
			"user "+u.ID+" <"+u.Email+">")
	})
}

func runOwnerCreate(ctx context.Context, env Env, args []string) error {
	fs, a := newAdminFlags(env, "admin owner create")
	name := fs.String("name", "", "name of the owner account (required)")
	ownerEmail := fs.String("owner-email", "", "e-mail of the user who becomes its Owner (required)")
	plan := fs.String("plan", "", "plan of the account (default: the catalog's default plan)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := firstErr(required("name", *name), required("owner-email", *ownerEmail)); err != nil {
		return err
	}
	return withService(ctx, a, func(ctx context.Context, s keyward.Services) error {
		o, err := s.Owners.RegisterOwner(ctx, keyward.OwnerRegistration{Name: *name, OwnerEmail: *ownerEmail, Plan: *plan})
		if err != nil {
			return err
		}
		return output(env, a.asJSON, map[string]any{"id": o.ID, "name": o.Name}, "owner account "+o.ID+" "+o.Name)
	})
}

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, " ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func runClientCreate(ctx context.Context, env Env, args []string) error {
	fs, a := newAdminFlags(env, "admin client create")
	name := fs.String("name", "", "client name (required)")
	grantType := fs.String("grant-type", keyward.GrantClientCredentials, "grant type: client_credentials, authorization_code or "+keyward.GrantTokenExchange)
	scopes := fs.String("scopes", "", `space-separated scopes the client may request (required), e.g. "read:core:entities write:grants"`)
	adminOf := fs.String("admin-of", "", "make the client's service user an Admin of this owner account")
	public := fs.Bool("public", false, "public client without a secret (PKCE or token exchange)")
	ownerEmail := fs.String("owner-email", "", "the user who manages the client")
	logo := fs.String("logo-url", "", "logo shown on the consent page")
	var redirects, origins listFlag
	fs.Var(&redirects, "redirect-uri", "allowed redirect URI (repeatable)")
	fs.Var(&origins, "allowed-origin", "web origin besides those of the redirect URIs whose scripts may call the token endpoint (repeatable)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := firstErr(required("name", *name), required("scopes", *scopes)); err != nil {
		return err
	}
	switch *grantType {
	case keyward.GrantClientCredentials, keyward.GrantAuthorizationCode, keyward.GrantTokenExchange:
	default:
		return fmt.Errorf("%w: --grant-type %q is not one of client_credentials, authorization_code, %s", errUsage, *grantType, keyward.GrantTokenExchange)
	}
	if *public && *grantType == keyward.GrantClientCredentials {
		return fmt.Errorf("%w: a client_credentials client must be confidential", errUsage)
	}
	spec := keyward.ClientCreate{Name: *name, GrantTypes: []string{*grantType}, Scopes: strings.Fields(*scopes),
		RedirectURIs: redirects, Public: *public, AdminOf: *adminOf, OwnerEmail: *ownerEmail, LogoURL: *logo, AllowedOrigins: origins}
	secret := ""
	if !*public {
		secret, spec.SecretHash = oauth.NewClientSecret()
	}
	return withService(ctx, a, func(ctx context.Context, s keyward.Services) error {
		c, svcUser, err := s.Clients.CreateClient(ctx, spec)
		if err != nil {
			return err
		}
		out := map[string]any{"clientId": c.ID, "clientSecret": secret}
		lines := []string{"client id:     " + c.ID, "client secret: " + secret + "   (shown once; store it now)"}
		if svcUser != nil {
			out["serviceUserEmail"] = svcUser.Email
			lines = append(lines, "service user:  "+svcUser.Email)
		}
		return output(env, a.asJSON, out, lines...)
	})
}

func runLockRegister(ctx context.Context, env Env, args []string) error {
	fs, a := newAdminFlags(env, "admin lock register")
	spec := keyward.PhysicalLockCreate{}
	fs.StringVar(&spec.LockTypeID, "lock-type", "TK.Td30", "lock type id")
	fs.IntVar(&spec.ProtocolVersion, "protocol-version", lockproto.ProtocolLatest, "lock protocol version")
	fs.StringVar(&spec.TimeZone, "time-zone", "Europe/Vienna", "IANA time zone of the lock")
	noTR := fs.Bool("no-time-restrictions", false, "the lock does not support time restrictions")
	devKey := fs.String("device-public-key", "", "the lock's Ed25519 public key, Base64 (default: make a key pair and print its private seed once)")
	if err := parse(fs, args); err != nil {
		return err
	}
	spec.TimeRestrictionSupport = !*noTR
	seed, err := deviceKey(&spec, *devKey)
	if err != nil {
		return err
	}
	return withService(ctx, a, func(ctx context.Context, s keyward.Services) error {
		l, code, err := s.Locks.RegisterLock(ctx, spec)
		if err != nil {
			return err
		}
		out := map[string]any{"physicalLockId": l.ID, "bindingCode": code}
		lines := []string{"physical lock id: " + l.ID, "binding code:     " + code + "   (permanent, like a code printed on the lock: it binds" +
			" the lock whenever the lock is unbound; shown only now, so keep it with the lock)"}
		if seed != "" {
			out["deviceKeySeed"] = seed
			lines = append(lines, "device key seed:  "+seed+"   (the lock's private key: install it in the lock; Keyward keeps only the public half)")
		}
		return output(env, a.asJSON, out, lines...)
	})
}

// deviceKey sets the lock's device public key from the flag's Base64 text, or makes a key pair
// and returns its private seed (Base64) for the operator to install in the lock.
func deviceKey(spec *keyward.PhysicalLockCreate, flagValue string) (seed string, err error) {
	if flagValue != "" {
		if spec.DevicePublicKey, err = base64.StdEncoding.DecodeString(flagValue); err != nil {
			return "", fmt.Errorf("--device-public-key: not Base64: %w", err)
		}
		return "", nil
	}
	pub, priv := lockproto.NewDeviceKey()
	spec.DevicePublicKey = pub
	return base64.StdEncoding.EncodeToString(priv.Seed()), nil
}

func runCardRegister(ctx context.Context, env Env, args []string) error {
	fs, a := newAdminFlags(env, "admin card register")
	capacity := fs.Int("capacity", 12, "how many grants fit on the card")
	if err := parse(fs, args); err != nil {
		return err
	}
	return withService(ctx, a, func(ctx context.Context, s keyward.Services) error {
		c, err := s.Cards.RegisterCard(ctx, *capacity)
		if err != nil {
			return err
		}
		return output(env, a.asJSON, map[string]any{"physicalCardId": c.ID, "uid": c.UID},
			"physical card id: "+c.ID, "uid:              "+c.UID)
	})
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func runOwnerSetPlan(ctx context.Context, env Env, args []string) error {
	fs, a := newAdminFlags(env, "admin owner set-plan")
	id := fs.String("id", "", "owner account id (required)")
	plan := fs.String("plan", "", "plan name from the catalog (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := firstErr(required("id", *id), required("plan", *plan)); err != nil {
		return err
	}
	return withService(ctx, a, func(ctx context.Context, s keyward.Services) error {
		if err := s.Owners.SetOwnerPlan(ctx, *id, *plan); err != nil {
			return err
		}
		return output(env, a.asJSON, map[string]any{"id": *id, "plan": *plan}, "owner account "+*id+" now has the plan "+*plan)
	})
}

// runBackup writes a consistent copy of a SQLite database while servers keep running on it.
func runBackup(ctx context.Context, env Env, args []string) error {
	fs, a := newAdminFlags(env, "admin backup")
	out := fs.String("out", "", "the copy's file, which must not exist yet (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required("out", *out); err != nil {
		return err
	}
	store, err := sqlstore.Open(ctx, *a.db)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Backup(ctx, *out); err != nil {
		return err
	}
	info, err := os.Stat(*out)
	if err != nil {
		return err
	}
	return output(env, a.asJSON, map[string]any{"out": *out, "bytes": info.Size()},
		fmt.Sprintf("backed up %s to %s (%d bytes); serve it with --db sqlite:%s", *a.db, *out, info.Size(), *out))
}

// runSigningKeyRotate adds a token-signing key. Every node signs with it from its next reload of
// the keys (within a minute); the keys before it still verify and stay in the JWKS for
// token.RetireAfter, longer than any token they signed lives, then retire.
func runSigningKeyRotate(ctx context.Context, env Env, args []string) error {
	fs, a := newAdminFlags(env, "admin signing-key rotate")
	if err := parse(fs, args); err != nil {
		return err
	}
	store, err := sqlstore.Open(ctx, *a.db)
	if err != nil {
		return err
	}
	defer store.Close()
	key, err := token.NewSigningKey(time.Now())
	if err != nil {
		return err
	}
	if err := store.CreateSigningKey(ctx, key); err != nil {
		return err
	}
	retire := key.CreatedAt.Add(token.RetireAfter).UTC().Format(time.RFC3339)
	return output(env, a.asJSON, map[string]any{"kid": key.ID, "previousKeysRetireAt": retire},
		"token-signing key "+key.ID+" signs on every node within a minute; the keys before it retire at "+retire)
}
