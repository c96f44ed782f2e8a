package locksim

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// runFile runs a scenario of testdata offline with the seed and returns its timeline.
func runFile(t *testing.T, name string, seed uint64) (string, *Result) {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc, err := ParseScenario(name, f)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	res, err := Run(context.Background(), sc, Options{Seed: seed, Out: &out})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	return out.String(), res
}

func TestRun_Offline(t *testing.T) {
	out, res := runFile(t, "vienna-mondays.sim", 1)
	t.Log("\n" + out)
	if res.Failed != 0 {
		t.Fatalf("%d of %d expectations failed", res.Failed, res.Expectations)
	}
}

func TestRun_Faults(t *testing.T) {
	out, res := runFile(t, "faults.sim", 7)
	t.Log("\n" + out)
	if res.Failed != 0 || res.Expectations != 12 {
		t.Fatalf("%d of %d expectations failed", res.Failed, res.Expectations)
	}
}

// TestRun_Deterministic: the same seed gives the same timeline, byte for byte; another seed
// other keys and ids, and the same decisions.
func TestRun_Deterministic(t *testing.T) {
	first, _ := runFile(t, "faults.sim", 42)
	again, _ := runFile(t, "faults.sim", 42)
	if first != again {
		t.Fatalf("two runs with seed 42 differ:\n%s\n---\n%s", first, again)
	}
	other, _ := runFile(t, "faults.sim", 43)
	if other == first {
		t.Fatal("seeds 42 and 43 gave the same timeline, ids included")
	}
	decisions := func(s string) (lines []string) {
		for _, l := range strings.Split(s, "\n") {
			if strings.Contains(l, " expect ") {
				lines = append(lines, l)
			}
		}
		return lines
	}
	if diff := cmp.Diff(decisions(first), decisions(other)); diff != "" {
		t.Fatalf("the expectations differ between seeds:\n%s", diff)
	}
}

// TestRun_ExpectationFails: a failed expect line is counted and shown with its line, and the run
// goes on.
func TestRun_ExpectationFails(t *testing.T) {
	src := "start 2027-03-22 08:00\nlock door\nphone ph user ann\ngrant g ann door\n" +
		"at +1h ph opens door\nexpect door Denied Expired\nexpect g Revoked\nexpect door sync Ok\n"
	sc, err := ParseScenario("fail.sim", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	res, err := Run(context.Background(), sc, Options{Seed: 1, Out: &out})
	if err != nil || res.Expectations != 3 || res.Failed != 2 {
		t.Fatalf("Run = %+v, %v\n%s", res, err, out.String())
	}
	for _, want := range []string{
		"2027-03-22 09:00 UTC (09:00Z)  door       EXPECTATION FAILED (fail.sim:6)  want Denied Expired, got Allowed\n",
		"2027-03-22 09:00 UTC (09:00Z)  g          EXPECTATION FAILED (fail.sim:7)  want Revoked, got Ok\n",
		"2027-03-22 09:00 UTC (09:00Z)  door       expect sync Ok  ok\n",
		"2027-03-22 09:00 UTC (09:00Z)  end        1 of 3 expectations met\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the timeline lacks %q:\n%s", want, out.String())
		}
	}
}

// TestRun_TimeGoesForward: a step before the world's time is refused with its line.
func TestRun_TimeGoesForward(t *testing.T) {
	src := "start 2027-03-22 08:00\nlock door\nphone ph user ann\nat day 1 09:00 ph opens door\nat day 0 10:00 ph opens door\n"
	sc, err := ParseScenario("back.sim", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(context.Background(), sc, Options{Seed: 1})
	want := "back.sim:5: the step's time 2027-03-22T10:00:00Z lies before the world's time 2027-03-23T09:00:00Z"
	if err == nil || err.Error() != want {
		t.Fatalf("Run = %v, want %s", err, want)
	}
}

// TestRun_Example: the example of the documentation holds, whatever weekday the world starts
// on.
func TestRun_Example(t *testing.T) {
	text, err := os.ReadFile("../../examples/front-door.sim")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := ParseScenario("front-door.sim", bytes.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	for day := range 7 {
		start := time.Date(2027, 3, 22+day, 10, 0, 0, 0, time.UTC)
		var out bytes.Buffer
		res, err := Run(context.Background(), sc, Options{Seed: 1, Start: start, Out: &out})
		if err != nil || res.Failed != 0 || res.Expectations != 8 {
			t.Fatalf("start %s: %+v, %v\n%s", start, res, err, out.String())
		}
	}
}
