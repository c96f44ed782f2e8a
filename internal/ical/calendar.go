package ical

import (
	"math"
	"time"

	"github.com/keyward/keyward/internal/keyward"
)

// Limits bounds what Parse accepts, so that a time restriction fits the locks and its evaluation
// stays cheap (decisions §5). A zero field means the default.
type Limits struct {
	MaxBytes       int // length of the text in bytes; more is TimeRestrictionIcalTooLarge
	MaxEvents      int // VEVENTs per calendar; more is TooComplex
	MaxByDay       int // BYDAY values per RRULE; more is TooComplex
	MaxOccurrences int // the largest COUNT of an RRULE; more is TooComplex
	MaxExDates     int // EXDATE values per VEVENT; more is TooComplex
}

// DefaultLimits returns the limits of decisions §5: 4096 bytes, 16 events, 8 BYDAY values, and
// COUNT up to 10000 and 64 EXDATEs per event, which no real access schedule exceeds.
func DefaultLimits() Limits {
	return Limits{MaxBytes: 4096, MaxEvents: 16, MaxByDay: 8, MaxOccurrences: 10000, MaxExDates: 64}
}

// withDefaults fills zero fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	fill := func(v *int, dflt int) {
		if *v <= 0 {
			*v = dflt
		}
	}
	fill(&l.MaxBytes, d.MaxBytes)
	fill(&l.MaxEvents, d.MaxEvents)
	fill(&l.MaxByDay, d.MaxByDay)
	fill(&l.MaxOccurrences, d.MaxOccurrences)
	fill(&l.MaxExDates, d.MaxExDates)
	return l
}

// Calendar is a parsed time restriction. It is immutable after Parse and safe for concurrent use,
// so the grant service and the lock simulator can share one value per grant.
type Calendar struct {
	zone     *zone
	events   []*event
	extended bool
}

// Window is a stretch of allowed access [Start, End), in UTC.
type Window struct {
	Start, End time.Time
}

// Location returns the one time zone of all events; UTC when all times end in Z.
func (c *Calendar) Location() *time.Location { return c.zone.loc }

// NeedsExtendedRecurrence reports whether some RRULE uses FREQ=MONTHLY or FREQ=YEARLY, which only
// newer lock protocol versions evaluate; the grant service answers ProtocolVersionTooOld for
// older locks.
func (c *Calendar) NeedsExtendedRecurrence() bool { return c.extended }

// Allows reports whether t lies inside some occurrence [start, end) of some event. It looks only
// at the occurrences next to t, so its cost does not grow with the age of a rule.
func (c *Calendar) Allows(t time.Time) bool {
	u := t.Unix() // starts and ends are whole seconds, so flooring t is exact
	day := localDay(c.zone.local(u))
	for _, e := range c.events {
		if e.allows(u, day) {
			return true
		}
	}
	return false
}

// Windows returns the access windows that intersect [from, to): whole occurrences, not clipped to
// the range, sorted by start, with overlapping or touching occurrences of all events merged into
// one window. Occurrences that end at or before from are not merged in even if they touch the
// first window. At most limit windows are returned.
func (c *Calendar) Windows(from, to time.Time, limit int) []Window {
	if limit <= 0 || !from.Before(to) {
		return nil
	}
	hi := to.Unix()
	if to.Nanosecond() != 0 {
		hi++ // an occurrence starting in the last fraction of a second still intersects
	}
	return c.merge(from.Unix(), hi, limit, math.MaxInt)
}

// maxChain bounds how many occurrences Next merges into one window: a calendar that allows access
// around the clock would otherwise never end its window.
const maxChain = 4096

// Next returns the first window whose end is after t: the window containing t if access is
// allowed at t, else the next one. Like Windows it merges only occurrences that end after t,
// and at most maxChain of them (a window of touching daily occurrences is cut after about
// eleven years). It returns false when no occurrence ends after t.
func (c *Calendar) Next(t time.Time) (Window, bool) {
	w := c.merge(t.Unix(), math.MaxInt64, 1, maxChain)
	if len(w) == 0 {
		return Window{}, false
	}
	return w[0], true
}

// cursor walks the occurrences of one event in order.
type cursor struct {
	e   *event
	o   occurrence
	has bool
}

// merge walks the occurrences of all events that end after lo and start before hi in start
// order and merges them into at most limit windows of at most chain occurrences each.
func (c *Calendar) merge(lo, hi int64, limit, chain int) []Window {
	curs := make([]cursor, len(c.events))
	for i, e := range c.events {
		curs[i].e = e
		curs[i].o, curs[i].has = e.firstEndingAfter(lo)
	}
	var out []Window
	var cur occurrence
	open, n := false, 0
	for {
		i := earliest(curs, hi)
		if i < 0 {
			break
		}
		o := curs[i].o
		curs[i].o, curs[i].has = curs[i].e.following(o)
		if open && o.start <= cur.end && n < chain {
			cur.end, n = max(cur.end, o.end), n+1
			continue
		}
		if open {
			if out = append(out, window(cur)); len(out) == limit {
				return out
			}
		}
		cur, open, n = o, true, 1
	}
	if open {
		out = append(out, window(cur))
	}
	return out
}

// earliest returns the cursor with the earliest start before hi, or -1.
func earliest(curs []cursor, hi int64) int {
	best := -1
	for i := range curs {
		if curs[i].has && curs[i].o.start < hi && (best < 0 || curs[i].o.start < curs[best].o.start) {
			best = i
		}
	}
	return best
}

func window(o occurrence) Window {
	return Window{Start: time.Unix(o.start, 0).UTC(), End: time.Unix(o.end, 0).UTC()}
}

// tooLarge is TimeRestrictionIcalTooLarge.
func tooLarge(n, limit int) error {
	return keyward.ErrTimeRestrictionIcalTooLarge.WithDetails("the text has %d bytes; at most %d are allowed", n, limit)
}
