// Package apptest runs real Keyward servers for tests: app.Main on loopback, on the database a
// test gives it, until the test ends. Only tests import it.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/app"
	"github.com/keyward/keyward/internal/config"
)

// Start opens a server with cfg and runs it until the test ends; the server logs JSON lines to
// logs and prints to console. The server's base URL is m.Config.Issuer unless cfg sets another.
func Start(t testing.TB, cfg config.Config, logs, console io.Writer, opts ...Option) *app.Main {
	t.Helper()
	return StartAt(t, cfg, nil, logs, console, opts...)
}

// Option changes how a server starts.
type Option func(*app.Main)

// Measured runs every transaction once, as in production, for a benchmark.
func Measured(m *app.Main) { m.RunTransactionsTwice = false }

// StartAt is Start with the server's clock now (nil for the real one): its service, its
// authorization server and its pages all read it, so a test runs the server at another date,
// e.g. a simulated world's (locksim.VirtualClock).
//
// Every request the server answers, on its API listener and on its metrics listener, is
// validated against api/openapi.yaml, and the test fails at its end with every mismatch
// (contract.go), so that no test can reach the server around the contract. On PostgreSQL,
// which makes the store run a transaction again after a conflict, every transaction of the
// server runs twice, the first run rolled back (app.Main.RunTransactionsTwice), so that every
// test also checks that what a request does besides its statements happens once; Measured
// turns that off.
func StartAt(t testing.TB, cfg config.Config, now func() time.Time, logs, console io.Writer, opts ...Option) *app.Main {
	t.Helper()
	wrap := checkContract(t)
	ctx, cancel := context.WithCancel(context.Background())
	m := &app.Main{Config: cfg, Logger: slog.New(slog.NewJSONHandler(logs, nil)), Console: console, Now: now, WrapHandler: wrap,
		RunTransactionsTwice: true}
	for _, opt := range opts {
		opt(m)
	}
	if err := m.Open(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
		m.Close()
	})
	return m
}
