package portal

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/keyward/keyward/internal/ical"
	"github.com/keyward/keyward/internal/keyward"
)

// weekdays are the RFC 5545 weekday codes in the order of the builder's checkboxes and of the
// BYDAY it writes, with the text of each day.
var weekdays = []struct{ Code, Key string }{
	{"MO", "portal.grants.day.MO"}, {"TU", "portal.grants.day.TU"}, {"WE", "portal.grants.day.WE"},
	{"TH", "portal.grants.day.TH"}, {"FR", "portal.grants.day.FR"}, {"SA", "portal.grants.day.SA"},
	{"SU", "portal.grants.day.SU"},
}

// goWeekday is each code's time.Weekday.
var goWeekday = map[string]time.Weekday{"MO": time.Monday, "TU": time.Tuesday, "WE": time.Wednesday,
	"TH": time.Thursday, "FR": time.Friday, "SA": time.Saturday, "SU": time.Sunday}

// schedule is what the schedule builder's fields hold: the weekdays checked and the times of day
// (HH:MM) from and to, on the wall clock of the target's zone.
type schedule struct {
	Days     []string
	From, To string
}

// empty reports that the builder is untouched, which lets the iCal text be used as written.
func (sc schedule) empty() bool { return len(sc.Days) == 0 && sc.From == "" && sc.To == "" }

// has reports whether the day with the code is checked.
func (sc schedule) has(code string) bool { return slices.Contains(sc.Days, code) }

// scheduleError is a builder's input that cannot become a schedule; key names its text.
type scheduleError struct{ key string }

func (e *scheduleError) Error() string { return "portal: schedule: " + e.key }

