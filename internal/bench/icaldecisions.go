package bench

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/teambition/rrule-go"

	"github.com/keyward/keyward/internal/ical"
)

// icalRule is one schedule as iCalendar text and as rrule-go's options with the event's length.
type icalRule struct {
	text   string
	zone   string
	option rrule.ROption
	length time.Duration
}

// icalRules are the schedules both implementations decide on.
func icalRules() []icalRule {
	cal := func(zone, start, end, rule string) string {
		return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\nUID:1\r\n" +
			"DTSTART;TZID=" + zone + ":" + start + "\r\nDTEND;TZID=" + zone + ":" + end + "\r\nRRULE:" + rule + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	}
	return []icalRule{
		{cal("Europe/Vienna", "20260105T080000", "20260105T120000", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"), "Europe/Vienna",
			rrule.ROption{Freq: rrule.WEEKLY, Byweekday: []rrule.Weekday{rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR}}, 4 * time.Hour},
		{cal("America/New_York", "20260101T180000", "20260101T220000", "FREQ=DAILY;INTERVAL=2"), "America/New_York",
			rrule.ROption{Freq: rrule.DAILY, Interval: 2}, 4 * time.Hour},
		{cal("UTC", "20260101T090000", "20260101T170000", "FREQ=MONTHLY;BYMONTHDAY=1,15"), "UTC",
			rrule.ROption{Freq: rrule.MONTHLY, Bymonthday: []int{1, 15}}, 8 * time.Hour},
	}
}

// icalDecisions is how many decisions one op of the iCal measure makes per rule.
const icalDecisions = 1000

// ical measures access decisions (is this instant in a window of the schedule?) of internal/ical
// against rrule-go on the same rules: the latest occurrence at or before the instant, and
// whether the instant is before its end. Both run on one client: it is CPU work.
func (r *runner) ical(ctx context.Context) error {
	rules := icalRules()
	cals := make([]*ical.Calendar, len(rules))
	sets := make([]*rrule.RRule, len(rules))
	from := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	instants := make([]time.Time, icalDecisions)
	for i := range instants {
		instants[i] = from.Add(time.Duration(i) * (8*time.Hour + 47*time.Minute + 13*time.Second))
	}
	for i, rule := range rules {
		var err error
		if cals[i], err = ical.Parse(rule.text, ical.DefaultLimits()); err != nil {
			return err
		}
		loc, err := time.LoadLocation(rule.zone)
		if err != nil {
			return err
		}
		opt := rule.option
		opt.Dtstart = firstStart(rule.text, loc)
		if sets[i], err = rrule.NewRRule(opt); err != nil {
			return err
		}
	}
	icalAllows := func(i int, t time.Time) bool { return cals[i].Allows(t) }
	rruleAllows := func(i int, t time.Time) bool { // inside an occurrence that began before t
		o := sets[i].Before(t, true)
		return !o.IsZero() && t.Before(o.Add(rules[i].length))
	}
	var agree, total int
	for i := range rules {
		for _, t := range instants {
			total++
			if icalAllows(i, t) == rruleAllows(i, t) {
				agree++
			}
		}
	}
	if agree != total {
		fmt.Fprintf(r.cfg.Progress, "bench: iCal and rrule-go disagree on %d of %d decisions\n", total-agree, total)
	}
	var sink int
	var mu sync.Mutex
	// decide counts the decisions allows makes over every rule and instant, into sink, so that
	// the compiler keeps them.
	decide := func(allows func(rule int, t time.Time) bool) op {
		return func(context.Context, int, int64) error {
			n := 0
			for i := range rules {
				for _, t := range instants {
					if allows(i, t) {
						n++
					}
				}
			}
			mu.Lock()
			sink += n
			mu.Unlock()
			return nil
		}
	}
	res := r.compare(ctx, 1, []string{"iCal Allows", "rrule-go"},
		decide(icalAllows), decide(rruleAllows))
	kw, ref := res[0], res[1]
	per := float64(len(rules) * icalDecisions)
	row := rateRow("iCal Allows decisions, 1 client", "decisions/s", per, kw, "rrule-go", &ref)
	row.P50Ms, row.P99Ms = 0, 0 // a latency here is of a batch, not of one decision
	r.add(withTarget(row, "≥ 10 of ref", atLeast(row.Ratio, 10)))
	return nil
}

// firstStart is the DTSTART of a rule's text in loc.
func firstStart(text string, loc *time.Location) time.Time {
	_, rest, _ := strings.Cut(text, "DTSTART;TZID=")
	_, value, _ := strings.Cut(rest, ":")
	t, _ := time.ParseInLocation("20060102T150405", value[:15], loc)
	return t
}
