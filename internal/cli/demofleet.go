package cli

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"strings"
	"text/template"
	"time"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/locksim"
)

// demoScenario is the demo's fleet, a scenario file with the weekday of its mornings left to
// fill in (demoScenarioAt).
//
//go:embed demo.sim
var demoScenario string

// demoSeed makes the fleet's keys and readings, and so its timeline, the same in every demo.
const demoSeed = 1

// demoZone is the zone of demo.sim.
const demoZone = "Europe/Vienna"

// demoFleet is what the guide names of the fleet after its run: the bound locks' ids by title.
type demoFleet struct {
	locks map[string]string
}

// runDemoFleet plays the demo's scenario against the demo's server at d.base, in the demo's
// account, printing its timeline; octx carries the operator, who registers the locks and the
// simulator's clients. now is the server's clock, which the world starts from.
func runDemoFleet(ctx, octx context.Context, s keyward.Services, d *demoData, now time.Time, out io.Writer) (*demoFleet, error) {
	start := simStart(now)
	sc, err := demoScenarioAt(start)
	if err != nil {
		return nil, err
	}
	r, err := simRemote(ctx, octx, s, d.base, d.ownerID)
	if err != nil {
		return nil, err
	}
	if err := reportSim(locksim.Run(ctx, sc, locksim.Options{Seed: demoSeed, Start: start, Backend: r, Out: out})); err != nil {
		return nil, fmt.Errorf("the demo fleet: %w", err)
	}
	locks, err := r.Account().BoundLocks(ctx, nil)
	if err != nil {
		return nil, err
	}
	f := &demoFleet{locks: map[string]string{}}
	for _, l := range locks {
		f.locks[l.Title] = l.ID
	}
	return f, nil
}

// demoScenarioAt parses the demo's scenario for a world that starts at start.
func demoScenarioAt(start time.Time) (*locksim.Scenario, error) {
	zone, err := time.LoadLocation(demoZone)
	if err != nil {
		return nil, err
	}
	var text strings.Builder
	t := template.Must(template.New("demo.sim").Parse(demoScenario))
	if err := t.Execute(&text, map[string]string{"Weekday": demoWeekday(start, zone).String()}); err != nil {
		return nil, err
	}
	return locksim.ParseScenario("demo.sim", strings.NewReader(text.String()))
}

// demoWeekday is the first weekday, Monday to Friday, whose 07:45 in zone comes after start:
// the day of Ana's mornings, at most three days ahead, so that the whole run stays
// well within the seven days a key issued at the start lasts.
func demoWeekday(start time.Time, zone *time.Location) time.Weekday {
	y, m, d := start.In(zone).Date()
	for i := 0; ; i++ {
		t := time.Date(y, m, d+i, 7, 45, 0, 0, zone)
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday && t.After(start) {
			return wd
		}
	}
}
