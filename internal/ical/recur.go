package ical

import (
	"math/bits"
	"sort"
)

// dateRule is the set of local dates an RRULE produces for a given DTSTART date d0. Every method
// answers arithmetically or by looking at a few months, never by enumerating from d0, so that a
// decision costs the same in the first week of a rule and twenty years later.
type dateRule interface {
	// next returns the smallest rule date >= d (and >= d0).
	next(d int) (int, bool)
	// prev returns the largest rule date <= d, provided it is >= d0.
	prev(d int) (int, bool)
	// nth returns the rule date with index n (0-based) counted from d0.
	nth(n int) (int, bool)
}

// cycleMonths is the length of the Gregorian cycle in months: 400 years, after which weekdays,
// month lengths and leap years repeat. A monthly or yearly rule that yields no date in that
// many of its months yields none at all.
const cycleMonths = 4800

// daily is FREQ=DAILY: the dates d0 + k*interval whose weekday is in mask.
type daily struct {
	d0, interval int
	// The weekday of d0 + k*interval repeats with a period of 1 or 7 steps; ks lists the
	// steps within one period whose weekday is in the mask.
	period int
	ks     []int
}

func newDaily(d0, interval int, mask uint8) *daily {
	r := &daily{d0: d0, interval: interval, period: 7}
	if interval%7 == 0 {
		r.period = 1
	}
	for k := 0; k < r.period; k++ {
		if mask&(1<<weekdayOf(d0+k*interval)) != 0 {
			r.ks = append(r.ks, k)
		}
	}
	return r
}

func (r *daily) day(k int) (int, bool) {
	d := r.d0 + k*r.interval
	return d, d <= maxDay
}

func (r *daily) next(d int) (int, bool) {
	if len(r.ks) == 0 || d > maxDay {
		return 0, false
	}
	d = max(d, r.d0)
	k := (d - r.d0 + r.interval - 1) / r.interval
	q, rem := k/r.period, k%r.period
	if i := sort.SearchInts(r.ks, rem); i < len(r.ks) {
		return r.day(q*r.period + r.ks[i])
	}
	return r.day((q+1)*r.period + r.ks[0])
}

func (r *daily) prev(d int) (int, bool) {
	if len(r.ks) == 0 || d < r.d0 {
		return 0, false
	}
	k := (d - r.d0) / r.interval
	q, rem := k/r.period, k%r.period
	if i := sort.SearchInts(r.ks, rem+1); i > 0 {
		return r.day(q*r.period + r.ks[i-1])
	}
	if q == 0 {
		return 0, false
	}
	return r.day((q-1)*r.period + r.ks[len(r.ks)-1])
}

func (r *daily) nth(n int) (int, bool) {
	if len(r.ks) == 0 {
		return 0, false
	}
	c := len(r.ks)
	return r.day(n/c*r.period + r.ks[n%c])
}

// weekly is FREQ=WEEKLY: in every interval-th week (weeks begin on WKST, counted from the week
// of d0) the days whose offsets from the week start are listed in offs.
type weekly struct {
	d0, ws0, span int
	offs          []int // sorted, non-empty, 0..6
	first         int   // index into offs of the first date >= d0 in week 0
}

func newWeekly(d0, interval, wkst int, mask uint8) *weekly {
	r := &weekly{d0: d0, ws0: d0 - floorMod(weekdayOf(d0)-wkst, 7), span: 7 * interval}
	for off := 0; off < 7; off++ {
		if mask&(1<<floorMod(wkst+off, 7)) != 0 {
			r.offs = append(r.offs, off)
		}
	}
	r.first = sort.SearchInts(r.offs, d0-r.ws0)
	return r
}

func (r *weekly) day(p, i int) (int, bool) {
	d := r.ws0 + p*r.span + r.offs[i]
	return d, d <= maxDay
}

func (r *weekly) next(d int) (int, bool) {
	if d > maxDay {
		return 0, false
	}
	d = max(d, r.d0)
	rel := d - r.ws0
	p, w := rel/r.span, rel%r.span
	if w < 7 {
		if i := sort.SearchInts(r.offs, w); i < len(r.offs) {
			return r.day(p, i)
		}
	}
	return r.day(p+1, 0)
}

func (r *weekly) prev(d int) (int, bool) {
	if d < r.d0 {
		return 0, false
	}
	rel := d - r.ws0
	p, w := rel/r.span, min(rel%r.span, 6)
	i := sort.SearchInts(r.offs, w+1) - 1
	if i < 0 {
		if p == 0 {
			return 0, false
		}
		p, i = p-1, len(r.offs)-1
	}
	if p == 0 && i < r.first {
		return 0, false
	}
	return r.day(p, i)
}

func (r *weekly) nth(n int) (int, bool) {
	c0 := len(r.offs) - r.first // dates of the first week on or after d0
	if n < c0 {
		return r.day(0, r.first+n)
	}
	n -= c0
	return r.day(1+n/len(r.offs), n%len(r.offs))
}

// ordinal is a BYDAY entry such as 2MO (n = 2) or -1FR (n = -1); n = 0 means every such
// weekday of the month.
type ordinal struct{ wd, n int }

// daySpec selects days within one month: BYMONTHDAY and BYDAY, intersected when both are given
// (RFC 5545 §3.3.10: BYDAY limits BYMONTHDAY), or DTSTART's day of the month when neither is.
type daySpec struct {
	monthDays []int
	byDay     []ordinal
	dom0      int
}