// clockTime reads "HH:MM" as minutes after midnight.
func clockTime(s string) (int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// icalText writes the builder's schedule as a time restriction the grant service accepts: one
// weekly VEVENT in the zone lasting from the start to the end time (an end at or before the
// start ends on the next day: a night shift from 22:00 to 06:00). DTSTART always counts as an
// occurrence, so it is on a checked weekday, the first in the week before the anchor's date
// (the start of the validity, or today), so that no occurrence from the anchor on is lost.
// Every occurrence lasts as long as the first (DTEND−DTSTART as elapsed time), so a first
// occurrence across a change of the clocks would stretch or shrink every other: such a day is
// passed over for the same weekday a week earlier.
func (sc schedule) icalText(zone string, loc *time.Location, anchor time.Time) (string, error) {
	if len(sc.Days) == 0 {
		return "", &scheduleError{"portal.grants.error.noDays"}
	}
	from, okFrom := clockTime(sc.From)
	to, okTo := clockTime(sc.To)
	switch {
	case !okFrom || !okTo:
		return "", &scheduleError{"portal.grants.error.times"}
	case from == to:
		return "", &scheduleError{"portal.grants.error.sameTimes"}
	}
	var days []string
	for _, d := range weekdays {
		if sc.has(d.Code) {
			days = append(days, d.Code)
		}
	}
	length := to - from
	if length <= 0 {
		length += 24 * 60
	}
	a := anchor.In(loc)
	day := time.Date(a.Year(), a.Month(), a.Day()-7, 0, 0, 0, 0, loc)
	for !sc.has(weekdayCode(day.Weekday())) {
		day = day.AddDate(0, 0, 1)
	}
	start, end := span(day, from, length, loc)
	for range 2 { // clocks change at most twice a year, never in consecutive weeks
		if end.Sub(start) == time.Duration(length)*time.Minute {
			break
		}
		day = day.AddDate(0, 0, -7)
		start, end = span(day, from, length, loc)
	}
	const stamp = "20060102T150405"
	lines := []string{
		"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Keyward//Portal schedule//EN", "BEGIN:VEVENT",
		"DTSTART;TZID=" + zone + ":" + start.Format(stamp),
		"DTEND;TZID=" + zone + ":" + end.Format(stamp),
		"RRULE:FREQ=WEEKLY;BYDAY=" + strings.Join(days, ","),
		"END:VEVENT", "END:VCALENDAR",
	}
	return strings.Join(lines, "\r\n") + "\r\n", nil
}

// span is the occurrence on day from the minute from on, length minutes long on the wall clock.
func span(day time.Time, from, length int, loc *time.Location) (time.Time, time.Time) {
	start := time.Date(day.Year(), day.Month(), day.Day(), from/60, from%60, 0, 0, loc)
	end := time.Date(day.Year(), day.Month(), day.Day(), (from+length)/60, (from+length)%60, 0, 0, loc)
	return start, end
}

// weekdayCode is the RFC 5545 code of a weekday.
func weekdayCode(d time.Weekday) string {
	for code, wd := range goWeekday {
		if wd == d {
			return code
		}
	}
	return ""
}

// builtSchedule recognizes a text the builder wrote (any zone, any date), so that lists and the
// grant page can summarize it in words; other texts are shown as custom schedules.
var builtSchedule = regexp.MustCompile(`^BEGIN:VCALENDAR\r?\nVERSION:2\.0\r?\nPRODID:-//Keyward//Portal schedule//EN\r?\nBEGIN:VEVENT\r?\n` +
	`DTSTART;TZID=([A-Za-z0-9_/+-]+):\d{8}T(\d\d)(\d\d)00\r?\nDTEND;TZID=[A-Za-z0-9_/+-]+:\d{8}T(\d\d)(\d\d)00\r?\n` +
	`RRULE:FREQ=WEEKLY;BYDAY=((?:MO|TU|WE|TH|FR|SA|SU)(?:,(?:MO|TU|WE|TH|FR|SA|SU))*)\r?\nEND:VEVENT\r?\nEND:VCALENDAR\r?\n?$`)

// parseBuilt returns the schedule and zone of a text the builder wrote; ok is false for others.
func parseBuilt(text string) (sc schedule, zone string, ok bool) {
	m := builtSchedule.FindStringSubmatch(text)
	if m == nil {
		return schedule{}, "", false
	}
	return schedule{Days: strings.Split(m[6], ","), From: m[2] + ":" + m[3], To: m[4] + ":" + m[5]}, m[1], true
}

// scheduleSummary says in words when a grant's schedule allows access: the builder's days and
// times with the zone, "custom schedule" for another iCal text, "at any time" without one.
func (s *Server) scheduleSummary(rq *request, text *string) string {
	if text == nil || *text == "" {
		return s.t(rq, "portal.grants.anyTime")
	}
	sc, zone, ok := parseBuilt(*text)
	if !ok {
		return s.t(rq, "portal.grants.customSchedule")
	}
	var names []string
	for _, d := range weekdays {
		if sc.has(d.Code) {
			names = append(names, s.t(rq, d.Key))
		}
	}
	return s.t(rq, "portal.grants.scheduleSummary", strings.Join(names, ", "), sc.From, sc.To, zone)
}

// previewWindow is an access window as the preview and the grant page show it.
type previewWindow struct {
	Start, End       string // local time with the zone named
	StartISO, EndISO string
}

// maxPreviewWindows is how many access windows the preview and the grant page list.
const maxPreviewWindows = 10

// previewWindows lists the first windows of a schedule (nil for none) within the validity
// period from a start: the same evaluation (ical Parse and Windows) as the service, clipped to
// the period. Without a schedule the period itself is the one window; a period without end is
// looked at for a year.
func previewWindows(text *string, zone string, from time.Time, validFrom, validBefore *keyward.Time) ([]previewWindow, error) {
	start := from
	if validFrom != nil && validFrom.After(start) {
		start = validFrom.Time
	}
	end := start.AddDate(1, 0, 0)
	open := validBefore == nil
	if !open && validBefore.Before(end) {
		end = validBefore.Time
	}
	if !start.Before(end) {
		return nil, nil
	}
	if text == nil || *text == "" {
		w := previewWindow{Start: localTime(start, zone), StartISO: isoTime(start), End: "—"}
		if !open {
			w.End, w.EndISO = localTime(validBefore.Time, zone), isoTime(validBefore.Time)
		}
		return []previewWindow{w}, nil
	}
	cal, err := ical.Parse(*text, ical.DefaultLimits())
	if err != nil {
		return nil, err
	}
	var out []previewWindow
	for _, w := range cal.Windows(start, end, maxPreviewWindows) {
		ws, we := maxTime(w.Start, start), minTime(w.End, end)
		if ws.Before(we) {
			out = append(out, previewWindow{Start: localTime(ws, zone), End: localTime(we, zone), StartISO: isoTime(ws), EndISO: isoTime(we)})
		}
	}
	return out, nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// zoneOf is the zone a grant's times are shown in: its schedule's zone, else the target's.
func zoneOf(text *string, targetZone string) string {
	if text != nil && *text != "" {
		if cal, err := ical.Parse(*text, ical.DefaultLimits()); err == nil {
			return cal.Location().String()
		}
	}
	return targetZone
}
