package ical

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

func TestCivil_MatchesTimePackage(t *testing.T) {
	for _, start := range []time.Time{
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1899, 12, 25, 0, 0, 0, 0, time.UTC),
		time.Date(1969, 12, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2099, 12, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 1, 0, 0, 0, 0, time.UTC),
	} {
		for i := range 800 {
			tm := start.AddDate(0, 0, i)
			day := int(floorDiv(tm.Unix(), secondsPerDay))
			if got := daysFromCivil(tm.Year(), int(tm.Month()), tm.Day()); got != day {
				t.Fatalf("daysFromCivil(%s) = %d, want %d", tm.Format(time.DateOnly), got, day)
			}
			y, m, d := civilFromDays(day)
			if y != tm.Year() || m != int(tm.Month()) || d != tm.Day() {
				t.Fatalf("civilFromDays(%d) = %d-%d-%d, want %s", day, y, m, d, tm.Format(time.DateOnly))
			}
			if got, want := weekdayOf(day), (int(tm.Weekday())+6)%7; got != want {
				t.Fatalf("weekdayOf(%s) = %d, want %d", tm.Format(time.DateOnly), got, want)
			}
		}
	}
	if got := daysFromCivil(1, 1, 1); got != minDay {
		t.Errorf("minDay = %d, want %d", minDay, got)
	}
	if got := daysFromCivil(9999, 12, 31); got != maxDay {
		t.Errorf("maxDay = %d, want %d", maxDay, got)
	}
}

// naiveMember decides membership of one date by the definitions of RFC 5545 directly, day by
// day, as an independent reference for the arithmetic of dateRule.
func naiveMember(r *recurrence, d0, d int) bool {
	if d < d0 {
		return false
	}
	y, m, dom := civilFromDays(d)
	y0, m0, dom0 := civilFromDays(d0)
	wd := weekdayOf(d)
	switch r.freq {
	case freqDaily:
		return (d-d0)%r.interval == 0 && (len(r.byDay) == 0 || r.weekdayMask()&(1<<wd) != 0)
	case freqWeekly:
		ws := func(x int) int { return x - floorMod(weekdayOf(x)-r.wkst, 7) }
		mask := r.weekdayMask()
		if mask == 0 {
			mask = 1 << weekdayOf(d0)
		}
		return (ws(d)-ws(d0))/7%r.interval == 0 && mask&(1<<wd) != 0
	case freqMonthly:
		return (monthIndex(y, m)-monthIndex(y0, m0))%r.interval == 0 && naiveDay(r, y, m, dom, dom0)
	}
	months := r.months
	if months == 0 {
		months = 1 << m0
		if len(r.monthDays) > 0 {
			months = 0x1ffe
		}
	}
	return (y-y0)%r.interval == 0 && months&(1<<m) != 0 && naiveDay(r, y, m, dom, dom0)
}

func naiveDay(r *recurrence, y, m, dom, dom0 int) bool {
	n := daysIn(y, m)
	if len(r.monthDays) == 0 && len(r.byDay) == 0 {
		return dom == dom0
	}
	okMD, okWD := len(r.monthDays) == 0, len(r.byDay) == 0
	for _, v := range r.monthDays {
		okMD = okMD || v == dom || n+1+v == dom
	}
	wd := weekdayOf(daysFromCivil(y, m, dom))
	for _, o := range r.byDay {
		okWD = okWD || (o.wd == wd && (o.n == 0 || (dom-1)/7+1 == o.n || (n-dom)/7+1 == -o.n))
	}
	return okMD && okWD
}

// randomRecurrence draws a rule of the accepted subset, including rules that match rarely
// (leap days, the 5th weekday, the 31st) or never.
func randomRecurrence(rng *rand.Rand) *recurrence {
	r := &recurrence{freq: freq(1 + rng.IntN(4)), interval: 1, wkst: rng.IntN(7)}
	if rng.IntN(2) == 0 {
		r.interval = 1 + rng.IntN(14)
	}
	plain := r.freq == freqDaily || r.freq == freqWeekly
	if rng.IntN(3) > 0 && (r.freq != freqYearly || rng.IntN(2) == 0) {
		for range 1 + rng.IntN(4) {
			o := ordinal{wd: rng.IntN(7)}
			if !plain && rng.IntN(2) == 0 {
				o.n = []int{1, 2, 3, 4, 5, -1, -2, -5}[rng.IntN(8)]
			}
			r.byDay = append(r.byDay, o)
		}
	}
	if !plain && rng.IntN(3) == 0 {
		for range 1 + rng.IntN(3) {
			r.monthDays = append(r.monthDays, []int{1, 13, 15, 28, 29, 30, 31, -1, -3}[rng.IntN(9)])
		}
	}
	if r.freq == freqYearly && (len(r.byDay) > 0 || rng.IntN(2) == 0) {
		for range 1 + rng.IntN(3) {
			r.months |= 1 << (1 + rng.IntN(12))
		}
	}
	return r
}

func TestDateRule_MatchesNaiveDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(5545, 1))
	rules := 600
	if testing.Short() {
		rules = 100
	}
	for i := range rules {
		r := randomRecurrence(rng)
		d0 := daysFromCivil(1990+rng.IntN(60), 1+rng.IntN(12), 1+rng.IntN(28))
		span := 800
		if r.freq >= freqMonthly {
			span = 3000
		}
		var members []int
		for d := d0; d < d0+span; d++ {
			if naiveMember(r, d0, d) {
				members = append(members, d)
			}
		}
		g := r.bind(d0)
		check := func(call string, got int, ok bool, want int, wantOK bool) {
			t.Helper()
			if ok != wantOK || (ok && got != want) {
				t.Fatalf("rule %d %+v from %v: %s = %v %v, want %v %v", i, *r, day(d0), call, day(got), ok, day(want), wantOK)
			}
		}
		for j, m := range members {
			got, ok := g.nth(j)
			check(fmt.Sprintf("nth(%d)", j), got, ok, m, true)
		}
		k := 0
		for d := d0 - 3; d < d0+span-400; d++ {
			for k < len(members) && members[k] < d {
				k++
			}
			j := k
			if k < len(members) && members[k] == d {
				j++
			}
			got, ok := g.prev(d)
			check("prev("+day(d)+")", got, ok, elem(members, j-1), j > 0)
			got, ok = g.next(d)
			if k < len(members) {
				check("next("+day(d)+")", got, ok, members[k], true)
			} else if ok && got < d0+span {
				t.Fatalf("rule %d %+v from %v: next(%v) = %v, want none before %v", i, *r, day(d0), day(d), day(got), day(d0+span))
			}
		}
	}
}

func elem(s []int, i int) int {
	if i < 0 || i >= len(s) {
		return 0
	}
	return s[i]
}

// day formats a day number for messages.
func day(d int) string {
	y, m, dd := civilFromDays(d)
	return time.Date(y, time.Month(m), dd, 0, 0, 0, 0, time.UTC).Format("2006-01-02 Mon")
}
