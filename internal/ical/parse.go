package ical

import (
	"strings"
	"time"

	"github.com/keyward/keyward/internal/keyward"
)

// Parse reads a time restriction in the accepted RFC 5545 subset (see the package
// documentation) and returns it ready for evaluation. Every error is a *keyward.Error copied
// from ErrTimeRestrictionIcalTooLarge, ...TooComplex, ...Malformed or ...IllegalTimezone, with
// details that name the line of the original text and what is wrong there.
func Parse(text string, lim Limits) (*Calendar, error) {
	lim = lim.withDefaults()
	if len(text) > lim.MaxBytes {
		return nil, tooLarge(len(text), lim.MaxBytes)
	}
	text = strings.TrimPrefix(text, "\ufeff")
	lines, err := unfold(strings.TrimRight(text, " \t\r\n"))
	if err != nil {
		return nil, err
	}
	p := &parser{lim: lim, lines: lines, locs: map[string]*time.Location{}}
	return p.calendar()
}

// parser walks the logical lines of one text. It lives for one Parse call only.
type parser struct {
	lim   Limits
	lines []physical
	pos   int
	locs  map[string]*time.Location // TZIDs already loaded

	zone      *zone
	zoneEvent int // the event that fixed the zone
	events    []*event
	tzs       []*tzSpec
	extended  bool
}

// next returns the next content line; ok is false at the end of the text.
func (p *parser) next() (cl contentLine, ok bool, err error) {
	if p.pos >= len(p.lines) {
		return contentLine{}, false, nil
	}
	l := p.lines[p.pos]
	p.pos++
	cl, err = parseLine(l)
	return cl, err == nil, err
}

// lastLine is the line number of the last logical line, for "missing END" details.
func (p *parser) lastLine() int {
	if len(p.lines) == 0 {
		return 0
	}
	return p.lines[len(p.lines)-1].line
}

// component reads lines until END of the component begun at begin, handing every other line
// to f. It reports a missing or mismatched END.
func (p *parser) component(begin contentLine, f func(cl contentLine) error) error {
	kind := strings.ToUpper(begin.value)
	for {
		cl, ok, err := p.next()
		switch {
		case err != nil:
			return err
		case !ok:
			return malformed(p.lastLine(), "the text ends inside the %s that begins on line %d (END:%s is missing)", kind, begin.line, kind)
		case cl.name == "END" && strings.EqualFold(cl.value, kind):
			return nil
		case cl.name == "END":
			return malformed(cl.line, "END:%s does not close BEGIN:%s on line %d", cl.value, kind, begin.line)
		}
		if err := f(cl); err != nil {
			return err
		}
	}
}

// calendar parses the one VCALENDAR and builds the Calendar.
func (p *parser) calendar() (*Calendar, error) {
	begin, ok, err := p.next()
	switch {
	case err != nil:
		return nil, err
	case !ok:
		return nil, malformed(0, "the text is empty; it must begin with BEGIN:VCALENDAR")
	case begin.name != "BEGIN" || !strings.EqualFold(begin.value, "VCALENDAR"):
		return nil, malformed(begin.line, "the text must begin with BEGIN:VCALENDAR, not %q", clip(p.lines[0].text))
	}
	if err := p.component(begin, p.calendarLine); err != nil {
		return nil, err
	}
	if p.pos < len(p.lines) {
		return nil, malformed(p.lines[p.pos].line, "content after END:VCALENDAR (exactly one VCALENDAR is allowed)")
	}
	if len(p.events) == 0 {
		return nil, malformed(0, "the calendar has no VEVENT; at least one is required")
	}
	if err := p.checkTimezones(); err != nil {
		return nil, err
	}
	return &Calendar{zone: p.zone, events: p.events, extended: p.extended}, nil
}

// calendarProps are VCALENDAR properties that carry nothing for access (RFC 5545 and 7986).
var calendarProps = set("PRODID", "VERSION", "METHOD", "NAME", "DESCRIPTION", "UID", "URL", "LAST-MODIFIED",
	"REFRESH-INTERVAL", "SOURCE", "COLOR", "IMAGE", "CATEGORIES")

// calendarLine handles one line directly inside VCALENDAR.
func (p *parser) calendarLine(cl contentLine) error {
	switch {
	case cl.name == "BEGIN" && strings.EqualFold(cl.value, "VEVENT"):
		return p.event(cl)
	case cl.name == "BEGIN" && strings.EqualFold(cl.value, "VTIMEZONE"):
		return p.timezone(cl)
	case cl.name == "BEGIN":
		return malformed(cl.line, "unknown component %q in VCALENDAR", cl.value)
	case cl.name == "CALSCALE" && !strings.EqualFold(cl.value, "GREGORIAN"):
		return malformed(cl.line, "CALSCALE %q is not supported (want GREGORIAN)", cl.value)
	case cl.name == "CALSCALE" || calendarProps[cl.name] || isX(cl.name):
		return nil
	}
	return malformed(cl.line, "unknown property %q in VCALENDAR", cl.name)
}

// isX reports whether name is an experimental x-name, which RFC 5545 lets readers ignore.
func isX(name string) bool { return strings.HasPrefix(name, "X-") }

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// location loads an IANA zone by TZID, once per Parse.
func (p *parser) location(line int, tzid string) (*time.Location, error) {
	if loc, ok := p.locs[tzid]; ok {
		return loc, nil
	}
	if tzid == "" || tzid == "Local" {
		return nil, illegalZone(line, "TZID %q is not an IANA time zone", tzid)
	}
	loc, err := keyward.LoadLocation(tzid)
	if err != nil {
		return nil, illegalZone(line, "TZID %q is not an IANA time zone", tzid)
	}
	p.locs[tzid] = loc
	return loc, nil
}
