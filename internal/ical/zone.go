package ical

import "time"

// maxOffset bounds the distance between local and UTC time in any zone of the IANA database
// (the largest offsets are about 15 hours, local mean times included); a solution of
// "local time L in this zone" lies within maxOffset of L read as UTC.
const maxOffset = 26 * 3600

// zone converts between instants and local wall-clock seconds in one time zone. Instants are
// Unix seconds; local times are seconds since 1970-01-01T00:00:00 on the zone's wall clock.
// Only offsets are looked up: Time.ZoneBounds can report a period end before the instant asked
// about in leap years past a zone's last explicit transition (golang/go#81583).
type zone struct {
	loc   *time.Location
	name  string
	fixed bool // UTC: no transitions, local time equals UTC
}

func newZone(name string, loc *time.Location) *zone {
	return &zone{loc: loc, name: name, fixed: loc == time.UTC}
}

// offset returns the UTC offset in seconds at instant u.
func (z *zone) offset(u int64) int64 {
	if z.fixed {
		return 0
	}
	_, off := time.Unix(u, 0).In(z.loc).Zone()
	return int64(off)
}

// local returns the wall-clock reading of instant u.
func (z *zone) local(u int64) int64 { return u + z.offset(u) }

// resolve returns the instant of local time l following RFC 5545 §3.3.5: a time that the clock
// shows twice (the hour repeated when daylight saving ends) is the first of the two, and a time
// that the clock skips (the hour lost when it starts) is read with the offset in effect before
// the gap, which moves it forward by the length of the gap. time.Date leaves both cases
// unspecified, so the offsets around l are examined here.
func (z *zone) resolve(l int64) int64 {
	if z.fixed {
		return l
	}
	before, after := z.offset(l-maxOffset), z.offset(l+maxOffset)
	if before == after && z.offset(l-before) == before {
		return l - before // no clock change near l
	}
	// A solution l-o is valid when o is the offset at l-o. The offsets in effect near l are
	// those at both ends of the window and at the two naive solutions.
	cands := [4]int64{before, after, z.offset(l - before), z.offset(l - after)}
	best, found := int64(0), false
	for _, o := range cands {
		if c := l - o; z.offset(c) == o && (!found || c < best) {
			best, found = c, true
		}
	}
	if found {
		return best
	}
	return l - before // l lies in a gap
}

// offsetsIn returns the UTC offsets the zone uses during local year y, sampled twice a day.
func (z *zone) offsetsIn(y int) []int {
	from := z.resolve(int64(daysFromCivil(y, 1, 1)) * secondsPerDay)
	to := z.resolve(int64(daysFromCivil(y+1, 1, 1)) * secondsPerDay)
	seen := map[int64]bool{}
	var offs []int
	for u := from; u < to; u += secondsPerDay / 2 {
		if o := z.offset(u); !seen[o] {
			seen[o] = true
			offs = append(offs, int(o))
		}
	}
	return offs
}
