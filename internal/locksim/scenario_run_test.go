package locksim

import (
	"bytes"
	"context"
	"os"
	"testing"
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
	if res.Failed != 0 || res.Expectations != 11 {
		t.Fatalf("%d of %d expectations failed", res.Failed, res.Expectations)
	}
}
