package ical

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// typicalCalendar is the common case: office hours on weekdays in one zone.
const typicalCalendar = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Keyward//Test//EN\r\n" +
	"BEGIN:VEVENT\r\nUID:office@example.com\r\nDTSTAMP:20260101T000000Z\r\n" +
	"DTSTART;TZID=Europe/Vienna:20260105T080000\r\nDTEND;TZID=Europe/Vienna:20260105T180000\r\n" +
	"RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

// worstCalendar approaches the limits of DefaultLimits: 16 events with 8 BYDAY values, the
// largest COUNT and EXDATEs; half of the rules are monthly with ordinals, the costliest to
// evaluate. The 4096-byte limit leaves room for three EXDATEs per event.
func worstCalendar() string {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\n")
	for i := range 16 {
		fmt.Fprintf(&b, "BEGIN:VEVENT\r\nDTSTART;TZID=Europe/Vienna:202601%02dT%02d0000\r\nDURATION:PT1H\r\n", i+1, 5+i%12)
		if i%2 == 0 {
			b.WriteString("RRULE:FREQ=MONTHLY;BYDAY=1MO,2TU,3WE,4TH,-1FR,1SA,2SU,-2MO;COUNT=10000\r\n")
		} else {
			b.WriteString("RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TU,WE,TH,FR,SA,SU,MO;COUNT=10000\r\n")
		}
		h := 5 + i%12
		fmt.Fprintf(&b, "EXDATE;TZID=Europe/Vienna:202602%02dT%02d0000,202603%02dT%02d0000,202604%02dT%02d0000\r\nEND:VEVENT\r\n", i+1, h, i+1, h, i+1, h)
	}
	b.WriteString("END:VCALENDAR\r\n")
	return b.String()
}

// instants spreads decision times over two years, on and off the hour.
func instants() []time.Time {
	out := make([]time.Time, 1024)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range out {
		out[i] = base.Add(time.Duration(i)*17*time.Hour + time.Duration(i%7)*time.Minute*13)
	}
	return out
}

func BenchmarkAllows(b *testing.B) {
	for _, bc := range []struct {
		name, text string
	}{{"typical", typicalCalendar}, {"worst", worstCalendar()}} {
		b.Run(bc.name, func(b *testing.B) {
			c, err := Parse(bc.text, DefaultLimits())
			if err != nil {
				b.Fatal(err)
			}
			ts := instants()
			for i := 0; b.Loop(); i++ {
				c.Allows(ts[i%len(ts)])
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
		})
	}
}

func BenchmarkParse(b *testing.B) {
	for _, bc := range []struct {
		name, text string
	}{{"typical", typicalCalendar}, {"worst", worstCalendar()}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Parse(bc.text, DefaultLimits()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
