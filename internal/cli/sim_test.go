package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
