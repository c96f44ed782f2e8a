package ical

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/keyward"
)

// crlf joins lines with CRLF, the line end of RFC 5545, and ends the text with one.
func crlf(lines ...string) string { return strings.Join(lines, "\r\n") + "\r\n" }

// oneEvent wraps event properties in VCALENDAR and VEVENT; the first property is on line 3.
func oneEvent(props ...string) string {
	lines := append([]string{"BEGIN:VCALENDAR", "BEGIN:VEVENT"}, props...)
	return crlf(append(lines, "END:VEVENT", "END:VCALENDAR")...)
}

// viennaMorning is a valid DTSTART and DTEND pair for building events.
var viennaMorning = []string{"DTSTART;TZID=Europe/Vienna:20260105T080000", "DTEND;TZID=Europe/Vienna:20260105T120000"}

func withMorning(props ...string) string {
	return oneEvent(append(append([]string{}, viennaMorning...), props...)...)
}

func TestParse_Errors(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		lim     Limits
		want    *keyward.Error
		details string
	}{
		{"TooLarge", strings.Repeat("X", 5000), Limits{}, keyward.ErrTimeRestrictionIcalTooLarge,
			"the text has 5000 bytes; at most 4096 are allowed"},
		{"TooLargeCustomLimit", withMorning(), Limits{MaxBytes: 100}, keyward.ErrTimeRestrictionIcalTooLarge,
			"the text has 144 bytes; at most 100 are allowed"},
		{"Empty", "\r\n\r\n", Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			"the text is empty; it must begin with BEGIN:VCALENDAR"},
		{"NotVCalendar", crlf("BEGIN:VEVENT", "END:VEVENT"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			`line 1: the text must begin with BEGIN:VCALENDAR, not "BEGIN:VEVENT"`},
		{"NotAContentLine", crlf("BEGIN:VCALENDAR", "hello world", "END:VCALENDAR"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			`line 2: "hello world" is not a content line (want NAME[;PARAM=VALUE]:VALUE)`},
		{"BadParameter", withMorning("EXDATE;TZID:20260112T080000"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			`line 5: EXDATE: invalid parameter "TZID:20260112T080000" (want NAME=VALUE)`},
		{"UnterminatedQuote", oneEvent(`DTSTART;TZID="Europe/Vienna:20260105T080000`), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			"line 3: DTSTART: parameter TZID has an unterminated quoted value"},
		{"FoldedFirstLine", " BEGIN:VCALENDAR\r\n", Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			"line 1: a folded line (starting with a space or tab) must follow a content line"},
		{"ControlCharacter", withMorning("SUMMARY:a\x00b"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			"line 5: control character U+0000 is not allowed"},
		{"InvalidUTF8", withMorning("SUMMARY:\xff"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			"line 5: the line is not valid UTF-8"},
		{"NoEvents", crlf("BEGIN:VCALENDAR", "VERSION:2.0", "END:VCALENDAR"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			"the calendar has no VEVENT; at least one is required"},
		{"MissingEndVCalendar", crlf("BEGIN:VCALENDAR", "VERSION:2.0"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			"line 2: the text ends inside the VCALENDAR that begins on line 1 (END:VCALENDAR is missing)"},
		{"MismatchedEnd", crlf("BEGIN:VCALENDAR", "BEGIN:VEVENT", "END:VCALENDAR"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			"line 3: END:VCALENDAR does not close BEGIN:VEVENT on line 2"},
		{"SecondVCalendar", withMorning() + crlf("BEGIN:VCALENDAR", "END:VCALENDAR"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			"line 7: content after END:VCALENDAR (exactly one VCALENDAR is allowed)"},
		{"UnknownComponent", crlf("BEGIN:VCALENDAR", "BEGIN:VTODO", "END:VTODO", "END:VCALENDAR"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			`line 2: unknown component "VTODO" in VCALENDAR`},
		{"UnknownCalendarProperty", crlf("BEGIN:VCALENDAR", "DTSTART:20260105T080000Z", "END:VCALENDAR"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			`line 2: unknown property "DTSTART" in VCALENDAR`},
		{"CalScale", crlf("BEGIN:VCALENDAR", "CALSCALE:JULIAN", "END:VCALENDAR"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			`line 2: CALSCALE "JULIAN" is not supported (want GREGORIAN)`},
		{"RDATE", withMorning("RDATE;TZID=Europe/Vienna:20260107T080000"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			`line 5: unknown property "RDATE" in VEVENT`},
		{"RecurrenceID", withMorning("RECURRENCE-ID;TZID=Europe/Vienna:20260112T080000"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			`line 5: unknown property "RECURRENCE-ID" in VEVENT`},
		{"ComponentInEvent", withMorning("BEGIN:VTODO", "END:VTODO"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			`line 5: unknown component "VTODO" in VEVENT`},
		{"Cancelled", withMorning("STATUS:CANCELLED"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			"line 5: STATUS:CANCELLED: a cancelled event cannot grant access; remove the VEVENT"},
		{"NoDTSTART", oneEvent("DTEND;TZID=Europe/Vienna:20260105T120000"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			"line 2: event 1 has no DTSTART"},
		{"NoEnd", oneEvent(viennaMorning[0]), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			"line 2: event 1 has neither DTEND nor DURATION"},
		{"DTENDAndDURATION", withMorning("DURATION:PT4H"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			"line 5: event 1 has both DTEND and DURATION; give only one"},
		{"SecondDTSTART", withMorning("DTSTART;TZID=Europe/Vienna:20260106T080000"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			"line 5: VEVENT has a second DTSTART (the first is on line 3)"},
		{"SecondRRULE", withMorning("RRULE:FREQ=DAILY", "RRULE:FREQ=WEEKLY"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			"line 6: VEVENT has a second RRULE (the first is on line 5)"},
		{"ShortDateTime", oneEvent("DTSTART;TZID=Europe/Vienna:20260105T0800", "DURATION:PT1H"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			`line 3: DTSTART: "20260105T0800" is not a DATE-TIME (want YYYYMMDDTHHMMSS[Z])`},
		{"DateWithoutValueParam", oneEvent("DTSTART;TZID=Europe/Vienna:20260105", "DURATION:PT1H"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			`line 3: DTSTART: "20260105" is not a DATE-TIME (want YYYYMMDDTHHMMSS[Z])`},
		{"DayOutOfRange", oneEvent("DTSTART;TZID=Europe/Vienna:20260230T080000", "DURATION:PT1H"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			`line 3: DTSTART: "20260230T080000": day 30 is out of range (February 2026 has 28 days)`},
		{"HourOutOfRange", oneEvent("DTSTART:20260105T240000Z", "DURATION:PT1H"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			`line 3: DTSTART: "20260105T240000Z": hour 24 is out of range`},
		{"AllDay", oneEvent("DTSTART;VALUE=DATE:20260105", "DTEND;VALUE=DATE:20260106"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			"line 3: DTSTART: all-day values (VALUE=DATE) are not supported; give a DATE-TIME with a TZID, e.g. DTSTART;TZID=Europe/Vienna:20260105T000000"},
		{"ValuePeriod", oneEvent("DTSTART;VALUE=PERIOD:20260105T080000Z/PT1H", "DURATION:PT1H"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			"line 3: DTSTART: VALUE=PERIOD is not supported (want DATE-TIME)"},
		{"UnknownParameter", oneEvent("DTSTART;LANGUAGE=de:20260105T080000Z", "DURATION:PT1H"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			"line 3: DTSTART: parameter LANGUAGE is not supported"},
		{"UTCWithTZID", oneEvent("DTSTART;TZID=Europe/Vienna:20260105T080000Z", "DURATION:PT1H"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			`line 3: DTSTART: the UTC time "20260105T080000Z" must not have a TZID`},
		{"EndBeforeStart", oneEvent(viennaMorning[0], "DTEND;TZID=Europe/Vienna:20260105T070000"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			"line 4: DTEND 20260105T070000 is not after DTSTART 20260105T080000"},
		{"EndEqualsStart", oneEvent(viennaMorning[0], "DTEND;TZID=Europe/Vienna:20260105T080000"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			"line 4: DTEND 20260105T080000 is not after DTSTART 20260105T080000"},
		{"BadDuration", oneEvent(viennaMorning[0], "DURATION:PT4"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			`line 4: DURATION: "PT4" is not a duration (want e.g. PT4H, PT1H30M, P1D or P1W)`},
		{"DurationHourThenSecond", oneEvent(viennaMorning[0], "DURATION:PT1H30S"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			`line 4: DURATION: "PT1H30S" is not a duration (want e.g. PT4H, PT1H30M, P1D or P1W)`},
		{"NegativeDuration", oneEvent(viennaMorning[0], "DURATION:-PT1H"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			`line 4: DURATION: "-PT1H" is negative; an occurrence must end after it starts`},
		{"ZeroDuration", oneEvent(viennaMorning[0], "DURATION:PT0S"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			`line 4: DURATION: "PT0S" is zero; an occurrence must end after it starts`},
		{"LongDuration", oneEvent(viennaMorning[0], "DURATION:P99999D"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			`line 4: DURATION: "P99999D" is longer than 36600 days`},
		{"HourlyRule", withMorning("RRULE:FREQ=HOURLY"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			"line 5: RRULE: FREQ=HOURLY is not supported (want DAILY, WEEKLY, MONTHLY or YEARLY)"},
		{"NoFreq", withMorning("RRULE:COUNT=3"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			"line 5: RRULE: FREQ is required"},
		{"ByHour", withMorning("RRULE:FREQ=DAILY;BYHOUR=8"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			"line 5: RRULE: BYHOUR is not supported"},
		{"BySetPos", withMorning("RRULE:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			"line 5: RRULE: BYSETPOS is not supported"},
		{"UnknownRulePart", withMorning("RRULE:FREQ=DAILY;FOO=1"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			`line 5: RRULE: unknown rule part "FOO"`},
		{"RulePartWithoutValue", withMorning("RRULE:FREQ=DAILY;"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			`line 5: RRULE: "" is not a NAME=VALUE rule part`},
		{"RulePartTwice", withMorning("RRULE:FREQ=DAILY;INTERVAL=2;INTERVAL=3"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			"line 5: RRULE: INTERVAL is given twice"},
		{"ZeroInterval", withMorning("RRULE:FREQ=DAILY;INTERVAL=0"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			`line 5: RRULE: INTERVAL "0" is not an integer from 1 to 1000`},
		{"UntilAndCount", withMorning("RRULE:FREQ=DAILY;COUNT=3;UNTIL=20260301T000000Z"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			"line 5: RRULE: UNTIL and COUNT must not both be given"},
		{"BadUntil", withMorning("RRULE:FREQ=DAILY;UNTIL=2026-03-01"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			`line 5: RRULE: UNTIL "2026-03-01" is not a DATE or DATE-TIME (want YYYYMMDD or YYYYMMDDTHHMMSS[Z])`},
		{"UntilBeforeStart", withMorning("RRULE:FREQ=DAILY;UNTIL=20260101T000000Z"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			"line 5: RRULE: UNTIL 20260101T000000Z is before DTSTART 20260105T080000"},
		{"BadCount", withMorning("RRULE:FREQ=DAILY;COUNT=-1"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			`line 5: RRULE: COUNT "-1" is not a positive integer`},
		{"BadWeekday", withMorning("RRULE:FREQ=WEEKLY;BYDAY=MO,XX"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			`line 5: RRULE: BYDAY "XX" is not a weekday (want MO, TU, WE, TH, FR, SA or SU, or for MONTHLY and YEARLY an ordinal weekday like 1MO or -1FR)`},
		{"OrdinalInWeekly", withMorning("RRULE:FREQ=WEEKLY;BYDAY=1MO"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			"line 5: RRULE: BYDAY ordinals like 1MO are only supported with FREQ=MONTHLY or FREQ=YEARLY"},
		{"OrdinalOutOfRange", withMorning("RRULE:FREQ=MONTHLY;BYDAY=6MO"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			`line 5: RRULE: BYDAY "6MO" has an ordinal outside 1..5 and -5..-1`},
		{"ByMonthDayInWeekly", withMorning("RRULE:FREQ=WEEKLY;BYMONTHDAY=1"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			"line 5: RRULE: BYMONTHDAY is only supported with FREQ=MONTHLY or FREQ=YEARLY"},
		{"ByMonthDayOutOfRange", withMorning("RRULE:FREQ=MONTHLY;BYMONTHDAY=32"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			`line 5: RRULE: BYMONTHDAY "32" is not a day from 1 to 31 or -31 to -1`},
		{"ByMonthInMonthly", withMorning("RRULE:FREQ=MONTHLY;BYMONTH=3"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			"line 5: RRULE: BYMONTH is only supported with FREQ=YEARLY"},
		{"ByMonthOutOfRange", withMorning("RRULE:FREQ=YEARLY;BYMONTH=13"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			`line 5: RRULE: BYMONTH "13" is not a month from 1 to 12`},
		{"YearlyByDayWithoutByMonth", withMorning("RRULE:FREQ=YEARLY;BYDAY=1MO"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			"line 5: RRULE: BYDAY with FREQ=YEARLY needs BYMONTH"},
		{"BadWkst", withMorning("RRULE:FREQ=WEEKLY;WKST=XX"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			`line 5: RRULE: WKST "XX" is not a weekday (want MO, TU, WE, TH, FR, SA or SU)`},
		{"ExdateBadValue", withMorning("EXDATE;TZID=Europe/Vienna:20260112T080000,2026"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			`line 5: EXDATE: "2026" is not a DATE-TIME (want YYYYMMDDTHHMMSS[Z])`},
		{"VTimezoneWithoutTZID", crlf("BEGIN:VCALENDAR", "BEGIN:VTIMEZONE", "BEGIN:STANDARD", "TZOFFSETTO:+0100", "END:STANDARD", "END:VTIMEZONE", "END:VCALENDAR"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			"line 2: VTIMEZONE has no TZID"},
		{"VTimezoneWithoutObservance", crlf("BEGIN:VCALENDAR", "BEGIN:VTIMEZONE", "TZID:Europe/Vienna", "END:VTIMEZONE", "END:VCALENDAR"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			`line 2: VTIMEZONE "Europe/Vienna" has no STANDARD or DAYLIGHT component`},
		{"BadOffset", crlf("BEGIN:VCALENDAR", "BEGIN:VTIMEZONE", "TZID:Europe/Vienna", "BEGIN:STANDARD", "TZOFFSETTO:+1", "END:STANDARD", "END:VTIMEZONE", "END:VCALENDAR"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			`line 5: TZOFFSETTO: "+1" is not a UTC offset (want +HHMM or -HHMM)`},
		{"ObservanceWithoutOffset", crlf("BEGIN:VCALENDAR", "BEGIN:VTIMEZONE", "TZID:Europe/Vienna", "BEGIN:DAYLIGHT", "TZNAME:CEST", "END:DAYLIGHT", "END:VTIMEZONE", "END:VCALENDAR"), Limits{}, keyward.ErrTimeRestrictionIcalMalformed,
			"line 4: DAYLIGHT has no TZOFFSETTO"},

		{"TooManyEvents", manyEvents(17), Limits{}, keyward.ErrTimeRestrictionIcalTooComplex,
			"line 82: VEVENT number 17 exceeds the limit of 16 events"},
		{"TooManyByDay", withMorning("RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU,MO,TU"), Limits{}, keyward.ErrTimeRestrictionIcalTooComplex,
			"line 5: RRULE: BYDAY has 9 values; at most 8 are allowed"},
		{"CountTooLarge", withMorning("RRULE:FREQ=DAILY;COUNT=10001"), Limits{}, keyward.ErrTimeRestrictionIcalTooComplex,
			"line 5: RRULE: COUNT=10001 exceeds the limit of 10000"},
		{"CountHuge", withMorning("RRULE:FREQ=DAILY;COUNT=99999999999999999999"), Limits{}, keyward.ErrTimeRestrictionIcalTooComplex,
			"line 5: RRULE: COUNT=99999999999999999999 exceeds the limit of 10000"},
		{"TooManyExdates", withMorning("EXDATE;TZID=Europe/Vienna:20260112T080000,20260119T080000", "EXDATE;TZID=Europe/Vienna:20260126T080000"),
			Limits{MaxExDates: 2}, keyward.ErrTimeRestrictionIcalTooComplex,
			"line 6: event 1 has more than 2 EXDATE values"},

		{"UnknownTZID", oneEvent("DTSTART;TZID=Mars/Olympus:20260105T080000", "DURATION:PT1H"), Limits{}, keyward.ErrTimeRestrictionIcalIllegalTimezone,
			`line 3: TZID "Mars/Olympus" is not an IANA time zone`},
		{"WindowsTZID", oneEvent(`DTSTART;TZID="W. Europe Standard Time":20260105T080000`, "DURATION:PT1H"), Limits{}, keyward.ErrTimeRestrictionIcalIllegalTimezone,
			`line 3: TZID "W. Europe Standard Time" is not an IANA time zone`},
		{"LocalTZID", oneEvent("DTSTART;TZID=Local:20260105T080000", "DURATION:PT1H"), Limits{}, keyward.ErrTimeRestrictionIcalIllegalTimezone,
			`line 3: TZID "Local" is not an IANA time zone`},
		{"Floating", oneEvent("DTSTART:20260105T080000", "DURATION:PT1H"), Limits{}, keyward.ErrTimeRestrictionIcalIllegalTimezone,
			`line 3: DTSTART: "20260105T080000" is a floating time; give a TZID parameter or a UTC time ending in Z`},
		{"FloatingExdate", withMorning("EXDATE:20260112T080000"), Limits{}, keyward.ErrTimeRestrictionIcalIllegalTimezone,
			`line 5: EXDATE: "20260112T080000" is a floating time; give a TZID parameter or a UTC time ending in Z`},
		{"DTENDOtherZone", oneEvent(viennaMorning[0], "DTEND;TZID=Europe/Berlin:20260105T120000"), Limits{}, keyward.ErrTimeRestrictionIcalIllegalTimezone,
			`line 4: DTEND uses time zone "Europe/Berlin" but DTSTART uses "Europe/Vienna"`},
		{"DTENDInUTC", oneEvent(viennaMorning[0], "DTEND:20260105T110000Z"), Limits{}, keyward.ErrTimeRestrictionIcalIllegalTimezone,
			`line 4: DTEND uses time zone "UTC" but DTSTART uses "Europe/Vienna"`},
		{"ExdateOtherZone", withMorning("EXDATE:20260112T070000Z"), Limits{}, keyward.ErrTimeRestrictionIcalIllegalTimezone,
			`line 5: EXDATE uses time zone "UTC" but DTSTART uses "Europe/Vienna"`},
		{"FloatingUntilWithUTC", oneEvent("DTSTART:20260105T080000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY;UNTIL=20260301T000000"), Limits{}, keyward.ErrTimeRestrictionIcalIllegalTimezone,
			"line 5: RRULE: UNTIL 20260301T000000 is a floating time; DTSTART is in UTC, so UNTIL must end in Z"},
		{"EventsInTwoZones", crlf("BEGIN:VCALENDAR",
			"BEGIN:VEVENT", viennaMorning[0], viennaMorning[1], "END:VEVENT",
			"BEGIN:VEVENT", "DTSTART;TZID=Europe/Berlin:20260105T080000", "DURATION:PT1H", "END:VEVENT",
			"END:VCALENDAR"), Limits{}, keyward.ErrTimeRestrictionIcalIllegalTimezone,
			`event 2 uses time zone "Europe/Berlin" but event 1 uses "Europe/Vienna"`},
		{"EventsInUTCAndZone", crlf("BEGIN:VCALENDAR",
			"BEGIN:VEVENT", "DTSTART:20260105T080000Z", "DURATION:PT1H", "END:VEVENT",
			"BEGIN:VEVENT", viennaMorning[0], viennaMorning[1], "END:VEVENT",
			"END:VCALENDAR"), Limits{}, keyward.ErrTimeRestrictionIcalIllegalTimezone,
			`event 2 uses time zone "Europe/Vienna" but event 1 uses "UTC"`},
		{"VTimezoneUnknownTZID", crlf("BEGIN:VCALENDAR", "BEGIN:VTIMEZONE", "TZID:Mars/Olympus", "END:VTIMEZONE", "END:VCALENDAR"), Limits{}, keyward.ErrTimeRestrictionIcalIllegalTimezone,
			`line 3: TZID "Mars/Olympus" is not an IANA time zone`},
		{"VTimezoneMismatch", crlf("BEGIN:VCALENDAR",
			"BEGIN:VTIMEZONE", "TZID:Europe/Vienna",
			"BEGIN:STANDARD", "DTSTART:19701025T030000", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "END:STANDARD",
			"END:VTIMEZONE",
			"BEGIN:VEVENT", viennaMorning[0], viennaMorning[1], "END:VEVENT",
			"END:VCALENDAR"), Limits{}, keyward.ErrTimeRestrictionIcalIllegalTimezone,
			`line 2: VTIMEZONE "Europe/Vienna" does not match the IANA time zone: in 2026 the zone uses UTC offset +0200, which no STANDARD or DAYLIGHT has as TZOFFSETTO`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse(tt.text, tt.lim)
			if err == nil {
				t.Fatalf("Parse succeeded (%d events), want %s", len(c.events), tt.want.Code)
			}
			var ke *keyward.Error
			if !errors.As(err, &ke) {
				t.Fatalf("error %T %v is not a *keyward.Error", err, err)
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("code = %q, want %q", ke.Code, tt.want.Code)
			}
			if ke.Details != tt.details {
				t.Errorf("details\n got %s\nwant %s", ke.Details, tt.details)
			}
		})
	}
}

// manyEvents builds a calendar of n one-hour events, five lines each, after line 1.
func manyEvents(n int) string {
	lines := []string{"BEGIN:VCALENDAR"}
	for range n {
		lines = append(lines, "BEGIN:VEVENT", "UID:x", "DTSTART:20260105T080000Z", "DURATION:PT1H", "END:VEVENT")
	}
	return crlf(append(lines, "END:VCALENDAR")...)
}

func TestParse_SentinelsUnchanged(t *testing.T) {
	_, err := Parse(withMorning("RDATE:20260107T080000Z"), DefaultLimits())
	if err == nil {
		t.Fatal("Parse succeeded")
	}
	if keyward.ErrTimeRestrictionIcalMalformed.Details != "" {
		t.Errorf("the sentinel was modified: %q", keyward.ErrTimeRestrictionIcalMalformed.Details)
	}
}

func TestParse_Accepts(t *testing.T) {
	vtimezone := []string{"BEGIN:VTIMEZONE", "TZID:Europe/Vienna", "X-LIC-LOCATION:Europe/Vienna",
		"BEGIN:DAYLIGHT", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "TZNAME:CEST", "DTSTART:19700329T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT",
		"BEGIN:STANDARD", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "TZNAME:CET", "DTSTART:19701025T030000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD",
		"END:VTIMEZONE"}
	tests := []struct {
		name     string
		text     string
		zone     string
		extended bool
		events   int
	}{
		{"Typical", typicalCalendar, "Europe/Vienna", false, 1},
		{"LFLineEnds", strings.ReplaceAll(typicalCalendar, "\r\n", "\n"), "Europe/Vienna", false, 1},
		{"FoldedLines", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;TZID=Europe/Vi\r\n enna:20260105T080000\r\nDTEND;TZID=Europe/Vienna:2026\r\n\t0105T180000\r\nRRULE:FREQ=WEEKLY;\r\n BYDAY=MO,TU\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
			"Europe/Vienna", false, 1},
		{"LowerCaseNamesAndBOM", "\ufeffbegin:vcalendar\r\nbegin:vevent\r\ndtstart;tzid=Europe/Vienna:20260105t080000\r\nduration:pt4h\r\nrrule:freq=weekly;byday=mo,tu;wkst=su\r\nend:vevent\r\nend:vcalendar\r\n\r\n  \r\n",
			"Europe/Vienna", false, 1},
		{"QuotedTZIDAndXParams", oneEvent(`DTSTART;X-FOO=bar;TZID="Europe/Vienna":20260105T080000`, "DURATION;X-A=1:PT1H"), "Europe/Vienna", false, 1},
		{"UTC", oneEvent("DTSTART:20260105T080000Z", "DTEND:20260105T120000Z", "RRULE:FREQ=DAILY;UNTIL=20261231T000000Z", "EXDATE:20260106T080000Z,20260107T080000Z"), "UTC", false, 1},
		{"TZIDUTCMatchesZ", crlf("BEGIN:VCALENDAR",
			"BEGIN:VEVENT", "DTSTART:20260105T080000Z", "DURATION:PT1H", "END:VEVENT",
			"BEGIN:VEVENT", "DTSTART;TZID=UTC:20260106T080000", "DURATION:PT1H", "END:VEVENT",
			"END:VCALENDAR"), "UTC", false, 2},
		{"IgnoredProperties", crlf("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//x//y//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "X-WR-CALNAME:Door",
			"BEGIN:VEVENT", "UID:1", "DTSTAMP:20260101T000000Z", "SUMMARY:Cleaning", "DESCRIPTION:a\\, b", "LOCATION:Hall", "STATUS:CONFIRMED",
			"TRANSP:OPAQUE", "CLASS:PRIVATE", "PRIORITY:1", "SEQUENCE:2", "CREATED:20260101T000000Z", "LAST-MODIFIED:20260101T000000Z",
			"X-MICROSOFT-CDO-BUSYSTATUS:BUSY", viennaMorning[0], viennaMorning[1],
			"BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:-PT15M", "END:VALARM",
			"END:VEVENT", "END:VCALENDAR"), "Europe/Vienna", false, 1},
		{"MatchingVTimezone", crlf(append(append([]string{"BEGIN:VCALENDAR"}, vtimezone...),
			"BEGIN:VEVENT", viennaMorning[0], viennaMorning[1], "END:VEVENT", "END:VCALENDAR")...), "Europe/Vienna", false, 1},
		{"Monthly", withMorning("RRULE:FREQ=MONTHLY;BYDAY=1MO,-1FR;COUNT=12"), "Europe/Vienna", true, 1},
		{"Yearly", withMorning("RRULE:FREQ=YEARLY;BYMONTH=1,7;BYMONTHDAY=5"), "Europe/Vienna", true, 1},
		{"UntilDate", withMorning("RRULE:FREQ=DAILY;UNTIL=20260110"), "Europe/Vienna", false, 1},
		{"UntilLocal", withMorning("RRULE:FREQ=DAILY;UNTIL=20260110T080000"), "Europe/Vienna", false, 1},
		{"SixteenEvents", manyEvents(16), "UTC", false, 16},
		{"WorstCase", worstCalendar(), "Europe/Vienna", true, 16},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse(tt.text, DefaultLimits())
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := c.Location().String(); got != tt.zone {
				t.Errorf("Location = %q, want %q", got, tt.zone)
			}
			if got := c.NeedsExtendedRecurrence(); got != tt.extended {
				t.Errorf("NeedsExtendedRecurrence = %v, want %v", got, tt.extended)
			}
			if len(c.events) != tt.events {
				t.Errorf("%d events, want %d", len(c.events), tt.events)
			}
		})
	}
}

func TestParse_UTCLocation(t *testing.T) {
	c, err := Parse(oneEvent("DTSTART:20260105T080000Z", "DURATION:PT1H"), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if c.Location() != time.UTC {
		t.Errorf("Location = %v, want time.UTC", c.Location())
	}
}
