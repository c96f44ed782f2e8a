package cli

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/keyward/keyward/internal/app"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/locksim"
)

// simFlags are the flags of keyward sim.
type simFlags struct {
	*adminFlags
	base, scenario, owner, start string
	seed                         uint64
}

func runSim(ctx context.Context, env Env, args []string) error {
	fs, a := newAdminFlags(env, "sim")
	f := &simFlags{adminFlags: a}
	fs.StringVar(&f.base, "base", "http://127.0.0.1:8080", "the running server's address")
	fs.StringVar(&f.scenario, "scenario", "", "the scenario file (required)")
	fs.Uint64Var(&f.seed, "seed", 1, "the seed of every random choice")
	fs.StringVar(&f.owner, "owner", "", "set the fleet up in this owner account (default: a new one)")
	fs.StringVar(&f.start, "start", "", "the world's start, RFC 3339 (default: now, the server's clock)")
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
	opts, err := f.options(env)
	if err != nil {
		return err
	}
	return withService(ctx, a, func(octx context.Context, s keyward.Services) error {
		if opts.Backend, err = simRemote(ctx, octx, s, f.base, f.owner); err != nil {
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

// options are the run's options: the seed, the timeline on stdout and the start, by default the
// next minute, as the server issues keys from its own clock.
func (f *simFlags) options(env Env) (locksim.Options, error) {
	opts := locksim.Options{Seed: f.seed, Out: env.Stdout, Start: simStart(time.Now())}
	if f.start != "" {
		t, err := time.Parse(time.RFC3339, f.start)
		if err != nil {
			return opts, fmt.Errorf("%w: --start %q is not an RFC 3339 time", errUsage, f.start)
		}
		opts.Start = t
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

// simRemote connects the simulator to the server at base for the owner account ("" for a new
// one), setting up what only the operator can (octx) through the services. keyward sim and
// keyward demo share it.
func simRemote(ctx, octx context.Context, s keyward.Services, base, owner string) (*locksim.Remote, error) {
	return app.NewSimRemote(ctx, octx, s, app.SimConfig{BaseURL: base, OwnerID: owner})
}
