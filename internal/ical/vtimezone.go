package ical

import "strings"

// tzSpec is a VTIMEZONE: its TZID and the TZOFFSETTO values of its STANDARD and DAYLIGHT parts.
type tzSpec struct {
	line    int
	id      string
	idLine  int
	offsets map[int]bool
}

// timezone reads a VTIMEZONE. Its TZID must name an IANA zone; its rules are not used, because
// the IANA database is the reference, but they are compared with it in checkTimezones.
func (p *parser) timezone(begin contentLine) error {
	tz := &tzSpec{line: begin.line, offsets: map[int]bool{}}
	err := p.component(begin, func(cl contentLine) error { return p.timezoneLine(tz, cl) })
	switch {
	case err != nil:
		return err
	case tz.idLine == 0:
		return malformed(begin.line, "VTIMEZONE has no TZID")
	case len(tz.offsets) == 0:
		return malformed(begin.line, "VTIMEZONE %q has no STANDARD or DAYLIGHT component", tz.id)
	}
	p.tzs = append(p.tzs, tz)
	return nil
}

func (p *parser) timezoneLine(tz *tzSpec, cl contentLine) error {
	switch {
	case cl.name == "BEGIN" && (strings.EqualFold(cl.value, "STANDARD") || strings.EqualFold(cl.value, "DAYLIGHT")):
		return p.observance(tz, cl)
	case cl.name == "BEGIN":
		return malformed(cl.line, "unknown component %q in VTIMEZONE", cl.value)
	case cl.name == "TZID" && tz.idLine != 0:
		return malformed(cl.line, "VTIMEZONE has a second TZID (the first is on line %d)", tz.idLine)
	case cl.name == "TZID":
		tz.id, tz.idLine = cl.value, cl.line
		_, err := p.location(cl.line, cl.value)
		return err
	case cl.name == "LAST-MODIFIED" || cl.name == "TZURL" || isX(cl.name):
		return nil
	}
	return malformed(cl.line, "unknown property %q in VTIMEZONE", cl.name)
}

// observanceProps are the properties of STANDARD and DAYLIGHT that are read over.
var observanceProps = set("DTSTART", "RRULE", "RDATE", "TZNAME", "COMMENT")

// observance reads a STANDARD or DAYLIGHT part and records its TZOFFSETTO.
func (p *parser) observance(tz *tzSpec, begin contentLine) error {
	kind := strings.ToUpper(begin.value)
	found := false
	err := p.component(begin, func(cl contentLine) error {
		switch {
		case cl.name == "TZOFFSETTO" || cl.name == "TZOFFSETFROM":
			off, ok := parseOffset(cl.value)
			if !ok {
				return malformed(cl.line, "%s: %q is not a UTC offset (want +HHMM or -HHMM)", cl.name, cl.value)
			}
			if cl.name == "TZOFFSETTO" {
				tz.offsets[off], found = true, true
			}
			return nil
		case cl.name == "BEGIN":
			return malformed(cl.line, "unknown component %q in %s", cl.value, kind)
		case observanceProps[cl.name] || isX(cl.name):
			return nil
		}
		return malformed(cl.line, "unknown property %q in %s", cl.name, kind)
	})
	if err == nil && !found {
		return malformed(begin.line, "%s has no TZOFFSETTO", kind)
	}
	return err
}

// checkTimezones compares the VTIMEZONE of the calendar's zone with the IANA database: every UTC
// offset the zone uses in a year in which an event starts must appear as a TZOFFSETTO, so that
// a calendar written for other rules under a known name is not read with different times.
func (p *parser) checkTimezones() error {
	for _, tz := range p.tzs {
		if tz.id != p.zone.name {
			continue
		}
		seen := map[int]bool{}
		for _, e := range p.events {
			y, _, _ := civilFromDays(e.d0)
			if seen[y] {
				continue
			}
			seen[y] = true
			for _, off := range p.zone.offsetsIn(y) {
				if !tz.offsets[off] {
					return illegalZone(tz.line, "VTIMEZONE %q does not match the IANA time zone: in %d the zone uses UTC offset %s, which no STANDARD or DAYLIGHT has as TZOFFSETTO", tz.id, y, formatOffset(off))
				}
			}
		}
	}
	return nil
}
