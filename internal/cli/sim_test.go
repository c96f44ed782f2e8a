package cli

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keyward/keyward/internal/app/apptest"
	"github.com/keyward/keyward/internal/config"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

// TestSim_Offline: keyward sim --offline prints the timeline and exits 1 when an expectation
// fails, 2 for a usage mistake, and names the line of a mistake in the file.
func TestSim_Offline(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	fleet := "start 2027-03-22 08:00\nlock door\nphone ph user ann\ngrant g ann door daily 08:00-12:00\n"
	good := write("good.sim", fleet+"at day 0 09:00 ph opens door\nexpect door Allowed\n")
	failing := write("failing.sim", fleet+"at day 0 13:00 ph opens door\nexpect door Allowed\n")
	broken := write("broken.sim", fleet+"at day 0 13:00 ph unlocks door\n")

	code, out, errOut := run(t, nil, "sim", "--offline", "--scenario", good)
	if code != 0 || !strings.Contains(out, "2027-03-22 09:00 UTC (09:00Z)  door       phone ph  Allowed  grant g  entry 1\n") ||
		!strings.HasSuffix(out, "end        1 of 1 expectations met\n") {
		t.Fatalf("good scenario: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = run(t, nil, "sim", "--offline", "--scenario", failing)
	if code != 1 || errOut != "keyward sim: 1 of 1 expectations failed\n" ||
		!strings.Contains(out, "EXPECTATION FAILED ("+failing+":6)  want Allowed, got Denied OutsideTimeRestriction") {
		t.Fatalf("failing scenario: exit %d\n%s%s", code, out, errOut)
	}
	code, _, errOut = run(t, nil, "sim", "--offline", "--scenario", broken)
	if code != 1 || !strings.HasPrefix(errOut, "keyward sim: "+broken+`:5: "ph unlocks door" is not a step`) {
		t.Fatalf("broken scenario: exit %d: %s", code, errOut)
	}
	code, _, errOut = run(t, nil, "sim", "--offline")
	if code != 2 || errOut != "keyward sim: usage: --scenario is required\n" {
		t.Fatalf("no scenario: exit %d: %s", code, errOut)
	}
	code, _, errOut = run(t, nil, "sim", "--offline", "--scenario", good, "--start", "tomorrow")
	if code != 2 || errOut != "keyward sim: usage: --start \"tomorrow\" is not an RFC 3339 time\n" {
		t.Fatalf("bad start: exit %d: %s", code, errOut)
	}
}

// TestSim_Server: keyward sim binds its locks on a running server through the API and syncs
// them through the device API: the first sync is anchored by the binding code, a lost answer
// leaves the next sync working, a repeated request is refused as a replay, a dead lock answers
// nothing. Phones need the mobile API and come with it.
func TestSim_Server(t *testing.T) {
	scenario := filepath.Join(t.TempDir(), "locks.sim")
	text := "zone Europe/Vienna\nlock door\nlock shed protocol 1\n" +
		"at +1h door syncs via gateway\nexpect door sync Ok\n" +
		"at +1h door syncs via gateway lost\nexpect door sync Lost\n" +
		"at +1h door syncs via gateway repeated\nexpect door sync Replayed\n" +
		"door syncs via gateway\nexpect door sync Ok\n" +
		"battery shed dead\nshed syncs via gateway\nexpect shed sync NoAnswer\n"
	if err := os.WriteFile(scenario, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, engine := range sqltest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			dsn := sqltest.DSN(t, engine)
			m := apptest.Start(t, config.Config{Addr: "127.0.0.1:0", DB: dsn}, io.Discard, io.Discard)
			code, out, errOut := run(t, nil, "sim", "--db", dsn, "--base", m.Config.Issuer, "--scenario", scenario)
			if code != 0 || !strings.HasSuffix(out, "end        5 of 5 expectations met\n") ||
				!strings.Contains(out, "door       sync via installer  Ok  counter 1, 0 entries sent, ack 0, revocation list 0\n") ||
				!strings.Contains(out, "sync via gateway  Replayed  the server refused the second copy: 400 SyncReplayed\n") {
				t.Fatalf("exit %d\n%s%s", code, out, errOut)
			}
		})
	}
}
