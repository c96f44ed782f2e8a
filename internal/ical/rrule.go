package ical

import (
	"fmt"
	"strings"
)

// freq is the FREQ of an RRULE in the accepted subset.
type freq int

const (
	freqDaily freq = iota + 1
	freqWeekly
	freqMonthly
	freqYearly
)

var freqNames = map[string]freq{"DAILY": freqDaily, "WEEKLY": freqWeekly, "MONTHLY": freqMonthly, "YEARLY": freqYearly}

var weekdayNames = map[string]int{"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}

// unsupportedParts are rule parts of RFC 5545 outside the accepted subset.
var unsupportedParts = map[string]bool{"BYSECOND": true, "BYMINUTE": true, "BYHOUR": true, "BYYEARDAY": true, "BYWEEKNO": true, "BYSETPOS": true}

// maxInterval bounds INTERVAL; larger values are legal RFC 5545 but say nothing useful for access.
const maxInterval = 1000

// recurrence is a parsed RRULE before it is bound to its DTSTART.
type recurrence struct {
	line       int
	freq       freq
	interval   int
	wkst       int
	byDay      []ordinal
	monthDays  []int
	months     uint16
	count      int
	until      string // as written; resolved against DTSTART's zone later
	hasUntil   bool
	untilValue dateTime
}

// ruleError builds RRULE details with the line and the property name.
func ruleError(line int, format string, a ...any) error {
	return malformed(line, "RRULE: %s", fmt.Sprintf(format, a...))
}

// parseRRule parses the value of an RRULE property.
func parseRRule(line int, value string, lim Limits) (*recurrence, error) {
	r := &recurrence{line: line, interval: 1}
	seen := map[string]bool{}
	for _, part := range strings.Split(value, ";") {
		name, v, ok := strings.Cut(part, "=")
		name = strings.ToUpper(name)
		switch {
		case !ok || name == "":
			return nil, ruleError(line, "%q is not a NAME=VALUE rule part", clip(part))
		case seen[name]:
			return nil, ruleError(line, "%s is given twice", name)
		}
		seen[name] = true
		if err := r.setPart(name, v, lim); err != nil {
			return nil, err
		}
	}
	return r, r.check()
}

// setPart interprets one rule part.
func (r *recurrence) setPart(name, v string, lim Limits) error {
	switch name {
	case "FREQ":
		return r.setFreq(v)
	case "INTERVAL":
		n, ok := digits(v)
		if !ok || n < 1 || n > maxInterval {
			return ruleError(r.line, "INTERVAL %q is not an integer from 1 to %d", v, maxInterval)
		}
		r.interval = n
	case "COUNT":
		return r.setCount(v, lim)
	case "UNTIL":
		return r.setUntil(v)
	case "WKST":
		wd, ok := weekdayNames[strings.ToUpper(v)]
		if !ok {
			return ruleError(r.line, "WKST %q is not a weekday (want MO, TU, WE, TH, FR, SA or SU)", v)
		}
		r.wkst = wd
	case "BYDAY":
		return r.setByDay(v, lim)
	case "BYMONTHDAY":
		return r.setMonthDays(v)
	case "BYMONTH":
		return r.setMonths(v)
	default:
		if unsupportedParts[name] {
			return ruleError(r.line, "%s is not supported", name)
		}
		return ruleError(r.line, "unknown rule part %q", name)
	}
	return nil
}

func (r *recurrence) setFreq(v string) error {
	f, ok := freqNames[strings.ToUpper(v)]
	if !ok {
		return ruleError(r.line, "FREQ=%s is not supported (want DAILY, WEEKLY, MONTHLY or YEARLY)", v)
	}
	r.freq = f
	return nil
}

func (r *recurrence) setCount(v string, lim Limits) error {
	trimmed := strings.TrimLeft(v, "0")
	if trimmed == "" || strings.Trim(v, "0123456789") != "" {
		return ruleError(r.line, "COUNT %q is not a positive integer", v)
	}
	n, ok := digits(trimmed)
	if !ok || n > lim.MaxOccurrences {
		return tooComplex(r.line, "RRULE: COUNT=%s exceeds the limit of %d", v, lim.MaxOccurrences)
	}
	r.count = n
	return nil
}

func (r *recurrence) setUntil(v string) error {
	var problem string
	if len(v) == 8 {
		r.untilValue, problem = parseDate(v)
	} else {
		r.untilValue, problem = parseDateTime(v)
	}
	switch {
	case problem == "syntax":
		return ruleError(r.line, "UNTIL %q is not a DATE or DATE-TIME (want YYYYMMDD or YYYYMMDDTHHMMSS[Z])", v)
	case problem != "":
		return ruleError(r.line, "UNTIL %q: %s", v, problem)
	}
	r.until, r.hasUntil = v, true
	return nil
}

func (r *recurrence) setByDay(v string, lim Limits) error {
	list := strings.Split(v, ",")
	if len(list) > lim.MaxByDay {
		return tooComplex(r.line, "RRULE: BYDAY has %d values; at most %d are allowed", len(list), lim.MaxByDay)
	}
	for _, item := range list {
		up := strings.ToUpper(item)
		if len(up) < 2 {
			return r.badWeekday(item)
		}
		wd, ok := weekdayNames[up[len(up)-2:]]
		if !ok {
			return r.badWeekday(item)
		}
		n := 0
		if num := up[:len(up)-2]; num != "" {
			if n, ok = atoiStrict(num); !ok || n == 0 || n < -5 || n > 5 {
				return ruleError(r.line, "BYDAY %q has an ordinal outside 1..5 and -5..-1", item)
			}
		}
		r.byDay = append(r.byDay, ordinal{wd: wd, n: n})
	}
	return nil
}

func (r *recurrence) badWeekday(item string) error {
	return ruleError(r.line, "BYDAY %q is not a weekday (want MO, TU, WE, TH, FR, SA or SU, or for MONTHLY and YEARLY an ordinal weekday like 1MO or -1FR)", item)
}

func (r *recurrence) setMonthDays(v string) error {
	list := strings.Split(v, ",")
	if len(list) > 31 {
		return tooComplex(r.line, "RRULE: BYMONTHDAY has %d values; at most 31 are allowed", len(list))
	}
	for _, item := range list {
		n, ok := atoiStrict(item)
		if !ok || n == 0 || n < -31 || n > 31 {
			return ruleError(r.line, "BYMONTHDAY %q is not a day from 1 to 31 or -31 to -1", item)
		}
		r.monthDays = append(r.monthDays, n)
	}
	return nil
}

func (r *recurrence) setMonths(v string) error {
	list := strings.Split(v, ",")
	if len(list) > 12 {
		return tooComplex(r.line, "RRULE: BYMONTH has %d values; at most 12 are allowed", len(list))
	}
	for _, item := range list {
		n, ok := digits(item)
		if !ok || n < 1 || n > 12 {
			return ruleError(r.line, "BYMONTH %q is not a month from 1 to 12", item)
		}
		r.months |= 1 << n
	}
	return nil
}

// check enforces the combinations of the accepted subset.
func (r *recurrence) check() error {
	switch {
	case r.freq == 0:
		return ruleError(r.line, "FREQ is required")
	case r.count > 0 && r.hasUntil:
		return ruleError(r.line, "UNTIL and COUNT must not both be given")
	case len(r.monthDays) > 0 && r.freq != freqMonthly && r.freq != freqYearly:
		return ruleError(r.line, "BYMONTHDAY is only supported with FREQ=MONTHLY or FREQ=YEARLY")
	case r.months != 0 && r.freq != freqYearly:
		return ruleError(r.line, "BYMONTH is only supported with FREQ=YEARLY")
	case len(r.byDay) > 0 && r.freq == freqYearly && r.months == 0:
		return ruleError(r.line, "BYDAY with FREQ=YEARLY needs BYMONTH")
	}
	if r.freq == freqDaily || r.freq == freqWeekly {
		for _, o := range r.byDay {
			if o.n != 0 {
				return ruleError(r.line, "BYDAY ordinals like %d%s are only supported with FREQ=MONTHLY or FREQ=YEARLY", o.n, weekdayCodes[o.wd])
			}
		}
	}
	return nil
}

var weekdayCodes = [7]string{"MO", "TU", "WE", "TH", "FR", "SA", "SU"}

// extended reports whether the rule needs a lock protocol that knows monthly and yearly rules.
func (r *recurrence) extended() bool { return r.freq == freqMonthly || r.freq == freqYearly }

// weekdayMask returns the BYDAY weekdays as bits (Monday = bit 0); 0 when BYDAY is absent.
func (r *recurrence) weekdayMask() uint8 {
	var m uint8
	for _, o := range r.byDay {
		m |= 1 << o.wd
	}
	return m
}

// bind turns the rule into the date set it produces for a DTSTART on day d0.
func (r *recurrence) bind(d0 int) dateRule {
	switch r.freq {
	case freqDaily:
		mask := r.weekdayMask()
		if mask == 0 {
			mask = 0x7f
		}
		return newDaily(d0, r.interval, mask)
	case freqWeekly:
		mask := r.weekdayMask()
		if mask == 0 {
			mask = 1 << weekdayOf(d0)
		}
		return newWeekly(d0, r.interval, r.wkst, mask)
	}
	_, m, dom := civilFromDays(d0)
	spec := daySpec{monthDays: r.monthDays, byDay: r.byDay, dom0: dom}
	months := r.months
	if months == 0 {
		months = 1 << m
		if len(r.monthDays) > 0 {
			months = 0x1ffe // BYMONTHDAY without BYMONTH expands to every month
		}
	}
	return newMonthly(d0, r.interval, r.freq == freqYearly, months, spec)
}
