package ical

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/teambition/rrule-go"
)

// The oracle test compares Allows, Windows and Next with occurrences computed by
// github.com/teambition/rrule-go (a port of python-dateutil) for thousands of generated rules.
// rrule-go and this package define some things differently, so the comparison is restricted to
// where both definitions agree:
//
//   - rrule-go builds every occurrence with time.Date, which leaves local times in a DST gap or
//     overlap unspecified (in practice it moves a skipped 02:30 backwards in New York and
//     forwards in Vienna, and picks the second of two repeated times in Vienna). This package
//     follows RFC 5545 §3.3.5 (offset before the gap; first of the repeated times). So DTSTART,
//     DTEND, UNTIL and EXDATE are generated at local times that exist exactly once, and instants
//     within three hours of an occurrence whose start or end falls into a gap or an overlap are
//     not compared. The DST behaviour itself is pinned by TestAllows_DaylightSaving.
//   - rrule-go omits DTSTART when the rule does not produce it, while RFC 5545 §3.8.5.3 counts it
//     as the first occurrence. The oracle set is therefore DTSTART plus rrule-go's occurrences,
//     with COUNT reduced by one when DTSTART is not among them.
//   - rrule-go intersects plain and ordinal BYDAY values (BYDAY=MO,1TU yields nothing but first
//     Tuesdays that are Mondays); RFC 5545 unites them. The generator never mixes the two in one
//     rule; TestDateRule_MatchesNaiveDefinition covers mixed lists.
//   - rrule-go finds dates by adding days to local midnight, which goes wrong in zones that skip
//     midnight itself, so the zones below change their clocks at other hours.
//
// Ends are computed here from the RFC: DTEND-based events last exactly DTEND−DTSTART, DURATION
// adds its days on the wall clock and then its time part as elapsed time.
var oracleZones = []string{"Europe/Vienna", "America/New_York", "Australia/Sydney", "Asia/Kolkata",
	"Australia/Lord_Howe", "Europe/London", "UTC"}

const oracleHorizon = 400 * 24 * time.Hour

// wall is a local date and time of day.
type wall struct{ y, mo, d, h, mi, s int }

func wallOf(t time.Time) wall {
	return wall{t.Year(), int(t.Month()), t.Day(), t.Hour(), t.Minute(), t.Second()}
}

func (w wall) in(loc *time.Location) time.Time {
	return time.Date(w.y, time.Month(w.mo), w.d, w.h, w.mi, w.s, 0, loc)
}

func (w wall) String() string {
	return fmt.Sprintf("%04d%02d%02dT%02d%02d%02d", w.y, w.mo, w.d, w.h, w.mi, w.s)
}

// regular reports whether the clock of loc shows w exactly once. It is written with the time
// package only, independently of the zone code under test.
func regular(loc *time.Location, w wall) bool {
	u := w.in(loc)
	if wallOf(u) != w {
		return false // skipped
	}
	for _, d := range []time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour} {
		if wallOf(u.Add(d).In(loc)) == w || wallOf(u.Add(-d).In(loc)) == w {
			return false // shown twice
		}
	}
	return true
}

// transitions lists the instants at which loc changes its offset between from and to. A period
// end that is not after the instant asked about (golang/go#81583) or that does not change the
// offset is stepped over.
func transitions(loc *time.Location, from, to time.Time) []time.Time {
	var out []time.Time
	for t := from; t.Before(to); {
		_, end := t.In(loc).ZoneBounds()
		if end.IsZero() {
			break
		}
		if !end.After(t) {
			end = t.Add(24 * time.Hour)
		}
		if !end.Before(to) {
			break
		}
		_, a := end.Add(-time.Second).In(loc).Zone()
		_, b := end.In(loc).Zone()
		if a != b {
			out = append(out, end)
		}
		t = end
	}
	return out
}

// generated is one random event with its iCalendar text and its rrule-go options.
type generated struct {
	loc     *time.Location
	zone    string
	start   wall
	opt     rrule.ROption
	hasRule bool
	ical    []string // RRULE, DTEND or DURATION and EXDATE lines
	exact   time.Duration
	days    int
	until   *time.Time // the UNTIL as rrule-go reads it, for the safety margin
	exdates []time.Time
}

func (g *generated) text() string {
	props := []string{"DTSTART" + g.tzParam() + ":" + g.start.String() + g.z()}
	return oneEvent(append(props, g.ical...)...)
}

