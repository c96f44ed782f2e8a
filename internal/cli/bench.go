package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/keyward/keyward/internal/bench"
)

// runBench runs the benchmark on a fresh database and prints its table (or JSON). Missed
// targets are printed, not failed; a failed request or step makes the exit status 1.
func runBench(ctx context.Context, env Env, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "seed":
			return runBenchSeed(ctx, env, args[1:])
		case "scale":
			return runBenchScale(ctx, env, args[1:])
		}
	}
	var cfg bench.Config
	var asJSON bool
	fs := newFlags(env, "bench")
	fs.StringVar(&cfg.DB, "db", "", "database: sqlite:FILE (must not exist; default a temporary file) or postgres://... (a fresh database is created on that server and dropped after)")
	fs.IntVar(&cfg.Concurrency, "concurrency", 8, "clients of the load generator")
	fs.DurationVar(&cfg.Duration, "duration", 0, "load per measure and side (default 5s, 150ms with --short)")
	fs.BoolVar(&cfg.Short, "short", false, "tiny durations and datasets: a smoke test, not a measurement")
	fs.IntVar(&cfg.LogEntries, "log-entries", 0, "log entries the export pages over (default 1000000, 4000 with --short)")
	fs.IntVar(&cfg.KeyGrants, "key-grants", 0, "grants of the phone whose keys are fetched (default 1000, 20 with --short)")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	only := fs.String("only", "", "run only the steps whose name matches this regular expression ("+strings.Join(bench.Steps, ", ")+"); start-up is always measured")
	if err := parse(fs, args); err != nil {
		return err
	}
	if cfg.Concurrency < 1 {
		return fmt.Errorf("%w: --concurrency must be at least 1", errUsage)
	}
	if *only != "" {
		re, err := regexp.Compile(*only)
		if err != nil {
			return fmt.Errorf("%w: --only: %v", errUsage, err)
		}
		cfg.Only = re
	}
	cfg.Progress = env.Stderr
	rep, err := bench.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		err = enc.Encode(rep)
	} else {
		err = rep.WriteTable(env.Stdout)
	}
	if err != nil {
		return err
	}
	if len(rep.Failures) > 0 {
		return fmt.Errorf("%d failures: %s", len(rep.Failures), strings.Join(rep.Failures, "; "))
	}
	return nil
}

// runBenchSeed writes the scale dataset into an empty database and prints what it wrote.
func runBenchSeed(ctx context.Context, env Env, args []string) error {
	spec := bench.DatasetSpec
	var dsn string
	fs := newFlags(env, "bench seed")
	fs.StringVar(&dsn, "db", "", "database to seed: sqlite:FILE or postgres://... (migrated first; must hold no owner account)")
	fs.IntVar(&spec.Contacts, "contacts", spec.Contacts, "contacts")
	fs.IntVar(&spec.Locks, "locks", spec.Locks, "bound locks")
	fs.IntVar(&spec.Grants, "grants", spec.Grants, "grants")
	fs.IntVar(&spec.LogEntries, "log-entries", spec.LogEntries, "log entries")
	fs.IntVar(&spec.Owners, "owners", spec.Owners, "owner accounts (the k-th holds a share proportional to 1/k²)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if dsn == "" {
		return fmt.Errorf("%w: --db is required", errUsage)
	}
	if spec.Owners < 1 || spec.Locks < spec.Owners || spec.Contacts < 2*spec.Owners || spec.Grants < 0 || spec.LogEntries < 0 {
		return fmt.Errorf("%w: need --owners ≥ 1, --locks ≥ --owners, --contacts ≥ 2 × --owners, no negative counts", errUsage)
	}
	res, err := bench.SeedDatabase(ctx, dsn, spec)
	if err != nil {
		return err
	}
	return bench.WriteSeedResult(env.Stdout, res)
}

// runBenchScale runs serve processes on one PostgreSQL database under a mixed load, one node
// then all, prints the table and fails when a request failed, a 5xx came back or an invariant broke.
func runBenchScale(ctx context.Context, env Env, args []string) error {
	var cfg bench.ScaleConfig
	fs := newFlags(env, "bench scale")
	fs.StringVar(&cfg.DB, "db", "", "postgres://... database the nodes share: seeded with `keyward bench seed`, or empty (a small dataset is seeded)")
	fs.IntVar(&cfg.Nodes, "nodes", 3, "keyward serve processes")
	fs.DurationVar(&cfg.Duration, "duration", 2*time.Minute, "load per phase (one node, then all)")
	fs.IntVar(&cfg.Concurrency, "concurrency", 0, "clients of the load generator (default 8 per node)")
	fs.IntVar(&cfg.DBMaxConns, "db-max-conns", 0, "database connections per node (default: serve's)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if cfg.DB == "" || cfg.Nodes < 1 || cfg.Concurrency < 0 {
		return fmt.Errorf("%w: --db is required, --nodes must be at least 1", errUsage)
	}
	cfg.Progress = env.Stderr
	rep, err := bench.Scale(ctx, cfg)
	if err != nil {
		return err
	}
	if err := rep.WriteTable(env.Stdout); err != nil {
		return err
	}
	if len(rep.Failures) > 0 {
		return fmt.Errorf("%d failures: %s", len(rep.Failures), strings.Join(rep.Failures, "; "))
	}
	return nil
}
