package locksim

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Window is a grant's time restriction as a scenario writes it: the same hours every day, or on
// some weekdays, in the lock's zone.
type Window struct {
	Days     []time.Weekday // nil: every day
	From, To clockTime      // To after From, on the same day
}

// parseWindow reads "weekly Mo,We 08:00-12:00" or "daily 08:00-12:00".
func parseWindow(tok []string) (*Window, int, error) {
	w, used, hours := &Window{}, 2, 1
	if tok[0] == "weekly" {
		if len(tok) < 3 {
			return nil, 0, fmt.Errorf("weekly needs weekdays and hours: weekly Mo,We 08:00-12:00")
		}
		for _, d := range strings.Split(tok[1], ",") {
			wd, err := parseWeekday(d)
			if err != nil {
				return nil, 0, err
			}
			if slices.Contains(w.Days, wd) {
				return nil, 0, fmt.Errorf("weekday %s is given twice", d)
			}
			w.Days = append(w.Days, wd)
		}
		used, hours = 3, 2
	}
	if len(tok) <= hours {
		return nil, 0, fmt.Errorf("%s needs hours: 08:00-12:00", tok[0])
	}
	from, to, ok := strings.Cut(tok[hours], "-")
	var err error
	if w.From, err = parseClock(from); err == nil && ok {
		w.To, err = parseClock(to)
	}
	if err != nil || !ok || !w.From.before(w.To) {
		return nil, 0, fmt.Errorf("%q is not hours HH:MM-HH:MM with the end after the start on the same day", tok[hours])
	}
	return w, used, nil
}

func (c clockTime) before(d clockTime) bool {
	return c.hour < d.hour || (c.hour == d.hour && c.minute < d.minute)
}

// ICal is the restriction as the iCalendar text of a grant, in zone: a weekly or daily event
// whose first occurrence lies in the two weeks before start, so that it covers the scenario.
func (w *Window) ICal(zone *time.Location, start time.Time) string {
	first := w.firstDay(start.In(zone).AddDate(0, 0, -14))
	stamp := func(c clockTime) string {
		return fmt.Sprintf("%04d%02d%02dT%02d%02d00", first.Year(), first.Month(), first.Day(), c.hour, c.minute)
	}
	rule := "FREQ=DAILY"
	if w.Days != nil {
		days := make([]string, len(w.Days))
		for i, d := range w.Days {
			days[i] = strings.ToUpper(d.String()[:2])
		}
		rule = "FREQ=WEEKLY;BYDAY=" + strings.Join(days, ",")
	}
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Keyward//Simulator//EN\r\nBEGIN:VEVENT\r\n" +
		"DTSTART;TZID=" + zone.String() + ":" + stamp(w.From) + "\r\nDTEND;TZID=" + zone.String() + ":" + stamp(w.To) + "\r\n" +
		"RRULE:" + rule + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
}

// firstDay is the first date from t on that is one of the window's days; DTSTART must be an
// occurrence, as RFC 5545 counts it as one even when the rule does not match it.
func (w *Window) firstDay(t time.Time) time.Time {
	for w.Days != nil && !slices.Contains(w.Days, t.Weekday()) {
		t = t.AddDate(0, 0, 1)
	}
	return t
}