func (g *generated) tzParam() string {
	if g.zone == "UTC" {
		return ""
	}
	return ";TZID=" + g.zone
}

func (g *generated) z() string {
	if g.zone == "UTC" {
		return "Z"
	}
	return ""
}

// generator draws events from a seeded source.
type generator struct {
	rng     *rand.Rand
	skipped int // draws rejected because a generated local time was irregular
}

func (gen *generator) event() *generated {
	for {
		if g := gen.try(); g != nil {
			return g
		}
		gen.skipped++
	}
}

// try draws one event, or nil when a local time it needs is not regular.
func (gen *generator) try() *generated {
	rng := gen.rng
	name := oracleZones[rng.IntN(len(oracleZones))]
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	g := &generated{loc: loc, zone: name, start: gen.startWall(loc)}
	if !regular(loc, g.start) {
		return nil
	}
	dtstart := g.start.in(loc)
	if !gen.length(g, dtstart) {
		return nil
	}
	g.hasRule = rng.IntN(10) > 0
	if g.hasRule {
		gen.rule(g, dtstart)
		if !gen.limit(g, dtstart) {
			return nil
		}
	}
	gen.exdate(g)
	return g
}

// startWall picks DTSTART: often on or next to a day on which the zone changes its clock, at
// an hour near the change, so that later occurrences hit the gap or the overlap.
func (gen *generator) startWall(loc *time.Location) wall {
	rng := gen.rng
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, loc)
	ts := transitions(loc, base, base.AddDate(4, 0, 0))
	if len(ts) > 0 && rng.IntN(10) < 4 {
		tr := ts[rng.IntN(len(ts))].In(loc).AddDate(0, 0, rng.IntN(9)-7)
		w := wallOf(tr)
		w.h, w.mi, w.s = (w.h+rng.IntN(5)+22)%24, 15*rng.IntN(4), 0
		return w
	}
	d := base.AddDate(0, 0, rng.IntN(4*365))
	w := wall{d.Year(), int(d.Month()), d.Day(), rng.IntN(24), 15 * rng.IntN(4), 0}
	if rng.IntN(5) == 0 {
		w.mi, w.s = rng.IntN(60), rng.IntN(60)
	}
	return w
}

// length sets DTEND (an exact length) or DURATION (nominal days, exact time).
func (gen *generator) length(g *generated, dtstart time.Time) bool {
	rng := gen.rng
	if rng.IntN(2) == 0 {
		lengths := []time.Duration{15 * time.Minute, time.Hour, 4 * time.Hour, 8 * time.Hour, 10 * time.Hour, 23 * time.Hour, 25 * time.Hour, 30 * time.Hour}
		end := dtstart.Add(lengths[rng.IntN(len(lengths))] + time.Duration(rng.IntN(4))*15*time.Minute).In(g.loc)
		if !regular(g.loc, wallOf(end)) {
			return false
		}
		g.exact = end.Sub(dtstart)
		g.ical = append(g.ical, "DTEND"+g.tzParam()+":"+wallOf(end).String()+g.z())
		return true
	}
	durs := []struct {
		text  string
		days  int
		exact time.Duration
	}{{"PT15M", 0, 15 * time.Minute}, {"PT1H", 0, time.Hour}, {"PT4H30M", 0, 4*time.Hour + 30*time.Minute}, {"PT8H", 0, 8 * time.Hour},
		{"PT25H", 0, 25 * time.Hour}, {"P1D", 1, 0}, {"P1DT2H", 1, 2 * time.Hour}, {"P2D", 2, 0}, {"P1W", 7, 0}}
	d := durs[rng.IntN(len(durs))]
	g.days, g.exact = d.days, d.exact
	g.ical = append(g.ical, "DURATION:"+d.text)
	return true
}

var rruleDays = []rrule.Weekday{rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU}

