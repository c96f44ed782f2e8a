package locksim

import (
	"fmt"
	"strings"
	"time"
)

// eventf prints one line of the timeline: the time, the subject and what happened. For a lock's
// event the time is the lock's own clock in its zone, followed by the world's time in UTC, so
// that a drifting clock shows; other events show the world's time in the scenario's zone.
func (w *World) eventf(l *Lock, subject, format string, args ...any) {
	stamp := w.localStamp(w.now, w.sc.Zone)
	if l != nil {
		stamp = w.localStamp(l.Clock.Now(w.now), l.Zone())
	}
	fmt.Fprintf(w.out, "%s (%s)  %-*s  %s\n", stamp, clockText(w.now.UTC())+"Z", w.width, subject, fmt.Sprintf(format, args...))
}

// localStamp is t on the wall clock of loc with the zone's name.
func (w *World) localStamp(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	return t.Format(time.DateOnly) + " " + clockText(t) + " " + loc.String()
}

// clockText is HH:MM, or HH:MM:SS when the seconds are not zero.
func clockText(t time.Time) string {
	if t.Second() != 0 || t.Nanosecond() != 0 {
		return t.Format("15:04:05")
	}
	return t.Format("15:04")
}

// describeGrant is the grant's period and restriction in words.
func describeGrant(g *Grant, win *Window) string {
	var b strings.Builder
	zone := g.Lock.Spec().Zone
	if g.ValidFrom != nil {
		fmt.Fprintf(&b, "  from %s", g.ValidFrom.In(zone).Format("2006-01-02 15:04"))
	}
	if g.ValidBefore != nil {
		fmt.Fprintf(&b, "  until %s", g.ValidBefore.In(zone).Format("2006-01-02 15:04"))
	}
	if win != nil {
		fmt.Fprintf(&b, "  %s %02d:%02d-%02d:%02d %s", win.days(), win.From.hour, win.From.minute, win.To.hour, win.To.minute, zone)
	}
	return b.String()
}

// days names the window's days.
func (w *Window) days() string {
	if w.Days == nil {
		return "daily"
	}
	names := make([]string, len(w.Days))
	for i, d := range w.Days {
		names[i] = d.String()[:3]
	}
	return strings.Join(names, ",")
}

// signed is a duration with its sign, as a clock error reads: +10m0s, -30s.
func signed(d time.Duration) string {
	if d < 0 {
		return d.String()
	}
	return "+" + d.String()
}

// cardSync is what a sync carried for cards, "" when nothing.
func cardSync(writes, images int) string {
	if writes == 0 && images == 0 {
		return ""
	}
	return fmt.Sprintf(", card writes: %d reported, %d to write", writes, images)
}
