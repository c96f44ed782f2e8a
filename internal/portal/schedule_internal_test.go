package portal

import (
	"testing"
	"time"

	"github.com/keyward/keyward/internal/ical"
)

// TestScheduleICalText checks the text the builder writes: DTSTART on the first checked day of
// the week before the anchor, a week earlier when that day's span crosses a change of the
// clocks, and the builder's refusals.
func TestScheduleICalText(t *testing.T) {
	vienna, err := time.LoadLocation("Europe/Vienna")
	if err != nil {
		t.Fatal(err)
	}
	anchor := time.Date(2027, 4, 2, 0, 0, 0, 0, vienna) // a Friday
	tests := []struct {
		name       string
		sc         schedule
		start, end string // DTSTART and DTEND values; "" when the builder refuses
		rule       string
		errKey     string
	}{
		{"Weekdays", schedule{Days: []string{"FR", "MO"}, From: "08:00", To: "12:30"}, "20270326T080000", "20270326T123000", "MO,FR", ""},
		{"Night", schedule{Days: []string{"TH"}, From: "22:00", To: "06:00"}, "20270401T220000", "20270402T060000", "TH", ""},
		// Sunday 2027-03-28 has no 02:00 in Vienna: the Sunday before is taken.
		{"SpringGap", schedule{Days: []string{"SU"}, From: "02:00", To: "03:00"}, "20270321T020000", "20270321T030000", "SU", ""},
		{"NoDays", schedule{From: "08:00", To: "09:00"}, "", "", "", "portal.grants.error.noDays"},
		{"BadTime", schedule{Days: []string{"MO"}, From: "8", To: "09:00"}, "", "", "", "portal.grants.error.times"},
		{"SameTimes", schedule{Days: []string{"MO"}, From: "09:00", To: "09:00"}, "", "", "", "portal.grants.error.sameTimes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text, err := tc.sc.icalText("Europe/Vienna", vienna, anchor)
			if tc.errKey != "" {
				if se, ok := err.(*scheduleError); !ok || se.key != tc.errKey {
					t.Fatalf("err = %v, want %s", err, tc.errKey)
				}
				return
			}
			want := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Keyward//Portal schedule//EN\r\nBEGIN:VEVENT\r\n" +
				"DTSTART;TZID=Europe/Vienna:" + tc.start + "\r\nDTEND;TZID=Europe/Vienna:" + tc.end + "\r\n" +
				"RRULE:FREQ=WEEKLY;BYDAY=" + tc.rule + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
			if err != nil || text != want {
				t.Fatalf("text = %q, %v; want %q", text, err, want)
			}
			if _, err := ical.Parse(text, ical.DefaultLimits()); err != nil {
				t.Fatalf("the service's parser refuses the text: %v", err)
			}
			sc, zone, ok := parseBuilt(text)
			if !ok || zone != "Europe/Vienna" || sc.From != tc.sc.From || sc.To != tc.sc.To {
				t.Errorf("parseBuilt = %+v, %q, %v", sc, zone, ok)
			}
		})
	}
}