// mask returns the selected days of month y-m as bits 1..31.
func (s *daySpec) mask(y, m int) uint32 {
	n := daysIn(y, m)
	if len(s.monthDays) == 0 && len(s.byDay) == 0 {
		if s.dom0 > n {
			return 0
		}
		return 1 << s.dom0
	}
	all := uint32(1<<(n+1)) - 2
	md, wd := all, all
	if len(s.monthDays) > 0 {
		md = 0
		for _, v := range s.monthDays {
			if v < 0 {
				v += n + 1
			}
			if v >= 1 && v <= n {
				md |= 1 << v
			}
		}
	}
	if len(s.byDay) > 0 {
		wd = s.weekdayMask(n, weekdayOf(daysFromCivil(y, m, 1)))
	}
	return md & wd
}

// weekdayMask returns the days of a month of n days whose first day has weekday first that
// BYDAY selects.
func (s *daySpec) weekdayMask(n, first int) uint32 {
	var mask uint32
	for _, o := range s.byDay {
		d1 := 1 + floorMod(o.wd-first, 7) // first such weekday of the month
		switch {
		case o.n == 0:
			for d := d1; d <= n; d += 7 {
				mask |= 1 << d
			}
		case o.n > 0:
			if d := d1 + 7*(o.n-1); d <= n {
				mask |= 1 << d
			}
		default:
			last := d1 + 7*((n-d1)/7)
			if d := last + 7*(o.n+1); d >= 1 {
				mask |= 1 << d
			}
		}
	}
	return mask
}

// monthly is FREQ=MONTHLY and FREQ=YEARLY: both select days within eligible months. For MONTHLY
// every interval-th month from DTSTART's month is eligible; for YEARLY the months in months of
// every interval-th year from DTSTART's year.
type monthly struct {
	d0, mi0, y0, interval int
	yearly                bool
	months                uint16 // bits 1..12, YEARLY only
	days                  daySpec
	productive            bool
}

func newMonthly(d0, interval int, yearly bool, months uint16, days daySpec) *monthly {
	y, m, _ := civilFromDays(d0)
	r := &monthly{d0: d0, mi0: monthIndex(y, m), y0: y, interval: interval, yearly: yearly, months: months, days: days}
	r.productive = true
	_, r.productive = r.scanNext(d0)
	return r
}

// nextEligible returns the first eligible month index >= mi.
func (r *monthly) nextEligible(mi int) int {
	mi = max(mi, r.mi0)
	if !r.yearly {
		if rem := (mi - r.mi0) % r.interval; rem != 0 {
			mi += r.interval - rem
		}
		return mi
	}
	y, m := monthOf(mi)
	if rem := (y - r.y0) % r.interval; rem != 0 {
		y, m = y+r.interval-rem, 1
	}
	if later := r.months >> m << m; later != 0 {
		return monthIndex(y, bits.TrailingZeros16(later))
	}
	return monthIndex(y+r.interval, bits.TrailingZeros16(r.months))
}

// prevEligible returns the last eligible month index <= mi, or false before DTSTART's month.
func (r *monthly) prevEligible(mi int) (int, bool) {
	if mi < r.mi0 {
		return 0, false
	}
	if !r.yearly {
		return mi - (mi-r.mi0)%r.interval, true
	}
	y, m := monthOf(mi)
	if rem := (y - r.y0) % r.interval; rem != 0 {
		y, m = y-rem, 12
	}
	if earlier := r.months & (1<<(m+1) - 1); earlier != 0 {
		return monthIndex(y, 15-bits.LeadingZeros16(earlier)), true
	}
	if y -= r.interval; y < r.y0 {
		return 0, false
	}
	return monthIndex(y, 15-bits.LeadingZeros16(r.months)), true
}

func (r *monthly) next(d int) (int, bool) {
	if !r.productive {
		return 0, false
	}
	return r.scanNext(d)
}

// scanNext looks for the next date month by month over at most one Gregorian cycle.
func (r *monthly) scanNext(d int) (int, bool) {
	d = max(d, r.d0)
	y, m, dom := civilFromDays(d)
	mi := monthIndex(y, m)
	for range cycleMonths + 12 {
		e := r.nextEligible(mi)
		if e != mi {
			dom = 1
		}
		ey, em := monthOf(e)
		if ey > 9999 {
			return 0, false
		}
		if mask := r.days.mask(ey, em) >> dom << dom; mask != 0 {
			return daysFromCivil(ey, em, bits.TrailingZeros32(mask)), true
		}
		mi, dom = e+1, 1
	}
	return 0, false
}

func (r *monthly) prev(d int) (int, bool) {
	if !r.productive || d < r.d0 {
		return 0, false
	}
	y, m, dom := civilFromDays(d)
	mi := monthIndex(y, m)
	for range cycleMonths + 12 {
		e, ok := r.prevEligible(mi)
		if !ok {
			return 0, false
		}
		if e != mi {
			dom = 31
		}
		ey, em := monthOf(e)
		if mask := r.days.mask(ey, em) & (1<<(dom+1) - 1); mask != 0 {
			if p := daysFromCivil(ey, em, 31-bits.LeadingZeros32(mask)); p >= r.d0 {
				return p, true
			}
			return 0, false
		}
		mi, dom = e-1, 31
	}
	return 0, false
}

// nth counts dates month by month; a COUNT is at most a few thousand, so this runs once per
// event at parse time.
func (r *monthly) nth(n int) (int, bool) {
	if !r.productive {
		return 0, false
	}
	y, m, dom := civilFromDays(r.d0)
	mi := monthIndex(y, m)
	for {
		e := r.nextEligible(mi)
		if e != mi {
			dom = 1
		}
		ey, em := monthOf(e)
		if ey > 9999 {
			return 0, false
		}
		mask := r.days.mask(ey, em) >> dom << dom
		if c := bits.OnesCount32(mask); n >= c {
			n -= c
			mi, dom = e+1, 1
			continue
		}
		for range n {
			mask &= mask - 1
		}
		return daysFromCivil(ey, em, bits.TrailingZeros32(mask)), true
	}
}
