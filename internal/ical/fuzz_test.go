package ical

import (
	"testing"
	"time"

	"github.com/keyward/keyward/internal/keyward"
)

// FuzzParse checks that Parse never panics or hangs, that every error carries one of the
// time-restriction codes, and that a calendar it accepts can be evaluated.
func FuzzParse(f *testing.F) {
	seeds := []string{typicalCalendar, worstCalendar(), manyEvents(3),
		withMorning("RRULE:FREQ=MONTHLY;BYDAY=1MO,-1FR;BYMONTHDAY=1,-1;COUNT=12", "EXDATE;TZID=Europe/Vienna:20260202T080000"),
		withMorning("RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;INTERVAL=3"),
		oneEvent("DTSTART;TZID=America/New_York:20260308T023000", "DURATION:P1DT2H", "RRULE:FREQ=DAILY;UNTIL=20260401"),
		oneEvent("DTSTART:20260105T080000Z", "DURATION:PT1H", "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=SU;COUNT=10000"),
		"BEGIN:VCALENDAR\nBEGIN:VTIMEZONE\nTZID:Europe/Vienna\nBEGIN:STANDARD\nTZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE\nEND:VCALENDAR\n",
		"BEGIN:VCALENDAR\r\n X:y\r\n",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	codes := map[string]bool{"TimeRestrictionIcalTooLarge": true, "TimeRestrictionIcalTooComplex": true,
		"TimeRestrictionIcalMalformed": true, "TimeRestrictionIcalIllegalTimezone": true}
	f.Fuzz(func(t *testing.T, text string) {
		c, err := Parse(text, DefaultLimits())
		if err != nil {
			if e := keyward.ErrorOf(err); e == nil || !codes[e.Code] || e.Details == "" {
				t.Fatalf("error %v is not a time-restriction *keyward.Error with details", err)
			}
			return
		}
		at := time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC)
		for i := range 8 {
			c.Allows(at.Add(time.Duration(i) * 7 * time.Hour))
		}
		c.Windows(at, at.Add(10*24*time.Hour), 50)
		c.Next(at)
	})
}
