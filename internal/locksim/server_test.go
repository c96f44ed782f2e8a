package locksim_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/app"
	"github.com/keyward/keyward/internal/app/apptest"
	"github.com/keyward/keyward/internal/config"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/locksim"
	"github.com/keyward/keyward/internal/sqlstore"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

// server is a real Keyward server on one engine whose clock is a simulated world's.
type server struct {
	m      *app.Main
	clock  *locksim.VirtualClock
	engine sqlstore.Engine
}

// forEachServer runs fn with a fresh server on each engine.
func forEachServer(t *testing.T, fn func(t *testing.T, s *server)) {
	for _, engine := range sqltest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) { fn(t, newServer(t, engine)) })
	}
}

// newServer starts a server on a new database of engine, running until the test ends.
func newServer(t *testing.T, engine sqlstore.Engine) *server {
	clock := locksim.NewVirtualClock(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	m := apptest.StartAt(t, config.Config{Addr: "127.0.0.1:0", DB: sqltest.DSN(t, engine)}, clock.Now, io.Discard, io.Discard)
	return &server{m: m, clock: clock, engine: engine}
}

// remote sets a new fleet up on the server, in a new owner account.
func (s *server) remote(t *testing.T) *locksim.Remote {
	t.Helper()
	ctx := context.Background()
	r, err := app.NewSimRemote(ctx, keyward.NewContextWithPrincipal(ctx, keyward.Operator()), s.m.Services,
		app.SimConfig{BaseURL: s.m.Config.Issuer, Now: s.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// options are opts with a new fleet on the server, set up at the world's start, and the
// server's clock as the world's.
func (s *server) options(t *testing.T, sc *locksim.Scenario, opts locksim.Options) locksim.Options {
	t.Helper()
	start := opts.Start
	if start.IsZero() {
		start = sc.Start.Resolve(time.Time{}, time.Time{}, sc.Zone)
	}
	s.clock.Set(start)
	opts.Backend, opts.Clock = s.remote(t), s.clock
	return opts
}

// run plays the scenario on a new fleet of the server and returns its timeline. A run that
// fails stops the test.
func (s *server) run(t *testing.T, sc *locksim.Scenario, opts locksim.Options) (string, *locksim.Result) {
	t.Helper()
	var out bytes.Buffer
	opts = s.options(t, sc, opts)
	opts.Out = &out
	res, err := locksim.Run(context.Background(), sc, opts)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	return out.String(), res
}

// scenario parses a file of testdata.
func scenario(t *testing.T, path string) *locksim.Scenario {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc, err := locksim.ParseScenario(path, f)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// serverIDs are the words of a timeline the server chose: ids, physical lock ids, card uids.
var serverIDs = regexp.MustCompile(`(physical lock|uid|id) \S+`)

// masked is a timeline without the server's ids.
func masked(timeline string) string { return serverIDs.ReplaceAllString(timeline, "$1 *") }
