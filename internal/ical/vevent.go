package ical

import (
	"sort"
	"strings"
	"time"
)

// eventProps are VEVENT properties that carry nothing for access and are ignored.
var eventProps = set("UID", "DTSTAMP", "SUMMARY", "DESCRIPTION", "LOCATION", "TRANSP", "CLASS", "PRIORITY",
	"SEQUENCE", "CREATED", "LAST-MODIFIED", "ORGANIZER", "ATTENDEE", "CATEGORIES", "COMMENT", "CONTACT", "URL",
	"GEO", "RESOURCES", "RELATED-TO", "ATTACH", "REQUEST-STATUS", "COLOR", "CONFERENCE", "IMAGE")

// timeValue is a DTSTART, DTEND or EXDATE value with its zone.
type timeValue struct {
	v    dateTime
	zone string // "UTC" for a time ending in Z, else the TZID
	loc  *time.Location
}

// eventSpec collects the properties of one VEVENT as they are read.
type eventSpec struct {
	n, line            int // event number (1-based) and line of BEGIN:VEVENT
	start, end         *timeValue
	startLine, endLine int
	dur                *duration
	durLine            int
	rule               *recurrence
	ex                 []timeValue
	exLines            []int
}

// event reads one VEVENT and adds it to the calendar.
func (p *parser) event(begin contentLine) error {
	n := len(p.events) + 1
	if n > p.lim.MaxEvents {
		return tooComplex(begin.line, "VEVENT number %d exceeds the limit of %d events", n, p.lim.MaxEvents)
	}
	s := &eventSpec{n: n, line: begin.line}
	if err := p.component(begin, func(cl contentLine) error { return p.eventLine(s, cl) }); err != nil {
		return err
	}
	e, err := p.build(s)
	if err != nil {
		return err
	}
	p.events = append(p.events, e)
	return nil
}

// eventLine handles one line inside VEVENT.
func (p *parser) eventLine(s *eventSpec, cl contentLine) error {
	switch cl.name {
	case "BEGIN":
		if strings.EqualFold(cl.value, "VALARM") {
			return p.component(cl, p.alarmLine)
		}
		return malformed(cl.line, "unknown component %q in VEVENT", cl.value)
	case "DTSTART":
		return p.once(s.startLine, cl, func() (err error) {
			s.startLine = cl.line
			s.start, err = p.timeProperty(cl)
			return err
		})
	case "DTEND":
		return p.once(s.endLine, cl, func() (err error) {
			s.endLine = cl.line
			s.end, err = p.timeProperty(cl)
			return err
		})
	case "DURATION":
		return p.once(s.durLine, cl, func() (err error) {
			s.durLine = cl.line
			s.dur, err = parseDurationProperty(cl)
			return err
		})
	case "RRULE":
		line := 0
		if s.rule != nil {
			line = s.rule.line
		}
		return p.once(line, cl, func() (err error) {
			s.rule, err = p.ruleProperty(cl)
			return err
		})
	case "EXDATE":
		return p.exdate(s, cl)
	case "STATUS":
		if strings.EqualFold(cl.value, "CANCELLED") {
			return malformed(cl.line, "STATUS:CANCELLED: a cancelled event cannot grant access; remove the VEVENT")
		}
		return nil
	}
	if eventProps[cl.name] || isX(cl.name) {
		return nil
	}
	return malformed(cl.line, "unknown property %q in VEVENT", cl.name)
}

// once runs set for a property that may appear at most once per VEVENT; first is the line of an
// earlier occurrence or 0.
func (p *parser) once(first int, cl contentLine, set func() error) error {
	if first != 0 {
		return malformed(cl.line, "VEVENT has a second %s (the first is on line %d)", cl.name, first)
	}
	return set()
}

// alarmLine accepts the contents of a VALARM, which has no bearing on access.
func (p *parser) alarmLine(cl contentLine) error {
	if cl.name == "BEGIN" {
		return malformed(cl.line, "unknown component %q in VALARM", cl.value)
	}
	return nil
}

// timeProperty parses DTSTART or DTEND.
func (p *parser) timeProperty(cl contentLine) (*timeValue, error) {
	tzid, err := p.timeParams(cl)
	if err != nil {
		return nil, err
	}
	tv, err := p.timeOf(cl, tzid, cl.value)
	if err != nil {
		return nil, err
	}
	return &tv, nil
}