// rule draws FREQ, INTERVAL, WKST and the BY parts.
func (gen *generator) rule(g *generated, dtstart time.Time) {
	rng := gen.rng
	freqs := []struct {
		name string
		f    rrule.Frequency
	}{{"DAILY", rrule.DAILY}, {"WEEKLY", rrule.WEEKLY}, {"WEEKLY", rrule.WEEKLY}, {"MONTHLY", rrule.MONTHLY}, {"YEARLY", rrule.YEARLY}}
	f := freqs[rng.IntN(len(freqs))]
	g.opt = rrule.ROption{Freq: f.f, Dtstart: dtstart, Interval: 1}
	parts := []string{"FREQ=" + f.name}
	if rng.IntN(10) < 3 {
		g.opt.Interval = 2 + rng.IntN(3)
		parts = append(parts, fmt.Sprintf("INTERVAL=%d", g.opt.Interval))
	}
	if rng.IntN(10) < 4 {
		wk := rng.IntN(7)
		g.opt.Wkst = rruleDays[wk]
		parts = append(parts, "WKST="+weekdayCodes[wk])
	}
	switch f.f {
	case rrule.DAILY, rrule.WEEKLY:
		if rng.IntN(10) < 6 {
			parts = append(parts, gen.byDay(g, false))
		}
	case rrule.MONTHLY:
		if rng.IntN(10) < 6 {
			parts = append(parts, gen.byDay(g, rng.IntN(2) == 0))
		}
		if rng.IntN(10) < 3 {
			parts = append(parts, gen.byMonthDay(g))
		}
	case rrule.YEARLY:
		if rng.IntN(10) < 6 {
			months := map[int]bool{}
			for range 1 + rng.IntN(3) {
				months[1+rng.IntN(12)] = true
			}
			var list []string
			for m := range 13 {
				if months[m] {
					g.opt.Bymonth = append(g.opt.Bymonth, m)
					list = append(list, fmt.Sprint(m))
				}
			}
			parts = append(parts, "BYMONTH="+strings.Join(list, ","))
			if rng.IntN(10) < 4 {
				parts = append(parts, gen.byDay(g, rng.IntN(3) > 0))
			}
		}
		if rng.IntN(10) < 2 {
			parts = append(parts, gen.byMonthDay(g))
		}
	}
	g.ical = append(g.ical, "RRULE:"+strings.Join(parts, ";"))
}

// byDay draws plain weekdays or, with ordinals, weekdays within the month.
func (gen *generator) byDay(g *generated, ordinals bool) string {
	rng := gen.rng
	var list []string
	for _, wd := range rng.Perm(7)[:1+rng.IntN(5)] {
		n := 0
		if ordinals {
			n = []int{1, 2, 3, 4, 5, -1, -2}[rng.IntN(7)]
		}
		g.opt.Byweekday = append(g.opt.Byweekday, rruleDays[wd].Nth(n))
		if n != 0 {
			list = append(list, fmt.Sprintf("%d%s", n, weekdayCodes[wd]))
		} else {
			list = append(list, weekdayCodes[wd])
		}
	}
	return "BYDAY=" + strings.Join(list, ",")
}

func (gen *generator) byMonthDay(g *generated) string {
	var list []string
	for range 1 + gen.rng.IntN(3) {
		v := []int{1, 2, 10, 15, 28, 29, 30, 31, -1, -2, -7}[gen.rng.IntN(11)]
		g.opt.Bymonthday = append(g.opt.Bymonthday, v)
		list = append(list, fmt.Sprint(v))
	}
	return "BYMONTHDAY=" + strings.Join(list, ",")
}

// limit adds COUNT or UNTIL (UTC, local, or a DATE) to the RRULE line.
func (gen *generator) limit(g *generated, dtstart time.Time) bool {
	rng := gen.rng
	rule := &g.ical[len(g.ical)-1]
	switch rng.IntN(10) {
	case 0, 1, 2:
		g.opt.Count = 1 + rng.IntN(40)
		*rule += fmt.Sprintf(";COUNT=%d", g.opt.Count)
	case 3, 4, 5:
		u := dtstart.Add(time.Duration(rng.IntN(300*24)) * time.Hour).Add(time.Duration(rng.IntN(3600)) * time.Second).In(g.loc)
		w := wallOf(u)
		switch form := rng.IntN(3); {
		case form == 0 || g.zone == "UTC" && form == 1:
			*rule += ";UNTIL=" + wallOf(u.UTC()).String() + "Z"
		case form == 1:
			if !regular(g.loc, w) {
				return false
			}
			*rule += ";UNTIL=" + w.String()
		default:
			*rule += ";UNTIL=" + w.String()[:8]
			end := wall{w.y, w.mo, w.d, 23, 59, 59}
			if !regular(g.loc, end) {
				return false
			}
			u = end.in(g.loc)
		}
		g.opt.Until, g.until = u, &u
	}
	return true
}

