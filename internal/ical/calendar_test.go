package ical

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// mustParse parses text with the default limits or fails the test.
func mustParse(t testing.TB, text string) *Calendar {
	t.Helper()
	c, err := Parse(text, DefaultLimits())
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return c
}

// instant parses an RFC 3339 time for test tables.
func instant(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// checkAllows asserts Allows for lists of allowed and denied instants.
func checkAllows(t *testing.T, c *Calendar, allowed, denied []string) {
	t.Helper()
	for _, s := range allowed {
		if !c.Allows(instant(t, s)) {
			t.Errorf("Allows(%s) = false, want true", s)
		}
	}
	for _, s := range denied {
		if c.Allows(instant(t, s)) {
			t.Errorf("Allows(%s) = true, want false", s)
		}
	}
}

// The DST cases follow RFC 5545: occurrences keep their local wall-clock time; a local time the
// clock skips is read with the offset before the gap (so it moves forward by the gap); a local
// time the clock shows twice is the first of the two; DTEND gives every occurrence the exact
// length of the first; DURATION days are wall-clock days.
func TestAllows_DaylightSaving(t *testing.T) {
	tests := []struct {
		name            string
		props           []string
		allowed, denied []string
	}{
		{"Vienna/MondaysStayAtEight",
			[]string{"DTSTART;TZID=Europe/Vienna:20260105T080000", "DTEND;TZID=Europe/Vienna:20260105T120000", "RRULE:FREQ=WEEKLY;BYDAY=MO"},
			[]string{"2026-03-23T08:00:00+01:00", "2026-03-30T08:00:00+02:00", "2026-03-30T11:59:59+02:00", "2026-10-26T08:00:00+01:00"},
			[]string{"2026-03-23T07:59:59+01:00", "2026-03-30T07:59:59+02:00", "2026-03-30T12:00:00+02:00", "2026-10-26T07:30:00+01:00", "2026-10-26T12:00:00+01:00"}},
		{"Vienna/SkippedTimeMovesForward",
			[]string{"DTSTART;TZID=Europe/Vienna:20260327T023000", "DURATION:PT1H", "RRULE:FREQ=DAILY"},
			[]string{"2026-03-28T01:30:00Z", "2026-03-29T01:30:00Z", "2026-03-29T02:29:59Z", "2026-03-30T00:30:00Z"},
			[]string{"2026-03-29T00:30:00Z", "2026-03-29T01:29:59Z", "2026-03-29T02:30:00Z", "2026-03-30T01:30:00Z"}},
		{"Vienna/RepeatedTimeIsTheFirst",
			[]string{"DTSTART;TZID=Europe/Vienna:20261023T023000", "DURATION:PT30M", "RRULE:FREQ=DAILY"},
			[]string{"2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-25T00:59:59Z", "2026-10-26T01:30:00Z"},
			[]string{"2026-10-25T00:29:59Z", "2026-10-25T01:00:00Z", "2026-10-25T01:30:00Z"}},
		{"Vienna/DTENDIsAnExactLength",
			[]string{"DTSTART;TZID=Europe/Vienna:20260327T220000", "DTEND;TZID=Europe/Vienna:20260328T060000", "RRULE:FREQ=DAILY"},
			[]string{"2026-03-29T06:59:59+02:00", "2026-03-30T05:59:59+02:00"},
			[]string{"2026-03-29T07:00:00+02:00", "2026-03-30T06:00:00+02:00"}},
		{"Vienna/DurationDaysAreWallClockDays",
			[]string{"DTSTART;TZID=Europe/Vienna:20260328T080000", "DURATION:P1D"},
			[]string{"2026-03-28T07:00:00Z", "2026-03-29T05:59:59Z"},
			[]string{"2026-03-28T06:59:59Z", "2026-03-29T06:00:00Z"}},
		{"Vienna/DurationHoursAreElapsed",
			[]string{"DTSTART;TZID=Europe/Vienna:20260328T080000", "DURATION:PT24H"},
			[]string{"2026-03-29T06:59:59Z"},
			[]string{"2026-03-29T07:00:00Z"}},
		{"Vienna/DurationDaysThenHours",
			[]string{"DTSTART;TZID=Europe/Vienna:20260328T080000", "DURATION:P1DT2H"},
			[]string{"2026-03-29T07:59:59Z"},
			[]string{"2026-03-29T08:00:00Z"}},
		{"NewYork/MondaysStayAtEight",
			[]string{"DTSTART;TZID=America/New_York:20260105T080000", "DTEND;TZID=America/New_York:20260105T120000", "RRULE:FREQ=WEEKLY;BYDAY=MO"},
			[]string{"2026-03-02T13:00:00Z", "2026-03-09T12:00:00Z", "2026-11-02T13:00:00Z"},
			[]string{"2026-03-02T12:59:59Z", "2026-03-09T11:59:59Z", "2026-11-02T12:30:00Z"}},
		{"NewYork/SkippedTimeMovesForward",
			[]string{"DTSTART;TZID=America/New_York:20260306T023000", "DURATION:PT1H", "RRULE:FREQ=DAILY"},
			[]string{"2026-03-07T07:30:00Z", "2026-03-08T07:30:00Z", "2026-03-08T08:29:59Z", "2026-03-09T06:30:00Z"},
			[]string{"2026-03-08T06:30:00Z", "2026-03-08T07:29:59Z", "2026-03-08T08:30:00Z"}},
		{"NewYork/RepeatedTimeIsTheFirst",
			[]string{"DTSTART;TZID=America/New_York:20261030T013000", "DURATION:PT30M", "RRULE:FREQ=DAILY"},
			[]string{"2026-10-31T05:30:00Z", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"},
			[]string{"2026-11-01T06:00:00Z", "2026-11-01T06:30:00Z", "2026-11-02T05:30:00Z"}},
		{"Sydney/MondaysStayAtEight",
			[]string{"DTSTART;TZID=Australia/Sydney:20260330T080000", "DTEND;TZID=Australia/Sydney:20260330T120000", "RRULE:FREQ=WEEKLY;BYDAY=MO"},
			[]string{"2026-03-29T21:00:00Z", "2026-04-05T22:00:00Z", "2026-10-04T21:00:00Z"},
			[]string{"2026-03-29T20:59:59Z", "2026-04-05T21:59:59Z", "2026-10-04T20:59:59Z", "2026-10-05T01:00:00Z"}},
		{"Sydney/SkippedTimeMovesForward",
			[]string{"DTSTART;TZID=Australia/Sydney:20261002T023000", "DURATION:PT1H", "RRULE:FREQ=DAILY"},
			[]string{"2026-10-01T16:30:00Z", "2026-10-03T16:30:00Z", "2026-10-03T17:29:59Z", "2026-10-04T15:30:00Z"},
			[]string{"2026-10-03T15:30:00Z", "2026-10-03T16:29:59Z", "2026-10-03T17:30:00Z"}},
		{"Sydney/RepeatedTimeIsTheFirst",
			[]string{"DTSTART;TZID=Australia/Sydney:20260403T023000", "DURATION:PT30M", "RRULE:FREQ=DAILY"},
			[]string{"2026-04-02T15:30:00Z", "2026-04-04T15:30:00Z", "2026-04-05T16:30:00Z"},
			[]string{"2026-04-04T16:00:00Z", "2026-04-04T16:30:00Z"}},
		{"Vienna/LeapYearEndFarAhead",
			[]string{"DTSTART;TZID=Europe/Vienna:20260101T080000", "DTEND;TZID=Europe/Vienna:20260101T120000", "RRULE:FREQ=DAILY"},
			[]string{"2040-12-31T07:00:00Z", "2041-01-01T10:59:59Z", "2056-12-31T07:00:00Z"},
			[]string{"2040-12-31T06:59:59Z", "2040-12-31T11:00:00Z", "2056-12-31T05:49:25Z"}},
		{"Kolkata/HalfHourOffsetNoDST",
			[]string{"DTSTART;TZID=Asia/Kolkata:20260101T090000", "DTEND;TZID=Asia/Kolkata:20260101T170000", "RRULE:FREQ=DAILY"},
			[]string{"2026-01-01T03:30:00Z", "2026-06-15T03:30:00Z", "2026-12-15T11:29:59Z", "2040-03-29T03:30:00Z"},
			[]string{"2025-12-31T03:30:00Z", "2026-06-15T03:29:59Z", "2026-12-15T11:30:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkAllows(t, mustParse(t, oneEvent(tt.props...)), tt.allowed, tt.denied)
		})
	}
}

// starts lists the window starts in [from, to) as RFC 3339 UTC strings.
func starts(t *testing.T, c *Calendar, from, to string) []string {
	t.Helper()
	var out []string
	for _, w := range c.Windows(instant(t, from), instant(t, to), 1000) {
		out = append(out, w.Start.Format(time.RFC3339))
	}
	return out
}

// The rule examples of RFC 5545 §3.8.5.3, evaluated in UTC with one-hour occurrences so that
// windows do not merge.
func TestWindows_Rules(t *testing.T) {
	tests := []struct {
		name     string
		start    string
		rule     []string
		from, to string
		want     []string
	}{
		{"WeeklyWkstMonday", "19970805T090000Z", []string{"RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO"}, "1997-08-01T00:00:00Z", "1997-12-31T00:00:00Z",
			[]string{"1997-08-05T09:00:00Z", "1997-08-10T09:00:00Z", "1997-08-19T09:00:00Z", "1997-08-24T09:00:00Z"}},
		{"WeeklyWkstSunday", "19970805T090000Z", []string{"RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU"}, "1997-08-01T00:00:00Z", "1997-12-31T00:00:00Z",
			[]string{"1997-08-05T09:00:00Z", "1997-08-17T09:00:00Z", "1997-08-19T09:00:00Z", "1997-08-31T09:00:00Z"}},
		{"MonthlyFirstFriday", "19970905T090000Z", []string{"RRULE:FREQ=MONTHLY;COUNT=10;BYDAY=1FR"}, "1997-09-01T00:00:00Z", "1999-01-01T00:00:00Z",
			[]string{"1997-09-05T09:00:00Z", "1997-10-03T09:00:00Z", "1997-11-07T09:00:00Z", "1997-12-05T09:00:00Z", "1998-01-02T09:00:00Z",
				"1998-02-06T09:00:00Z", "1998-03-06T09:00:00Z", "1998-04-03T09:00:00Z", "1998-05-01T09:00:00Z", "1998-06-05T09:00:00Z"}},
		{"FridayThe13th", "19970902T090000Z", []string{"RRULE:FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13"}, "1997-09-01T00:00:00Z", "2000-01-01T00:00:00Z",
			[]string{"1997-09-02T09:00:00Z", "1998-02-13T09:00:00Z", "1998-03-13T09:00:00Z", "1998-11-13T09:00:00Z", "1999-08-13T09:00:00Z"}},
		{"MonthlyThirdToLastDay", "19970928T090000Z", []string{"RRULE:FREQ=MONTHLY;BYMONTHDAY=-3;COUNT=4"}, "1997-09-01T00:00:00Z", "1999-01-01T00:00:00Z",
			[]string{"1997-09-28T09:00:00Z", "1997-10-29T09:00:00Z", "1997-11-28T09:00:00Z", "1997-12-29T09:00:00Z"}},
		{"MonthlySecondAndLastSunday", "19970907T090000Z", []string{"RRULE:FREQ=MONTHLY;INTERVAL=2;COUNT=4;BYDAY=1SU,-1SU"}, "1997-09-01T00:00:00Z", "1999-01-01T00:00:00Z",
			[]string{"1997-09-07T09:00:00Z", "1997-09-28T09:00:00Z", "1997-11-02T09:00:00Z", "1997-11-30T09:00:00Z"}},
		{"MonthlySkipsShortMonths", "20260131T090000Z", []string{"RRULE:FREQ=MONTHLY;COUNT=3"}, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z",
			[]string{"2026-01-31T09:00:00Z", "2026-03-31T09:00:00Z", "2026-05-31T09:00:00Z"}},
		{"YearlyEveryDayInJanuary", "19980101T090000Z", []string{"RRULE:FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA"}, "2000-01-30T00:00:00Z", "2002-01-01T00:00:00Z",
			[]string{"2000-01-30T09:00:00Z", "2000-01-31T09:00:00Z"}},
		{"YearlyThanksgiving", "20261126T090000Z", []string{"RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH;COUNT=3"}, "2026-01-01T00:00:00Z", "2030-01-01T00:00:00Z",
			[]string{"2026-11-26T09:00:00Z", "2027-11-25T09:00:00Z", "2028-11-23T09:00:00Z"}},
		{"YearlyLeapDay", "20240229T090000Z", []string{"RRULE:FREQ=YEARLY"}, "2024-01-01T00:00:00Z", "2033-01-01T00:00:00Z",
			[]string{"2024-02-29T09:00:00Z", "2028-02-29T09:00:00Z", "2032-02-29T09:00:00Z"}},
		{"YearlyByMonthDayEveryMonth", "20260115T090000Z", []string{"RRULE:FREQ=YEARLY;BYMONTHDAY=15;COUNT=3"}, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z",
			[]string{"2026-01-15T09:00:00Z", "2026-02-15T09:00:00Z", "2026-03-15T09:00:00Z"}},
		{"DailyWeekdaysEveryOtherDay", "20260105T090000Z", []string{"RRULE:FREQ=DAILY;INTERVAL=2;BYDAY=MO,TU,WE,TH,FR;COUNT=5"}, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z",
			[]string{"2026-01-05T09:00:00Z", "2026-01-07T09:00:00Z", "2026-01-09T09:00:00Z", "2026-01-13T09:00:00Z", "2026-01-15T09:00:00Z"}},
		{"DTSTARTCountsFirst", "20260104T090000Z", []string{"RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=2"}, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z",
			[]string{"2026-01-04T09:00:00Z", "2026-01-05T09:00:00Z"}},
		{"UntilIsInclusive", "20260105T090000Z", []string{"RRULE:FREQ=DAILY;UNTIL=20260107T090000Z"}, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z",
			[]string{"2026-01-05T09:00:00Z", "2026-01-06T09:00:00Z", "2026-01-07T09:00:00Z"}},
		{"UntilDateIncludesTheDay", "20260105T090000Z", []string{"RRULE:FREQ=DAILY;UNTIL=20260107"}, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z",
			[]string{"2026-01-05T09:00:00Z", "2026-01-06T09:00:00Z", "2026-01-07T09:00:00Z"}},
		{"ExdateRemovesWithoutReplacing", "20260105T090000Z", []string{"RRULE:FREQ=DAILY;COUNT=3", "EXDATE:20260106T090000Z,20260110T090000Z"}, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z",
			[]string{"2026-01-05T09:00:00Z", "2026-01-07T09:00:00Z"}},
		{"ExdateCanRemoveDTSTART", "20260105T090000Z", []string{"RRULE:FREQ=DAILY;COUNT=2", "EXDATE:20260105T090000Z"}, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z",
			[]string{"2026-01-06T09:00:00Z"}},
		{"NoRule", "20260105T090000Z", nil, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z",
			[]string{"2026-01-05T09:00:00Z"}},
		{"RuleThatNeverMatches", "20260105T090000Z", []string{"RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"}, "2026-01-01T00:00:00Z", "2099-01-01T00:00:00Z",
			[]string{"2026-01-05T09:00:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			props := append([]string{"DTSTART:" + tt.start, "DURATION:PT1H"}, tt.rule...)
			got := starts(t, mustParse(t, oneEvent(props...)), tt.from, tt.to)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("window starts (-want +got):\n%s", diff)
			}
		})
	}
}

// events builds a calendar from events given as property lists.
func events(evs ...[]string) string {
	lines := []string{"BEGIN:VCALENDAR"}
	for _, e := range evs {
		lines = append(append(append(lines, "BEGIN:VEVENT"), e...), "END:VEVENT")
	}
	return crlf(append(lines, "END:VCALENDAR")...)
}

func win(t *testing.T, from, to string) Window { return Window{instant(t, from), instant(t, to)} }

func TestWindows_Merge(t *testing.T) {
	morning := []string{"DTSTART:20260105T080000Z", "DTEND:20260105T120000Z", "RRULE:FREQ=DAILY;COUNT=3"}
	tests := []struct {
		name     string
		text     string
		from, to string
		max      int
		want     []Window
	}{
		{"OverlappingEventsMerge", events(morning, []string{"DTSTART:20260105T110000Z", "DTEND:20260105T140000Z", "RRULE:FREQ=DAILY"}),
			"2026-01-05T00:00:00Z", "2026-01-06T00:00:00Z", 10,
			[]Window{win(t, "2026-01-05T08:00:00Z", "2026-01-05T14:00:00Z")}},
		{"TouchingEventsMerge", events(morning, []string{"DTSTART:20260105T120000Z", "DTEND:20260105T130000Z", "RRULE:FREQ=DAILY"}),
			"2026-01-05T00:00:00Z", "2026-01-06T00:00:00Z", 10,
			[]Window{win(t, "2026-01-05T08:00:00Z", "2026-01-05T13:00:00Z")}},
		{"SeparateEventsStaySeparate", events(morning, []string{"DTSTART:20260105T120001Z", "DTEND:20260105T130000Z", "RRULE:FREQ=DAILY"}),
			"2026-01-05T00:00:00Z", "2026-01-06T00:00:00Z", 10,
			[]Window{win(t, "2026-01-05T08:00:00Z", "2026-01-05T12:00:00Z"), win(t, "2026-01-05T12:00:01Z", "2026-01-05T13:00:00Z")}},
		{"LongOccurrencesOfOneEventMerge", events([]string{"DTSTART:20260105T080000Z", "DURATION:PT36H", "RRULE:FREQ=DAILY;COUNT=3"}),
			"2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", 10,
			[]Window{win(t, "2026-01-05T08:00:00Z", "2026-01-08T20:00:00Z")}},
		{"WholeOccurrencesNotClipped", events(morning), "2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z", 10,
			[]Window{win(t, "2026-01-05T08:00:00Z", "2026-01-05T12:00:00Z")}},
		{"EndIsExclusive", events(morning), "2026-01-05T12:00:00Z", "2026-01-06T08:00:00Z", 10, nil},
		{"Max", events(morning), "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", 2,
			[]Window{win(t, "2026-01-05T08:00:00Z", "2026-01-05T12:00:00Z"), win(t, "2026-01-06T08:00:00Z", "2026-01-06T12:00:00Z")}},
		{"ZeroMax", events(morning), "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", 0, nil},
		{"EmptyRange", events(morning), "2026-01-06T00:00:00Z", "2026-01-05T00:00:00Z", 10, nil},
		{"BeforeDTSTART", events(morning), "2025-01-01T00:00:00Z", "2026-01-05T08:00:00Z", 10, nil},
		{"Zoned", events([]string{"DTSTART;TZID=Europe/Vienna:20260327T080000", "DTEND;TZID=Europe/Vienna:20260327T120000", "RRULE:FREQ=DAILY;COUNT=3"}),
			"2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z", 10,
			[]Window{win(t, "2026-03-27T07:00:00Z", "2026-03-27T11:00:00Z"), win(t, "2026-03-28T07:00:00Z", "2026-03-28T11:00:00Z"),
				win(t, "2026-03-29T06:00:00Z", "2026-03-29T10:00:00Z")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustParse(t, tt.text).Windows(instant(t, tt.from), instant(t, tt.to), tt.max)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Windows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWindows_UTC(t *testing.T) {
	c := mustParse(t, typicalCalendar)
	for _, w := range c.Windows(instant(t, "2026-01-01T00:00:00Z"), instant(t, "2026-02-01T00:00:00Z"), 100) {
		if w.Start.Location() != time.UTC || w.End.Location() != time.UTC {
			t.Fatalf("window %v is not in UTC", w)
		}
	}
}

func TestNext(t *testing.T) {
	morning := []string{"DTSTART:20260105T080000Z", "DTEND:20260105T120000Z", "RRULE:FREQ=DAILY;COUNT=3"}
	tests := []struct {
		name   string
		text   string
		at     string
		want   Window
		wantOK bool
	}{
		{"Inside", events(morning), "2026-01-05T09:00:00Z", win(t, "2026-01-05T08:00:00Z", "2026-01-05T12:00:00Z"), true},
		{"AtStart", events(morning), "2026-01-05T08:00:00Z", win(t, "2026-01-05T08:00:00Z", "2026-01-05T12:00:00Z"), true},
		{"AtEnd", events(morning), "2026-01-05T12:00:00Z", win(t, "2026-01-06T08:00:00Z", "2026-01-06T12:00:00Z"), true},
		{"BeforeDTSTART", events(morning), "2020-01-01T00:00:00Z", win(t, "2026-01-05T08:00:00Z", "2026-01-05T12:00:00Z"), true},
		{"AfterLast", events(morning), "2026-01-07T12:00:00Z", Window{}, false},
		{"MergesEvents", events(morning, []string{"DTSTART:20260105T120000Z", "DTEND:20260105T130000Z"}), "2026-01-05T09:00:00Z",
			win(t, "2026-01-05T08:00:00Z", "2026-01-05T13:00:00Z"), true},
		{"FarFuture", events([]string{"DTSTART:20260105T080000Z", "DURATION:PT1H", "RRULE:FREQ=YEARLY;INTERVAL=10"}), "2027-01-01T00:00:00Z",
			win(t, "2036-01-05T08:00:00Z", "2036-01-05T09:00:00Z"), true},
		{"AroundTheClockIsCut", events([]string{"DTSTART:20260101T000000Z", "DURATION:P1D", "RRULE:FREQ=DAILY"}), "2026-01-01T12:00:00Z",
			win(t, "2026-01-01T00:00:00Z", "2037-03-20T00:00:00Z"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := mustParse(t, tt.text).Next(instant(t, tt.at))
			if ok != tt.wantOK {
				t.Fatalf("Next ok = %v, want %v", ok, tt.wantOK)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Next (-want +got):\n%s", diff)
			}
		})
	}
}

// Allows, Windows and Next must agree: t is allowed exactly when the window Next returns for t
// contains t, and when Windows over [t, t+1s) returns a window containing t.
func TestAllows_AgreesWithWindows(t *testing.T) {
	texts := map[string]string{"typical": typicalCalendar, "worst": worstCalendar(),
		"longNominal": oneEvent("DTSTART;TZID=America/New_York:20260301T220000", "DURATION:P2DT3H", "RRULE:FREQ=DAILY;INTERVAL=3;BYDAY=MO,WE,FR,SU",
			"EXDATE;TZID=America/New_York:20260308T220000")}
	for name, text := range texts {
		t.Run(name, func(t *testing.T) {
			c := mustParse(t, text)
			base := instant(t, "2026-01-01T00:00:00Z")
			for i := range 3000 {
				at := base.Add(time.Duration(i)*2*time.Hour + time.Duration(i%13)*7*time.Minute)
				allowed := c.Allows(at)
				w, ok := c.Next(at)
				inNext := ok && !at.Before(w.Start) && at.Before(w.End)
				ws := c.Windows(at, at.Add(time.Second), 1)
				inWindows := len(ws) == 1 && !at.Before(ws[0].Start) && at.Before(ws[0].End)
				if allowed != inNext || allowed != inWindows {
					t.Fatalf("at %s: Allows = %v, Next = %v %v, Windows = %v", at, allowed, w, ok, ws)
				}
			}
		})
	}
}

func TestCalendar_ConcurrentUse(t *testing.T) {
	c := mustParse(t, worstCalendar())
	base := instant(t, "2026-01-01T00:00:00Z")
	done := make(chan bool)
	for g := range 4 {
		go func() {
			n := 0
			for i := range 500 {
				at := base.Add(time.Duration(g*500+i) * 37 * time.Minute)
				if c.Allows(at) {
					n++
				}
				c.Windows(at, at.Add(24*time.Hour), 4)
			}
			done <- n > 0
		}()
	}
	for range 4 {
		if !<-done {
			t.Error("a goroutine saw no allowed instant")
		}
	}
}

func TestParse_FoldedLineNumbers(t *testing.T) {
	text := strings.Join([]string{"BEGIN:VCALENDAR", "BEGIN:VEVENT", "SUMMARY:a long", " summary folded", " twice",
		"DTSTART;TZID=Europe/Vienna:2026", " 0105T0800", "DURATION:PT1H", "END:VEVENT", "END:VCALENDAR"}, "\r\n")
	_, err := Parse(text, DefaultLimits())
	want := `line 6: DTSTART: "20260105T0800" is not a DATE-TIME (want YYYYMMDDTHHMMSS[Z])`
	if err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("error = %v, want details %q", err, want)
	}
}