// timeParams checks the parameters of a DATE-TIME property and returns its TZID.
func (p *parser) timeParams(cl contentLine) (tzid string, err error) {
	hasTZID := false
	for _, pr := range cl.params {
		switch {
		case pr.name == "TZID" && hasTZID:
			return "", malformed(cl.line, "%s: TZID is given twice", cl.name)
		case pr.name == "TZID" && len(pr.values) != 1:
			return "", malformed(cl.line, "%s: TZID must have exactly one value", cl.name)
		case pr.name == "TZID":
			tzid, hasTZID = pr.values[0], true
		case pr.name == "VALUE" && len(pr.values) == 1 && strings.EqualFold(pr.values[0], "DATE-TIME"):
		case pr.name == "VALUE" && len(pr.values) == 1 && strings.EqualFold(pr.values[0], "DATE"):
			return "", malformed(cl.line, "%s: all-day values (VALUE=DATE) are not supported; give a DATE-TIME with a TZID, e.g. %s;TZID=Europe/Vienna:20260105T000000", cl.name, cl.name)
		case pr.name == "VALUE":
			return "", malformed(cl.line, "%s: VALUE=%s is not supported (want DATE-TIME)", cl.name, strings.Join(pr.values, ","))
		case !isX(pr.name):
			return "", malformed(cl.line, "%s: parameter %s is not supported", cl.name, pr.name)
		}
	}
	if hasTZID {
		if _, err := p.location(cl.line, tzid); err != nil {
			return "", err
		}
	}
	return tzid, nil
}

// timeOf parses one DATE-TIME value of property cl with the given TZID ("" for none).
func (p *parser) timeOf(cl contentLine, tzid, value string) (timeValue, error) {
	v, problem := parseDateTime(value)
	switch {
	case problem == "syntax":
		return timeValue{}, malformed(cl.line, "%s: %q is not a DATE-TIME (want YYYYMMDDTHHMMSS[Z])", cl.name, value)
	case problem != "":
		return timeValue{}, malformed(cl.line, "%s: %q: %s", cl.name, value, problem)
	case v.utc && tzid != "":
		return timeValue{}, malformed(cl.line, "%s: the UTC time %q must not have a TZID", cl.name, value)
	case v.utc:
		return timeValue{v: v, zone: "UTC", loc: time.UTC}, nil
	case tzid == "":
		return timeValue{}, illegalZone(cl.line, "%s: %q is a floating time; give a TZID parameter or a UTC time ending in Z", cl.name, value)
	}
	return timeValue{v: v, zone: tzid, loc: p.locs[tzid]}, nil
}

// parseDurationProperty parses DURATION.
func parseDurationProperty(cl contentLine) (*duration, error) {
	for _, pr := range cl.params {
		if !isX(pr.name) {
			return nil, malformed(cl.line, "DURATION: parameter %s is not supported", pr.name)
		}
	}
	d, problem := parseDuration(cl.value)
	switch problem {
	case "":
		return &d, nil
	case "syntax":
		return nil, malformed(cl.line, "DURATION: %q is not a duration (want e.g. PT4H, PT1H30M, P1D or P1W)", cl.value)
	case "too long":
		return nil, malformed(cl.line, "DURATION: %q is longer than %d days", cl.value, maxDurationDays)
	}
	return nil, malformed(cl.line, "DURATION: %q is %s; an occurrence must end after it starts", cl.value, problem)
}

// ruleProperty parses RRULE.
func (p *parser) ruleProperty(cl contentLine) (*recurrence, error) {
	for _, pr := range cl.params {
		if !isX(pr.name) {
			return nil, malformed(cl.line, "RRULE: parameter %s is not supported", pr.name)
		}
	}
	r, err := parseRRule(cl.line, cl.value, p.lim)
	if err == nil && r.extended() {
		p.extended = true
	}
	return r, err
}

// exdate parses one EXDATE line, which may list several values.
func (p *parser) exdate(s *eventSpec, cl contentLine) error {
	tzid, err := p.timeParams(cl)
	if err != nil {
		return err
	}
	for _, value := range strings.Split(cl.value, ",") {
		if len(s.ex) == p.lim.MaxExDates {
			return tooComplex(cl.line, "event %d has more than %d EXDATE values", s.n, p.lim.MaxExDates)
		}
		tv, err := p.timeOf(cl, tzid, value)
		if err != nil {
			return err
		}
		s.ex = append(s.ex, tv)
		s.exLines = append(s.exLines, cl.line)
	}
	return nil
}

// build checks the collected properties of a VEVENT against each other and the calendar's zone.
func (p *parser) build(s *eventSpec) (*event, error) {
	switch {
	case s.start == nil:
		return nil, malformed(s.line, "event %d has no DTSTART", s.n)
	case s.end == nil && s.dur == nil:
		return nil, malformed(s.line, "event %d has neither DTEND nor DURATION", s.n)
	case s.end != nil && s.dur != nil:
		return nil, malformed(max(s.endLine, s.durLine), "event %d has both DTEND and DURATION; give only one", s.n)
	}
	if err := p.fixZone(s); err != nil {
		return nil, err
	}
	e := &event{z: p.zone, d0: s.start.v.day(), tod: s.start.v.tod(), last: s.start.v.day()}
	start := e.start(e.d0)
	if err := p.setLength(s, e, start); err != nil {
		return nil, err
	}
	if s.rule != nil {
		if err := p.setRule(s, e, start); err != nil {
			return nil, err
		}
	}
	return e, p.setExdates(s, e)
}

