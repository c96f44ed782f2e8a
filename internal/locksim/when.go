package locksim

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// When is a time expression of a scenario, resolved when the world reaches it:
//
//	day 2 09:00         wall-clock time on the start's date plus 2 days (day 0 is the start's date)
//	next Monday 09:00   the first such wall-clock time after the current time
//	+90m, +1d2h         a duration after the current time (a day is 24 hours)
//	2027-03-29 09:00    an absolute wall-clock time
//
// Wall-clock times are in the scenario's zone, so a scenario crosses a change of daylight
// saving time the way people at the lock do.
type When struct {
	kind    whenKind
	day     int
	weekday time.Weekday
	clock   clockTime
	after   time.Duration
	date    time.Time // year, month, day of an absolute time
}

type whenKind int

const (
	whenDay whenKind = iota + 1
	whenNext
	whenAfter
	whenDate
)

// clockTime is a wall-clock time of day.
type clockTime struct{ hour, minute int }

// Resolve returns the instant w names for a world that started at start and is now at now, with
// wall-clock times in loc.
func (w When) Resolve(start, now time.Time, loc *time.Location) time.Time {
	switch w.kind {
	case whenDay:
		y, m, d := start.In(loc).Date()
		return time.Date(y, m, d+w.day, w.clock.hour, w.clock.minute, 0, 0, loc)
	case whenNext:
		return w.next(now, loc)
	case whenAfter:
		return now.Add(w.after)
	}
	y, m, d := w.date.Date()
	return time.Date(y, m, d, w.clock.hour, w.clock.minute, 0, 0, loc)
}

// next is the first instant after now whose wall clock in loc shows w's weekday and time.
func (w When) next(now time.Time, loc *time.Location) time.Time {
	y, m, d := now.In(loc).Date()
	for i := 0; ; i++ {
		t := time.Date(y, m, d+i, w.clock.hour, w.clock.minute, 0, 0, loc)
		if t.Weekday() == w.weekday && t.After(now) {
			return t
		}
	}
}

var (
	clockPattern = regexp.MustCompile(`^([01][0-9]|2[0-3]):([0-5][0-9])$`)
	datePattern  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	weekdays     = map[string]time.Weekday{"mo": time.Monday, "tu": time.Tuesday, "we": time.Wednesday,
		"th": time.Thursday, "fr": time.Friday, "sa": time.Saturday, "su": time.Sunday}
)

// parseWhen reads a time expression from the start of tok and says how many words it took.
func parseWhen(tok []string) (When, int, error) {
	if len(tok) == 0 {
		return When{}, 0, fmt.Errorf("a time is missing (day N HH:MM, next WEEKDAY HH:MM, +DURATION or YYYY-MM-DD HH:MM)")
	}
	switch {
	case tok[0] == "day":
		return parseDay(tok)
	case tok[0] == "next":
		return parseNext(tok)
	case strings.HasPrefix(tok[0], "+"):
		d, err := parseDuration(tok[0][1:])
		if err != nil || d <= 0 {
			return When{}, 0, fmt.Errorf("%q is not a positive duration such as +90m or +1d2h", tok[0])
		}
		return When{kind: whenAfter, after: d}, 1, nil
	case datePattern.MatchString(tok[0]):
		return parseDate(tok)
	}
	return When{}, 0, fmt.Errorf("%q is not a time (day N HH:MM, next WEEKDAY HH:MM, +DURATION or YYYY-MM-DD HH:MM)", tok[0])
}

func parseDay(tok []string) (When, int, error) {
	if len(tok) < 3 {
		return When{}, 0, fmt.Errorf("day needs a number and a time: day 2 09:00")
	}
	n, err := strconv.Atoi(tok[1])
	if err != nil || n < 0 {
		return When{}, 0, fmt.Errorf("day %q: the day must be a number from 0", tok[1])
	}
	c, err := parseClock(tok[2])
	return When{kind: whenDay, day: n, clock: c}, 3, err
}

func parseNext(tok []string) (When, int, error) {
	if len(tok) < 3 {
		return When{}, 0, fmt.Errorf("next needs a weekday and a time: next Monday 09:00")
	}
	wd, err := parseWeekday(tok[1])
	if err != nil {
		return When{}, 0, err
	}
	c, err := parseClock(tok[2])
	return When{kind: whenNext, weekday: wd, clock: c}, 3, err
}

func parseDate(tok []string) (When, int, error) {
	d, err := time.Parse(time.DateOnly, tok[0])
	if err != nil {
		return When{}, 0, fmt.Errorf("%q is not a date YYYY-MM-DD", tok[0])
	}
	if len(tok) < 2 {
		return When{}, 0, fmt.Errorf("the date %s needs a time: %s 09:00", tok[0], tok[0])
	}
	c, err := parseClock(tok[1])
	return When{kind: whenDate, date: d, clock: c}, 2, err
}

// parseClock reads HH:MM.
func parseClock(s string) (clockTime, error) {
	m := clockPattern.FindStringSubmatch(s)
	if m == nil {
		return clockTime{}, fmt.Errorf("%q is not a time of day HH:MM", s)
	}
	h, _ := strconv.Atoi(m[1])
	mi, _ := strconv.Atoi(m[2])
	return clockTime{h, mi}, nil
}

// parseWeekday reads a weekday by its first two letters or more (Mo, Mon, Monday), in any case.
func parseWeekday(s string) (time.Weekday, error) {
	l := strings.ToLower(s)
	if wd, ok := weekdays[l[:min(2, len(l))]]; ok && len(l) >= 2 && strings.HasPrefix(strings.ToLower(wd.String()), l) {
		return wd, nil
	}
	return 0, fmt.Errorf("%q is not a weekday (Mo, Tu, We, Th, Fr, Sa, Su)", s)
}

// parseDuration reads a Go duration that may start with days: 1d, 2d12h, 90m.
func parseDuration(s string) (time.Duration, error) {
	days := time.Duration(0)
	if i := strings.IndexByte(s, 'd'); i >= 0 {
		n, err := strconv.Atoi(s[:i])
		if err != nil {
			return 0, err
		}
		days, s = time.Duration(n)*24*time.Hour, s[i+1:]
		if s == "" {
			return days, nil
		}
	}
	d, err := time.ParseDuration(s)
	return days + d, err
}
