package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/keyward/keyward/internal/bench"
)

// runBench runs the benchmark on a fresh database and prints its table (or JSON). Missed
// targets are printed, not failed; a failed request or step makes the exit status 1.
func runBench(ctx context.Context, env Env, args []string) error {
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
