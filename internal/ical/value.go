package ical

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// dateTime is a DATE-TIME or DATE value as written, before a zone is applied.
type dateTime struct {
	y, mo, d, h, mi, s int
	utc                bool // ends in Z
	dateOnly           bool // a DATE (YYYYMMDD)
}

// day returns the day number of the date part.
func (v dateTime) day() int { return daysFromCivil(v.y, v.mo, v.d) }

// tod returns the time of day in seconds.
func (v dateTime) tod() int { return v.h*3600 + v.mi*60 + v.s }

// local returns the value as local seconds since 1970-01-01T00:00:00.
func (v dateTime) local() int64 { return int64(v.day())*secondsPerDay + int64(v.tod()) }

// digits parses a run of ASCII digits; ok is false for anything else, signs included.
func digits(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// parseDate parses YYYYMMDD; the problem string is empty on success.
func parseDate(s string) (dateTime, string) {
	y, ok1 := digits(s[0:4])
	mo, ok2 := digits(s[4:6])
	d, ok3 := digits(s[6:8])
	if !ok1 || !ok2 || !ok3 {
		return dateTime{}, "syntax"
	}
	switch {
	case y < 1:
		return dateTime{}, "year 0000 is out of range"
	case mo < 1 || mo > 12:
		return dateTime{}, fmt.Sprintf("month %02d is out of range", mo)
	case d < 1 || d > daysIn(y, mo):
		return dateTime{}, fmt.Sprintf("day %02d is out of range (%s %04d has %d days)", d, time.Month(mo), y, daysIn(y, mo))
	}
	return dateTime{y: y, mo: mo, d: d, dateOnly: true}, ""
}

// parseDateTime parses YYYYMMDDTHHMMSS[Z]. The problem is "syntax" when the form is wrong and
// names the field when a number is out of range.
func parseDateTime(s string) (dateTime, string) {
	s = strings.ToUpper(s) // ABNF literals such as "T" and "Z" are case-insensitive
	utc := len(s) == 16 && s[15] == 'Z'
	if !(len(s) == 15 || utc) || s[8] != 'T' {
		return dateTime{}, "syntax"
	}
	v, problem := parseDate(s[:8])
	if problem != "" {
		return dateTime{}, problem
	}
	h, ok1 := digits(s[9:11])
	mi, ok2 := digits(s[11:13])
	sec, ok3 := digits(s[13:15])
	switch {
	case !ok1 || !ok2 || !ok3:
		return dateTime{}, "syntax"
	case h > 23:
		return dateTime{}, fmt.Sprintf("hour %02d is out of range", h)
	case mi > 59:
		return dateTime{}, fmt.Sprintf("minute %02d is out of range", mi)
	case sec > 59:
		return dateTime{}, fmt.Sprintf("second %02d is out of range", sec)
	}
	v.h, v.mi, v.s, v.utc, v.dateOnly = h, mi, sec, utc, false
	return v, ""
}

// duration is an RFC 5545 dur-value: days (weeks folded in) are nominal, seconds exact.
type duration struct {
	days    int
	seconds int64
}

// maxDurationDays bounds DURATION so that every computation stays far from overflow; an
// occurrence of more than a hundred years says nothing a validity period could not.
const maxDurationDays = 36600

// parseDuration parses dur-value strictly: [+]P(nW | nD[T…] | T…), where the time part is
// nH[nM[nS]] | nM[nS] | nS. A negative duration is reported as such.
func parseDuration(s string) (duration, string) {
	s = strings.ToUpper(s)
	neg := false
	switch {
	case len(s) > 0 && s[0] == '+':
		s = s[1:]
	case len(s) > 0 && s[0] == '-':
		neg, s = true, s[1:]
	}
	if len(s) < 3 || s[0] != 'P' {
		return duration{}, "syntax"
	}
	var d duration
	rest, ok := d.parseDatePart(s[1:])
	if !ok {
		return duration{}, "syntax"
	}
	if rest != "" {
		if rest[0] != 'T' || !d.parseTimePart(rest[1:]) {
			return duration{}, "syntax"
		}
	}
	switch {
	case neg:
		return duration{}, "negative"
	case d.days > maxDurationDays || d.seconds > maxDurationDays*secondsPerDay:
		return duration{}, "too long"
	case d.days == 0 && d.seconds == 0:
		return duration{}, "zero"
	}
	return d, ""
}

// parseDatePart reads an optional nW or nD at the start of s.
func (d *duration) parseDatePart(s string) (string, bool) {
	n, unit, rest, ok := durField(s)
	switch {
	case !ok || unit == 'T':
		return s, true
	case unit == 'W':
		d.days = n * 7
		return rest, rest == ""
	case unit == 'D':
		d.days = n
		return rest, true
	}
	return s, false
}

// parseTimePart reads nH[nM[nS]] | nM[nS] | nS, which must be the whole of s.
func (d *duration) parseTimePart(s string) bool {
	units := []struct {
		u byte
		f int64
	}{{'H', 3600}, {'M', 60}, {'S', 1}}
	seen := false
	for _, want := range units {
		n, unit, rest, ok := durField(s)
		if !ok || unit != want.u {
			if seen {
				break // later units are optional only after an earlier one
			}
			continue
		}
		d.seconds += int64(n) * want.f
		s, seen = rest, true
	}
	return seen && s == ""
}

// durField reads digits and a unit letter at the start of s.
func durField(s string) (n int, unit byte, rest string, ok bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == len(s) {
		return 0, 0, s, false
	}
	if i == 0 {
		return 0, s[0], s, s[0] == 'T'
	}
	n, ok = digits(s[:i])
	return n, s[i], s[i+1:], ok
}

// parseOffset parses a UTC offset (+HHMM or +HHMMSS) into seconds.
func parseOffset(s string) (int, bool) {
	if (len(s) != 5 && len(s) != 7) || (s[0] != '+' && s[0] != '-') {
		return 0, false
	}
	h, ok1 := digits(s[1:3])
	m, ok2 := digits(s[3:5])
	sec, ok3 := 0, true
	if len(s) == 7 {
		sec, ok3 = digits(s[5:7])
	}
	if !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || sec > 59 || s == "-0000" || s == "-000000" {
		return 0, false
	}
	off := h*3600 + m*60 + sec
	if s[0] == '-' {
		off = -off
	}
	return off, true
}

// formatOffset writes an offset the way TZOFFSETTO does.
func formatOffset(off int) string {
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	s := sign + fmt.Sprintf("%02d%02d", off/3600, off/60%60)
	if off%60 != 0 {
		s += fmt.Sprintf("%02d", off%60)
	}
	return s
}

// atoiStrict parses a decimal integer with an optional sign, digits only.
func atoiStrict(s string) (int, bool) {
	if len(s) == 0 || len(s) > 10 {
		return 0, false
	}
	if s[0] == '+' || s[0] == '-' {
		if len(s) == 1 || s[1] < '0' || s[1] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}
