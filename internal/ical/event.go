package ical

import "sort"

// event is one VEVENT ready for evaluation. Its occurrences start on the member dates at DTSTART's
// time of day in the calendar's zone; the members are DTSTART's date (RFC 5545 §3.8.5.3: DTSTART
// always counts as the first occurrence) and the dates of the rule, up to last.
type event struct {
	z     *zone
	d0    int      // DTSTART's local date
	tod   int      // DTSTART's local time of day in seconds
	rule  dateRule // nil without RRULE
	last  int      // last member date (from UNTIL or COUNT), maxDay when unbounded
	exact int64    // exact part of the occurrence length in seconds (DTEND−DTSTART, or DURATION's time part)
	days  int      // nominal part of DURATION in days (weeks included); 0 for DTEND
	ex    []int64  // excluded start instants (EXDATE), sorted
}

// nextDay returns the first member date >= d.
func (e *event) nextDay(d int) (int, bool) {
	if d <= e.d0 {
		return e.d0, true
	}
	if e.rule == nil || d > e.last {
		return 0, false
	}
	n, ok := e.rule.next(d)
	if !ok || n > e.last {
		return 0, false
	}
	return n, true
}

// prevDay returns the last member date <= d.
func (e *event) prevDay(d int) (int, bool) {
	if d < e.d0 {
		return 0, false
	}
	if e.rule != nil {
		if p, ok := e.rule.prev(min(d, e.last)); ok {
			return p, true
		}
	}
	return e.d0, true
}

// start returns the instant an occurrence on member date d starts.
func (e *event) start(d int) int64 {
	return e.z.resolve(int64(d)*secondsPerDay + int64(e.tod))
}

// end returns the instant the occurrence on date d ends (RFC 5545 §3.8.5.3): DTEND gives every
// occurrence the exact length of the first; DURATION adds its days on the wall clock and its
// hours, minutes and seconds as elapsed time (§3.3.6).
func (e *event) end(d int, start int64) int64 {
	if e.days == 0 {
		return start + e.exact
	}
	return e.z.resolve(int64(d+e.days)*secondsPerDay+int64(e.tod)) + e.exact
}

// excluded reports whether an EXDATE removes the occurrence starting at s.
func (e *event) excluded(s int64) bool {
	if len(e.ex) == 0 {
		return false
	}
	i := sort.Search(len(e.ex), func(i int) bool { return e.ex[i] >= s })
	return i < len(e.ex) && e.ex[i] == s
}

// occurrence is one member of the recurrence set.
type occurrence struct {
	day        int
	start, end int64
}

// latest returns the last occurrence starting at or before u, whose local date is uDay. Dates
// two days after uDay cannot start before u, whatever the zone does around them.
func (e *event) latest(u int64, uDay int) (occurrence, bool) {
	d, ok := e.prevDay(uDay + 2)
	for ok {
		if s := e.start(d); s <= u && !e.excluded(s) {
			return occurrence{d, s, e.end(d, s)}, true
		}
		d, ok = e.prevDay(d - 1)
	}
	return occurrence{}, false
}

// after returns the first occurrence starting after u.
func (e *event) after(u int64) (occurrence, bool) {
	d, ok := e.nextDay(localDay(e.z.local(u)) - 2)
	for ok {
		if s := e.start(d); s > u && !e.excluded(s) {
			return occurrence{d, s, e.end(d, s)}, true
		}
		d, ok = e.nextDay(d + 1)
	}
	return occurrence{}, false
}

// following returns the occurrence after o.
func (e *event) following(o occurrence) (occurrence, bool) {
	d, ok := e.nextDay(o.day + 1)
	for ok {
		if s := e.start(d); !e.excluded(s) {
			return occurrence{d, s, e.end(d, s)}, true
		}
		d, ok = e.nextDay(d + 1)
	}
	return occurrence{}, false
}

// maxLength bounds the length of any occurrence in seconds, allowing for clock changes within
// nominal days.
func (e *event) maxLength() int64 {
	return int64(e.days)*secondsPerDay + e.exact + 2*maxOffset
}

// firstEndingAfter returns the first occurrence whose end is after u. Ends grow with starts, so
// it is the first occurrence starting after u minus the longest possible occurrence whose end
// is still after u.
func (e *event) firstEndingAfter(u int64) (occurrence, bool) {
	lower := u - e.exact
	if e.days != 0 {
		lower = u - e.maxLength()
	}
	o, ok := e.after(lower)
	for ok && o.end <= u {
		o, ok = e.following(o)
	}
	return o, ok
}

// allows reports whether an occurrence contains u. Only the latest occurrence starting at or
// before u needs to be looked at: an earlier one ends no later than it.
func (e *event) allows(u int64, uDay int) bool {
	o, ok := e.latest(u, uDay)
	return ok && u < o.end
}
