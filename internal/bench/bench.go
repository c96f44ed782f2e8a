// Package bench is `keyward bench`: on a fresh database it starts Keyward in this process (app.Main
// on loopback) and, beside it in the same run, the reference programs of internal/bench/reference,
// drives each with the same closed-loop load generator over net/http with keep-alive, and reports
// Keyward's figures, the reference's, their ratio, Keyward's p50 and p99, and the targets of the
// performance work. It is wiring: it starts app.Main, so it may import everything.
package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/keyward/keyward/internal/sqlstore"
)

// Config is one run's settings.
type Config struct {
	// DB is the engine to run on: "" or "sqlite:FILE" (FILE must not exist; "" takes a temporary
	// file), or a PostgreSQL server's DSN, on which a fresh database is created and dropped after.
	DB          string
	Concurrency int           // clients of the load generator (default 8)
	Duration    time.Duration // per measure and side (default 5s)
	// Short runs tiny durations and datasets: the smoke test's mode, whose numbers mean nothing.
	Short bool
	// LogEntries is the log the export pages over (default 1M, 4000 in short mode); KeyGrants the
	// grants of the phone whose keys are fetched (default 1000, 20 in short mode).
	LogEntries, KeyGrants int
	// Serve makes the command that runs `keyward serve` with args, as a child process, for the
	// RSS measures (nil: this executable, which is the keyward binary).
	Serve func(args ...string) *exec.Cmd
	// Progress gets a line per step (nil for none).
	Progress io.Writer
	// Only picks the steps to run by name (see Steps); nil runs all. Start-up is always measured,
	// since every step needs the server it starts and seeds.
	Only *regexp.Regexp
}

// Steps are the names of the run's steps, in order: what Config.Only matches against.
var Steps = []string{"token issuance", "authenticated reads", "grant creation", "key fetch", "log ingestion",
	"log export", "iCal decisions", "memory"}

func (c *Config) defaults() {
	if c.Concurrency <= 0 {
		c.Concurrency = 8
	}
	if c.Duration <= 0 {
		c.Duration = 5 * time.Second
		if c.Short {
			c.Duration = 150 * time.Millisecond
		}
	}
	if c.LogEntries <= 0 {
		c.LogEntries = map[bool]int{true: 4000, false: 1_000_000}[c.Short]
	}
	if c.KeyGrants <= 0 {
		c.KeyGrants = map[bool]int{true: 20, false: 1000}[c.Short]
	}
	if c.Serve == nil {
		c.Serve = func(args ...string) *exec.Cmd {
			exe, err := os.Executable()
			if err != nil {
				exe = os.Args[0]
			}
			return exec.Command(exe, append([]string{"serve"}, args...)...)
		}
	}
	if c.Progress == nil {
		c.Progress = io.Discard
	}
}

// Run runs every measure and returns the report. An error is returned only when the run could not
// be set up; failures of single measures are in Report.Failures.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	cfg.defaults()
	dsn, drop, err := freshDatabase(cfg.DB)
	if err != nil {
		return nil, err
	}
	defer drop()
	engine, _, err := sqlstore.ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	rep := &Report{Machine: Machine(), Engine: string(engine), Concurrency: cfg.Concurrency, Duration: cfg.Duration,
		Short: cfg.Short, LogEntries: cfg.LogEntries, KeyGrants: cfg.KeyGrants, Failures: []string{}}
	r := &runner{cfg: cfg, dsn: dsn, engine: engine, rep: rep,
		http: &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 4 * cfg.Concurrency, DisableCompression: true}}}
	defer r.http.CloseIdleConnections()
	if err := r.start(ctx); err != nil {
		return nil, err
	}
	defer r.stop()
	fns := []func(context.Context) error{r.tokens, r.reads, r.grants, r.keyFetch, r.ingestion, r.export, r.ical, r.memory}
	for i, fn := range fns {
		step := struct {
			name string
			fn   func(context.Context) error
		}{Steps[i], fn}
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		if cfg.Only != nil && !cfg.Only.MatchString(step.name) {
			continue
		}
		fmt.Fprintf(cfg.Progress, "bench: %s\n", step.name)
		if err := step.fn(ctx); err != nil {
			r.fail("%s: %v", step.name, err)
		}
	}
	return rep, nil
}

// freshDatabase returns the DSN of an empty database for dsn and a function that removes it.
func freshDatabase(dsn string) (string, func(), error) {
	switch {
	case dsn == "":
		dir, err := os.MkdirTemp("", "keyward-bench-")
		if err != nil {
			return "", nil, err
		}
		return "sqlite:" + filepath.Join(dir, "keyward.db"), func() { os.RemoveAll(dir) }, nil
	case strings.HasPrefix(dsn, "sqlite:"):
		if _, _, err := sqlstore.ParseDSN(dsn); err != nil {
			return "", nil, err
		}
		path, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "//"), "?")
		if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
			return "", nil, fmt.Errorf("bench: %s exists (or cannot be checked); the benchmark runs on a fresh database", path)
		}
		return dsn, func() {}, nil
	}
	if _, _, err := sqlstore.ParseDSN(dsn); err != nil {
		return "", nil, err
	}
	admin, err := sqlstore.OpenAdmin(dsn)
	if err != nil {
		return "", nil, err
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "keyward_bench_" + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("bench: create database %s: %w", name, err)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		admin.Close()
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), func() {
		admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
		admin.Close()
	}, nil
}

// Machine names the machine: CPUs, CPU model and memory, from /proc where there is one.
func Machine() string {
	model := runtime.GOARCH
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(strings.SplitN(string(b), "\n", 2)[0], "MemTotal: %d kB", &kb); err == nil {
			mem = fmt.Sprintf(", %.0f GB RAM", float64(kb)/(1<<20))
		}
	}
	return fmt.Sprintf("%d CPUs (%s)%s, %s/%s, %s", runtime.NumCPU(), model, mem, runtime.GOOS, runtime.GOARCH, runtime.Version())
}