// exdate excludes some occurrences rrule-go produces at regular times, and one time that
// matches nothing.
func (gen *generator) exdate(g *generated) {
	rng := gen.rng
	if !g.hasRule || rng.IntN(10) < 6 {
		return
	}
	occ := g.ruleStarts(g.opt.Dtstart.Add(120 * 24 * time.Hour))
	var list []string
	for range 1 + rng.IntN(3) {
		if len(occ) == 0 {
			break
		}
		x := occ[rng.IntN(len(occ))]
		if w := wallOf(x); regular(g.loc, w) {
			g.exdates = append(g.exdates, x)
			list = append(list, w.String()+g.z())
		}
	}
	list = append(list, g.start.String()[:9]+"235959"+g.z())
	g.ical = append(g.ical, "EXDATE"+g.tzParam()+":"+strings.Join(list, ","))
	if w := g.start; regular(g.loc, wall{w.y, w.mo, w.d, 23, 59, 59}) {
		g.exdates = append(g.exdates, wall{w.y, w.mo, w.d, 23, 59, 59}.in(g.loc))
	}
}

// ruleStarts returns rrule-go's starts up to horizon.
func (g *generated) ruleStarts(horizon time.Time) []time.Time {
	r, err := rrule.NewRRule(g.opt)
	if err != nil {
		panic(err)
	}
	var out []time.Time
	next := r.Iterator()
	for t, ok := next(); ok && !t.After(horizon); t, ok = next() {
		out = append(out, t)
	}
	return out
}

// span is an occurrence or an interval of instants.
type span struct{ start, end time.Time }

// oracle returns the occurrences up to horizon as RFC 5545 defines them from rrule-go's dates,
// and the intervals where the two definitions may disagree.
func (g *generated) oracle(horizon time.Time) (occ, unsafe []span) {
	dtstart := g.start.in(g.loc)
	starts := []time.Time{dtstart}
	var probe []time.Time
	if g.hasRule {
		opt := g.opt
		first := g.ruleStarts(dtstart)
		synced := len(first) > 0 && first[0].Equal(dtstart)
		if !synced && opt.Count > 0 {
			opt.Count--
		}
		if synced || opt.Count > 0 || g.opt.Count == 0 {
			r := &generated{opt: opt}
			rs := r.ruleStarts(horizon)
			if synced {
				starts = rs
			} else {
				starts = append(starts, rs...)
			}
		}
		probeOpt := opt
		if g.until != nil {
			probeOpt.Until = g.until.Add(48 * time.Hour)
		}
		probe = (&generated{opt: probeOpt}).ruleStarts(horizon)
	}
	for _, s := range starts {
		if !containsTime(g.exdates, s) {
			occ = append(occ, span{s, g.end(s)})
		}
	}
	for _, s := range probe {
		w := wallOf(s)
		if w.h != g.start.h || w.mi != g.start.mi || w.s != g.start.s || !regular(g.loc, w) || !g.endRegular(s) {
			unsafe = append(unsafe, span{s.Add(-3 * time.Hour), g.end(s).Add(3 * time.Hour)})
		}
	}
	return occ, unsafe
}

func containsTime(list []time.Time, t time.Time) bool {
	for _, x := range list {
		if x.Equal(t) {
			return true
		}
	}
	return false
}

// end applies RFC 5545 §3.8.5.3 and §3.3.6 to one start.
func (g *generated) end(s time.Time) time.Time {
	if g.days == 0 {
		return s.Add(g.exact)
	}
	w := wallOf(s.In(g.loc))
	w.d += g.days
	return w.in(g.loc).Add(g.exact)
}

// endRegular reports whether the wall-clock end of a DURATION with days is a regular time.
func (g *generated) endRegular(s time.Time) bool {
	if g.days == 0 {
		return true
	}
	w := wallOf(s.In(g.loc))
	return regular(g.loc, wallOf(time.Date(w.y, time.Month(w.mo), w.d+g.days, w.h, w.mi, w.s, 0, g.loc)))
}

// spansClockChange reports whether an occurrence containing t starts and ends with different
// UTC offsets.
func spansClockChange(occ []span, t time.Time, loc *time.Location) bool {
	for _, o := range occ {
		if !t.Before(o.start) && t.Before(o.end) {
			_, a := o.start.In(loc).Zone()
			_, b := o.end.In(loc).Zone()
			if a != b {
				return true
			}
		}
	}
	return false
}

func inAny(spans []span, t time.Time) bool {
	for _, s := range spans {
		if !t.Before(s.start) && t.Before(s.end) {
			return true
		}
	}
	return false
}

