package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"time"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/locksim"
	"github.com/keyward/keyward/internal/oauth"
	"github.com/keyward/keyward/internal/service"
)

// simFlags are the flags of keyward sim.
type simFlags struct {
	*adminFlags
	base, scenario, owner, start string
	seed                         uint64
	offline                      bool
}

func runSim(ctx context.Context, env Env, args []string) error {
	fs, a := newAdminFlags(env, "sim")
	f := &simFlags{adminFlags: a}
	fs.StringVar(&f.base, "base", "http://127.0.0.1:8080", "the running server's address")
	fs.StringVar(&f.scenario, "scenario", "", "the scenario file (required)")
	fs.Uint64Var(&f.seed, "seed", 1, "the seed of every random choice")
	fs.StringVar(&f.owner, "owner", "", "set the fleet up in this owner account (default: a new one)")
	fs.StringVar(&f.start, "start", "", "the world's start, RFC 3339 (default: now; --offline: the scenario's start line)")
	fs.BoolVar(&f.offline, "offline", false, "run without a server, against the simulator's own authority")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required("scenario", f.scenario); err != nil {
		return err
	}
	sc, err := readScenario(f.scenario)
	if err != nil {
		return err
	}
	opts, err := f.options(env, sc)
	if err != nil {
		return err
	}
	if f.offline {
		return reportSim(locksim.Run(ctx, sc, opts))
	}
	return withService(ctx, a, func(octx context.Context, s keyward.Services) error {
		owner, err := simOwner(octx, s, f.owner)
		if err != nil {
			return err
		}
		if opts.Backend, err = simRemote(ctx, octx, s, f.base, owner); err != nil {
			return err
		}
		return reportSim(locksim.Run(ctx, sc, opts))
	})
}

// readScenario parses the scenario file.
func readScenario(path string) (*locksim.Scenario, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	return locksim.ParseScenario(path, file)
}

// options are the run's options: the seed, the timeline on stdout and the start.
func (f *simFlags) options(env Env, sc *locksim.Scenario) (locksim.Options, error) {
	opts := locksim.Options{Seed: f.seed, Out: env.Stdout}
	switch {
	case f.start != "":
		t, err := time.Parse(time.RFC3339, f.start)
		if err != nil {
			return opts, fmt.Errorf("%w: --start %q is not an RFC 3339 time", errUsage, f.start)
		}
		opts.Start = t
	case !f.offline || sc.Start == nil:
		opts.Start = simStart(time.Now())
	}
	return opts, nil
}

// simStart is the start of a world against a server whose clock shows now: the server issues
// keys from its own clock, so the world starts with it, at the next minute.
func simStart(now time.Time) time.Time {
	return now.Truncate(time.Minute).Add(time.Minute)
}

// reportSim turns failed expectations into the command's failure.
func reportSim(res *locksim.Result, err error) error {
	if err != nil {
		return err
	}
	if res.Failed > 0 {
		return fmt.Errorf("%d of %d expectations failed", res.Failed, res.Expectations)
	}
	return nil
}

// simRemote prepares, as the operator (octx), what the wire cannot do: the simulator's two
// clients; then it connects the simulator to the server at base with them, for the owner
// account, registering locks through the operator's service. keyward sim and keyward demo
// share it.
func simRemote(ctx, octx context.Context, s keyward.Services, base, owner string) (*locksim.Remote, error) {
	secret, hash := oauth.NewClientSecret()
	mgmt, _, err := s.Clients.CreateClient(octx, keyward.ClientCreate{Name: "Keyward simulator", SecretHash: hash,
		GrantTypes: []string{keyward.GrantClientCredentials}, Scopes: locksim.ManagementScopes, AdminOf: owner, Role: keyward.RoleOwner})
	if err != nil {
		return nil, err
	}
	phones, _, err := s.Clients.CreateClient(octx, keyward.ClientCreate{Name: "Keyward simulator phones", Public: true,
		GrantTypes: []string{keyward.GrantTokenExchange}, Scopes: locksim.PhoneScopes})
	if err != nil {
		return nil, err
	}
	return locksim.NewRemote(ctx, locksim.RemoteConfig{BaseURL: base, OwnerID: owner, ClientID: mgmt.ID, ClientSecret: secret,
		ExchangeClientID: phones.ID, Registry: simRegistry{ctx: octx, locks: s.Locks}})
}

// simOwner is the given owner account, or a new one with a new owner user.
func simOwner(octx context.Context, s keyward.Services, owner string) (string, error) {
	if owner != "" {
		return owner, nil
	}
	b := make([]byte, 6)
	rand.Read(b) // crypto/rand.Read never returns an error
	hash, err := service.HashPassword(hex.EncodeToString(b) + "-unused")
	if err != nil {
		return "", err
	}
	u, err := s.Users.CreateUser(octx, keyward.UserCreate{Email: "sim-" + hex.EncodeToString(b) + "@sim.keyward.invalid", PasswordHash: hash, Verified: true})
	if err != nil {
		return "", err
	}
	o, err := s.Owners.RegisterOwner(octx, keyward.OwnerRegistration{Name: "Simulated fleet", OwnerEmail: u.Email})
	if err != nil {
		return "", err
	}
	return o.ID, nil
}

// simRegistry registers the simulator's locks in the device registry as the operator.
type simRegistry struct {
	ctx   context.Context // carries the operator principal
	locks keyward.LockService
}

func (r simRegistry) RegisterLock(_ context.Context, spec keyward.PhysicalLockCreate) (string, string, error) {
	l, code, err := r.locks.RegisterLock(r.ctx, spec)
	if err != nil {
		return "", "", err
	}
	return l.ID, code, nil
}