// fixZone makes the first event's zone the calendar's and checks that every event uses it.
func (p *parser) fixZone(s *eventSpec) error {
	if p.zone == nil {
		p.zone, p.zoneEvent = newZone(s.start.zone, s.start.loc), s.n
		return nil
	}
	if s.start.zone != p.zone.name {
		return illegalZone(0, "event %d uses time zone %q but event %d uses %q", s.n, s.start.zone, p.zoneEvent, p.zone.name)
	}
	return nil
}

// setLength sets the occurrence length from DTEND or DURATION.
func (p *parser) setLength(s *eventSpec, e *event, start int64) error {
	if s.dur != nil {
		e.days, e.exact = s.dur.days, s.dur.seconds
		return nil
	}
	if s.end.zone != s.start.zone {
		return illegalZone(s.endLine, "DTEND uses time zone %q but DTSTART uses %q", s.end.zone, s.start.zone)
	}
	end := p.zone.resolve(s.end.v.local())
	if end <= start {
		return malformed(s.endLine, "DTEND %s is not after DTSTART %s", format(s.end.v), format(s.start.v))
	}
	e.exact = end - start
	return nil
}

// setRule binds the RRULE to DTSTART and turns UNTIL or COUNT into the last member date.
func (p *parser) setRule(s *eventSpec, e *event, start int64) error {
	r := s.rule
	e.rule, e.last = r.bind(e.d0), maxDay
	switch {
	case r.count > 0:
		e.last = countLast(e.rule, e.d0, r.count)
	case r.hasUntil && r.untilValue.dateOnly:
		if r.untilValue.day() < e.d0 {
			return malformed(r.line, "RRULE: UNTIL %s is before DTSTART %s", r.until, format(s.start.v))
		}
		e.last = r.untilValue.day()
	case r.hasUntil:
		until, err := p.untilInstant(s, r)
		if err != nil {
			return err
		}
		if until < start {
			return malformed(r.line, "RRULE: UNTIL %s is before DTSTART %s", r.until, format(s.start.v))
		}
		e.last = lastUntil(e, until)
	}
	return nil
}

// untilInstant reads UNTIL as an instant: a UTC time as such, a local time in DTSTART's zone
// (RFC 5545 wants UTC there; a local time in the same zone is accepted as meaning the obvious).
func (p *parser) untilInstant(s *eventSpec, r *recurrence) (int64, error) {
	if r.untilValue.utc {
		return r.untilValue.local(), nil
	}
	if s.start.zone == "UTC" {
		return 0, illegalZone(r.line, "RRULE: UNTIL %s is a floating time; DTSTART is in UTC, so UNTIL must end in Z", r.until)
	}
	return p.zone.resolve(r.untilValue.local()), nil
}

// countLast returns the date of the count-th occurrence. DTSTART is the first even when the rule
// does not produce it (RFC 5545 §3.8.5.3).
func countLast(r dateRule, d0, count int) int {
	n := count - 1
	if first, ok := r.next(d0); !ok || first != d0 {
		if count == 1 {
			return d0
		}
		n = count - 2
	}
	if d, ok := r.nth(n); ok {
		return d
	}
	return maxDay
}

// lastUntil returns the last member date whose occurrence starts at or before until.
func lastUntil(e *event, until int64) int {
	d, ok := e.prevDay(localDay(e.z.local(until)) + 2)
	for ok && e.start(d) > until {
		d, ok = e.prevDay(d - 1)
	}
	if !ok {
		return e.d0
	}
	return d
}

// setExdates checks the zone of each EXDATE and stores the excluded start instants.
func (p *parser) setExdates(s *eventSpec, e *event) error {
	for i, x := range s.ex {
		if x.zone != s.start.zone {
			return illegalZone(s.exLines[i], "EXDATE uses time zone %q but DTSTART uses %q", x.zone, s.start.zone)
		}
		e.ex = append(e.ex, p.zone.resolve(x.v.local()))
	}
	sort.Slice(e.ex, func(i, j int) bool { return e.ex[i] < e.ex[j] })
	return nil
}

// format writes a date-time back in its iCalendar form for details.
func format(v dateTime) string {
	s := time.Date(v.y, time.Month(v.mo), v.d, v.h, v.mi, v.s, 0, time.UTC).Format("20060102T150405")
	if v.utc {
		s += "Z"
	}
	return s
}