func overlapsAny(spans []span, from, to time.Time) bool {
	for _, s := range spans {
		if s.start.Before(to) && from.Before(s.end) {
			return true
		}
	}
	return false
}

// oracleWindows merges the occurrences that intersect [from, to).
func oracleWindows(occ []span, from, to time.Time) []Window {
	sorted := append([]span(nil), occ...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].start.Before(sorted[j].start) })
	var out []Window
	for _, o := range sorted {
		if !o.start.Before(to) || !o.end.After(from) {
			continue
		}
		if n := len(out); n > 0 && !o.start.After(out[n-1].End) {
			if o.end.After(out[n-1].End) {
				out[n-1].End = o.end.UTC()
			}
			continue
		}
		out = append(out, Window{o.start.UTC(), o.end.UTC()})
	}
	return out
}

func TestOracle_RRuleGo(t *testing.T) {
	rules, perRule := 2000, 50
	if testing.Short() {
		rules = 300
	}
	gen := &generator{rng: rand.New(rand.NewPCG(20260105, 5545))}
	compared, allowed, across, windows := 0, 0, 0, 0
	for i := range rules {
		g := gen.event()
		text := g.text()
		c, err := Parse(text, DefaultLimits())
		if err != nil {
			t.Fatalf("rule %d: Parse: %v\n%s", i, err, text)
		}
		dtstart := g.start.in(g.loc)
		horizon := dtstart.Add(oracleHorizon)
		occ, unsafe := g.oracle(horizon)
		for _, at := range gen.instants(occ, dtstart, horizon, perRule) {
			if inAny(unsafe, at) {
				continue
			}
			compared++
			got, want := c.Allows(at), inAny(occ, at)
			if got {
				allowed++
				if spansClockChange(occ, at, g.loc) {
					across++
				}
			}
			if got != want {
				t.Fatalf("rule %d: Allows(%s) = %v, want %v\n%s", i, at.In(g.loc), got, want, text)
			}
		}
		from := dtstart.Add(time.Duration(gen.rng.IntN(300*24)-48) * time.Hour)
		to := from.Add(20 * 24 * time.Hour)
		margin := time.Duration(g.days+2)*24*time.Hour + g.exact
		if overlapsAny(unsafe, from.Add(-margin), to.Add(margin)) {
			continue
		}
		windows++
		want := oracleWindows(occ, from, to)
		if got := c.Windows(from, to, 1000); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("rule %d: Windows(%s, %s)\n got %v\nwant %v\n%s", i, from, to, got, want, text)
		}
		if len(want) > 0 && want[0].End.Before(to) {
			if got, ok := c.Next(from); !ok || got != want[0] {
				t.Fatalf("rule %d: Next(%s) = %v %v, want %v\n%s", i, from, got, ok, want[0], text)
			}
		}
	}
	t.Logf("%d rules (%d draws skipped for irregular local times), %d instants (%d allowed, %d of them in an occurrence across a clock change) and %d ranges compared",
		rules, gen.skipped, compared, allowed, across, windows)
	if compared < rules*perRule*3/4 || allowed < compared/5 || across < rules/4 || windows < rules/2 {
		t.Errorf("the comparison is too thin: %d of %d instants, %d allowed, %d across a clock change, %d ranges", compared, rules*perRule, allowed, across, windows)
	}
}

// instants picks decision times: at and next to occurrence boundaries, around clock changes,
// and uniformly over the horizon.
func (gen *generator) instants(occ []span, dtstart, horizon time.Time, n int) []time.Time {
	rng := gen.rng
	ts := transitions(dtstart.Location(), dtstart.Add(-48*time.Hour), horizon)
	out := make([]time.Time, 0, n)
	for len(out) < n {
		switch k := rng.IntN(10); {
		case k < 5 && len(occ) > 0:
			o := occ[rng.IntN(len(occ))]
			edge := []time.Time{o.start, o.end}[rng.IntN(2)]
			out = append(out, edge.Add(time.Duration(rng.IntN(3)-1)*time.Second))
		case k < 7 && len(ts) > 0:
			out = append(out, ts[rng.IntN(len(ts))].Add(time.Duration(rng.IntN(6*3600)-3*3600)*time.Second))
		default:
			out = append(out, dtstart.Add(-5*24*time.Hour+time.Duration(rng.Int64N(int64(horizon.Sub(dtstart))))))
		}
	}
	for i := range out {
		if out[i].After(horizon) {
			out[i] = horizon
		}
	}
	return out
}
