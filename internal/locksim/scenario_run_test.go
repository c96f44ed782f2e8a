package locksim_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/locksim"
)

// TestRun plays the scenarios of testdata and the documentation's example on real servers, on
// the scenarios' own time.
func TestRun(t *testing.T) {
	forEachServer(t, func(t *testing.T, s *server) {
		t.Run("ViennaMondays", func(t *testing.T) {
			out, res := s.run(t, scenario(t, "testdata/vienna-mondays.sim"), locksim.Options{Seed: 1})
			t.Log("\n" + out)
			if res.Failed != 0 || res.Expectations != 9 {
				t.Fatalf("%d of %d expectations failed", res.Failed, res.Expectations)
			}
		})
		t.Run("Faults", func(t *testing.T) {
			out, res := s.run(t, scenario(t, "testdata/faults.sim"), locksim.Options{Seed: 7})
			t.Log("\n" + out)
			if res.Failed != 0 || res.Expectations != 12 {
				t.Fatalf("%d of %d expectations failed", res.Failed, res.Expectations)
			}
		})
		t.Run("Cards", func(t *testing.T) {
			out, res := s.run(t, scenario(t, "testdata/cards.sim"), locksim.Options{Seed: 3})
			t.Log("\n" + out)
			if res.Failed != 0 || res.Expectations != 9 {
				t.Fatalf("%d of %d expectations failed", res.Failed, res.Expectations)
			}
		})
		t.Run("Deterministic", func(t *testing.T) { testDeterministic(t, s) })
		t.Run("ExpectationFails", func(t *testing.T) { testExpectationFails(t, s) })
		t.Run("TimeGoesForward", func(t *testing.T) { testTimeGoesForward(t, s) })
		t.Run("Example", func(t *testing.T) { testExample(t, s) })
	})
}

// testDeterministic: the same seed gives the same timeline but for the server's ids (on another
// server, which has not seen the phones' keys yet); another seed other keys, and the same
// decisions.
func testDeterministic(t *testing.T, s *server) {
	sc := scenario(t, "testdata/faults.sim")
	first, _ := s.run(t, sc, locksim.Options{Seed: 42})
	again, _ := newServer(t, s.engine).run(t, sc, locksim.Options{Seed: 42})
	if diff := cmp.Diff(masked(first), masked(again)); diff != "" {
		t.Fatalf("two runs with seed 42 differ (-first +again):\n%s", diff)
	}
	other, _ := s.run(t, sc, locksim.Options{Seed: 43})
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

// testExpectationFails: a failed expect line is counted and shown with its line, and the run
// goes on.
func testExpectationFails(t *testing.T, s *server) {
	src := "start 2027-03-22 08:00\nlock door\nphone ph user ann\ngrant g ann door\n" +
		"at +1h ph opens door\nexpect door Denied Expired\nexpect g Revoked\nexpect door sync Ok\n"
	sc, err := locksim.ParseScenario("fail.sim", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	out, res := s.run(t, sc, locksim.Options{Seed: 3})
	if res.Expectations != 3 || res.Failed != 2 {
		t.Fatalf("Run = %+v\n%s", res, out)
	}
	for _, want := range []string{
		"2027-03-22 09:00 UTC (09:00Z)  door       EXPECTATION FAILED (fail.sim:6)  want Denied Expired, got Allowed\n",
		"2027-03-22 09:00 UTC (09:00Z)  g          EXPECTATION FAILED (fail.sim:7)  want Revoked, got Ok\n",
		"2027-03-22 09:00 UTC (09:00Z)  door       expect sync Ok  ok\n",
		"2027-03-22 09:00 UTC (09:00Z)  end        1 of 3 expectations met\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the timeline lacks %q:\n%s", want, out)
		}
	}
}

// testTimeGoesForward: a step before the world's time is refused with its line.
func testTimeGoesForward(t *testing.T, s *server) {
	src := "start 2027-03-22 08:00\nlock door\nphone ph user ann\nat day 1 09:00 ph opens door\nat day 0 10:00 ph opens door\n"
	sc, err := locksim.ParseScenario("back.sim", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	_, err = locksim.Run(context.Background(), sc, s.options(t, sc, locksim.Options{Seed: 2}))
	want := "back.sim:5: the step's time 2027-03-22T10:00:00Z lies before the world's time 2027-03-23T09:00:00Z"
	if err == nil || err.Error() != want {
		t.Fatalf("Run = %v, want %s", err, want)
	}
}

// testExample: the example of the documentation holds, whatever weekday the world starts on.
func testExample(t *testing.T, s *server) {
	sc := scenario(t, "../../examples/front-door.sim")
	for day := range 7 {
		start := time.Date(2027, 3, 22+day, 10, 0, 0, 0, time.UTC)
		out, res := s.run(t, sc, locksim.Options{Seed: uint64(10 + day), Start: start}) // a phone's key is registered once
		if res.Failed != 0 || res.Expectations != 8 {
			t.Fatalf("start %s: %+v\n%s", start, res, out)
		}
	}
}
