package bench_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/bench"
	"github.com/keyward/keyward/internal/cli"
)

// serveEnv makes the test binary act as `keyward serve` (with its arguments after "serve"), so
// that the benchmark's RSS measure has a child process to start.
const serveEnv = "KEYWARD_BENCH_TEST_SERVE"

func TestMain(m *testing.M) {
	if os.Getenv(serveEnv) == "1" {
		os.Exit(cli.Run(context.Background(), os.Args[1:], cli.Env{Stdout: os.Stdout, Stderr: os.Stderr}))
	}
	os.Exit(m.Run())
}

// measures is every row a run on 2 clients must have, in order.
var measures = []string{
	"start-up to healthy, fresh database",
	"start-up to healthy, existing database (median of 3)",
	"token issuance, client credentials",
	"token issuance, refresh",
	"read one BoundLock vs verify+JSON",
	"read one BoundLock vs bare JSON",
	"read one BoundLock p99/p50, 2 clients",
	"read one BoundLock, no read or standing cache, vs verify+JSON",
	"read a list of 100 BoundLocks vs verify+JSON",
	"read a list of 100 BoundLocks vs bare JSON",
	"read a list of 100 BoundLocks p99/p50, 2 clients",
	"read a list of 100 BoundLocks, no read or standing cache, vs verify+JSON",
	"grant creation, inline contact, 1 client",
	"grant creation, inline contact, 2 clients",
	"grant creation, inline contact, 2 vs 1 clients",
	"grant creation, contact id, 1 client",
	"grant creation, contact id, 2 clients",
	"grant creation, contact id, 2 vs 1 clients",
	"grant creation, contact id + iCal, 1 client",
	"grant creation, contact id + iCal, 2 clients",
	"grant creation, contact id + iCal, 2 vs 1 clients",
	"grant creation, inline contact, 2 clients on 2 accounts",
	"grant creation, inline contact, 2 accounts vs 1, 2 clients",
	"key fetch, phone with 20 grants",
	"log ingestion, device API, syncs of 1000",
	"log ingestion, device API, syncs of 1000, 2 locks of one account",
	"log ingestion, device API, syncs of 1000, 2 locks on 2 accounts",
	"log export, first page of 500 (4000 entries)",
	"log export, last page (4000 entries)",
	"log export, last page p50 / first page p50",
	"log export, whole (3000 openings)",
	"iCal Allows decisions, 1 client",
	"RSS idle (keyward serve)",
	"RSS peak under load (keyward serve, reads, 2 clients)",
}

// TestShortRun runs the benchmark's short mode on every engine: every measure must appear, in
// order, with a positive figure (and a positive reference where it has one), and nothing may
// fail. It never judges the numbers: they are noise at this size.
func TestShortRun(t *testing.T) {
	for _, dsn := range bench.Engines(t) {
		name := "sqlite"
		if dsn != "" {
			name = "postgres"
		}
		t.Run(name, func(t *testing.T) {
			cfg := bench.Config{DB: dsn, Short: true, Concurrency: 2, Serve: func(args ...string) *exec.Cmd {
				cmd := exec.Command(os.Args[0], append([]string{"serve"}, args...)...)
				cmd.Env = append(os.Environ(), serveEnv+"=1")
				return cmd
			}}
			rep, err := bench.Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Failures) > 0 {
				t.Errorf("failures: %q", rep.Failures)
			}
			var got []string
			for _, row := range rep.Rows {
				got = append(got, row.Measure)
				if row.Keyward <= 0 || (row.Reference != "" && (row.RefValue <= 0 || row.Ratio <= 0)) {
					t.Errorf("%s: Keyward %v, reference %q %v, ratio %v; want positive figures", row.Measure, row.Keyward, row.Reference, row.RefValue, row.Ratio)
				}
				if (row.Target == "") != (row.OK == nil) {
					t.Errorf("%s: target %q, ok %v: a target needs its verdict and a verdict its target", row.Measure, row.Target, row.OK)
				}
			}
			if strings.Join(got, "\n") != strings.Join(measures, "\n") {
				t.Errorf("measures:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(measures, "\n"))
			}
			b, err := json.Marshal(rep)
			if err != nil {
				t.Fatal(err)
			}
			var back struct {
				Engine string
				Rows   []struct{ Measure string }
			}
			if err := json.Unmarshal(b, &back); err != nil || back.Engine != name || len(back.Rows) != len(measures) {
				t.Errorf("the JSON report %.300s decodes to engine %q with %d rows (%v); want %q with %d", b, back.Engine, len(back.Rows), err, name, len(measures))
			}
			var table strings.Builder
			if err := rep.WriteTable(&table); err != nil {
				t.Fatal(err)
			}
			for _, m := range measures {
				if !strings.Contains(table.String(), m) {
					t.Errorf("the table has no row %q", m)
				}
			}
		})
	}
}

// TestOnly runs the steps Only matches and no other, after the start-up that every run measures.
func TestOnly(t *testing.T) {
	rep, err := bench.Run(context.Background(), bench.Config{Short: true, Concurrency: 1, Only: regexp.MustCompile(`^iCal`)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, row := range rep.Rows {
		got = append(got, row.Measure)
	}
	want := []string{measures[0], measures[1], "iCal Allows decisions, 1 client"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || len(rep.Failures) > 0 {
		t.Errorf("rows %q, failures %q; want rows %q and no failure", got, rep.Failures, want)
	}
}

// TestScaleShort runs the scale-out measure briefly with 2 nodes on PostgreSQL: no request may
// fail, no answer be 5xx, and every invariant must hold. It never judges throughput.
func TestScaleShort(t *testing.T) {
	dbs := bench.Engines(t)
	if len(dbs) == 1 {
		t.Skip("KEYWARD_TEST_POSTGRES is not set")
	}
	dsn, drop := bench.FreshDatabaseForTest(t, dbs[1])
	defer drop()
	rep, err := bench.Scale(context.Background(), bench.ScaleConfig{DB: dsn, Nodes: 2, Duration: 2 * time.Second, Concurrency: 4,
		Serve: func(args ...string) *exec.Cmd {
			cmd := exec.Command(os.Args[0], append([]string{"serve"}, args...)...)
			cmd.Env = append(os.Environ(), serveEnv+"=1")
			return cmd
		}})
	if err != nil {
		t.Fatal(err)
	}
	var table strings.Builder
	rep.WriteTable(&table)
	if len(rep.Failures) > 0 || rep.ServerErrors != 0 || len(rep.Invariants) != 6 {
		t.Errorf("failures %q, %d 5xx, %d invariants held; want none, 0, 6:\n%s", rep.Failures, rep.ServerErrors, len(rep.Invariants), table.String())
	}
	for _, r := range rep.Rows {
		if r.Rate1 <= 0 || r.RateN <= 0 {
			t.Errorf("%s: %v and %v req/s; want both positive", r.Endpoint, r.Rate1, r.RateN)
		}
	}
}
