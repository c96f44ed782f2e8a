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

// TestSim_Usage: a mistake in the file names its line, and a mistake on the command line exits 2,
// both before the simulator reaches any server.
func TestSim_Usage(t *testing.T) {
	broken := filepath.Join(t.TempDir(), "broken.sim")
	if err := os.WriteFile(broken, []byte("lock door\nphone ph user ann\nat +1h ph unlocks door\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := run(t, nil, "sim", "--scenario", broken)
	if code != 1 || !strings.HasPrefix(errOut, "keyward sim: "+broken+`:3: "ph unlocks door" is not a step`) {
		t.Fatalf("broken scenario: exit %d: %s", code, errOut)
	}
	code, _, errOut = run(t, nil, "sim")
	if code != 2 || errOut != "keyward sim: usage: --scenario is required\n" {
		t.Fatalf("no scenario: exit %d: %s", code, errOut)
	}
	code, _, errOut = run(t, nil, "sim", "--scenario", broken, "--start", "tomorrow")
	if code != 1 || !strings.Contains(errOut, "is not a step") {
		t.Fatalf("the file is read before the flags' values: exit %d: %s", code, errOut)
	}
}

// TestSim_Server: keyward sim binds its locks on a running server through the API, gives its
// phones keys through the mobile API and syncs the locks through the device API: the first sync
// is anchored by the binding code, a lost answer leaves the next sync working, a repeated request
// is refused as a replay, a dead lock answers nothing. A failed expectation exits 1.
func TestSim_Server(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	fleet := "zone Europe/Vienna\nlock door\nlock shed protocol 1\nphone ph user ann\ngrant g ann door\n"
	good := write("locks.sim", fleet+
		"at +1h ph opens door\nexpect door Allowed\n"+
		"at +1h door syncs via ph\nexpect door sync Ok\n"+
		"at +1h door syncs via gateway lost\nexpect door sync Lost\n"+
		"at +1h door syncs via gateway repeated\nexpect door sync Replayed\n"+
		"door syncs via gateway\nexpect door sync Ok\n"+
		"battery shed dead\nshed syncs via gateway\nexpect shed sync NoAnswer\n")
	failing := write("failing.sim", fleet+"at +1h ph opens shed\nexpect shed Allowed\n")
	for _, engine := range sqltest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			dsn := sqltest.DSN(t, engine)
			m := apptest.Start(t, config.Config{Addr: "127.0.0.1:0", DB: dsn}, io.Discard, io.Discard)
			code, out, errOut := run(t, nil, "sim", "--db", dsn, "--base", m.Config.Issuer, "--scenario", good)
			if code != 0 || !strings.HasSuffix(out, "end        6 of 6 expectations met\n") ||
				!strings.Contains(out, "door       sync via installer  Ok  counter 1, 0 entries sent, ack 0, revocation list 0\n") ||
				!strings.Contains(out, "door       sync via ph  Ok  counter 2, 1 entries sent, ack 1, revocation list 0\n") ||
				!strings.Contains(out, "sync via gateway  Replayed  the server refused the second copy: 400 SyncReplayed\n") {
				t.Fatalf("exit %d\n%s%s", code, out, errOut)
			}
			code, out, errOut = run(t, nil, "sim", "--db", dsn, "--base", m.Config.Issuer, "--scenario", failing, "--seed", "2")
			if code != 1 || errOut != "keyward sim: 1 of 1 expectations failed\n" ||
				!strings.Contains(out, "EXPECTATION FAILED ("+failing+":7)  want Allowed, got NoKey") {
				t.Fatalf("failing scenario: exit %d\n%s%s", code, out, errOut)
			}
		})
	}
}
