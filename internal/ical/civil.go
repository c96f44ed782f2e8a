package ical

// Civil dates are handled as day numbers: days since 1970-01-01 in the proleptic Gregorian
// calendar. Recurrence rules step over local dates, and integer arithmetic on day numbers is
// both exact and far cheaper than going through time.Time for every candidate date.

const (
	secondsPerDay = 86400

	// minDay and maxDay bound the dates an event may use: years 1 to 9999, the range of the
	// four-digit DATE-TIME form.
	minDay = -719162 // 0001-01-01
	maxDay = 2932896 // 9999-12-31
)

// floorDiv divides rounding towards negative infinity, so that day numbers before 1970 map to
// the right day and second of day.
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// floorMod is the remainder matching floorDiv; it is never negative for a positive b.
func floorMod(a, b int) int {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

// daysFromCivil returns the day number of y-m-d (month 1..12).
func daysFromCivil(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := int(floorDiv(int64(y), 400))
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int) (y, m, d int) {
	z += 719468
	era := int(floorDiv(int64(z), 146097))
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// weekdayOf returns the weekday of a day number with Monday = 0, the numbering of BYDAY and
// WKST (1970-01-01 was a Thursday).
func weekdayOf(day int) int { return floorMod(day+3, 7) }

// isLeap reports whether y is a Gregorian leap year.
func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// daysIn returns the number of days of month m (1..12) in year y.
func daysIn(y, m int) int {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// monthIndex numbers months consecutively (year*12 + month-1) so that monthly intervals are
// plain subtraction.
func monthIndex(y, m int) int { return y*12 + m - 1 }

// monthOf splits a month index into year and month (1..12).
func monthOf(mi int) (y, m int) {
	y = int(floorDiv(int64(mi), 12))
	return y, mi - y*12 + 1
}

// localDay returns the day number of local seconds (seconds since 1970-01-01T00:00:00 local).
func localDay(local int64) int { return int(floorDiv(local, secondsPerDay)) }
