package ical

import (
	"math/rand/v2"
	"testing"
	"time"
)

func loadZone(t *testing.T, name string) *zone {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return newZone(name, loc)
}

// localSeconds writes a wall-clock time as local seconds.
func localSeconds(y, mo, d, h, mi int) int64 {
	return int64(daysFromCivil(y, mo, d))*secondsPerDay + int64(h*3600+mi*60)
}

func TestZone_Resolve(t *testing.T) {
	tests := []struct {
		name, zone      string
		y, mo, d, h, mi int
		want            string
	}{
		{"Vienna/Regular", "Europe/Vienna", 2026, 1, 5, 8, 0, "2026-01-05T07:00:00Z"},
		{"Vienna/Gap", "Europe/Vienna", 2026, 3, 29, 2, 30, "2026-03-29T01:30:00Z"},
		{"Vienna/AfterGap", "Europe/Vienna", 2026, 3, 29, 3, 0, "2026-03-29T01:00:00Z"},
		{"Vienna/Overlap", "Europe/Vienna", 2026, 10, 25, 2, 30, "2026-10-25T00:30:00Z"},
		{"Vienna/AfterOverlap", "Europe/Vienna", 2026, 10, 25, 3, 0, "2026-10-25T02:00:00Z"},
		{"NewYork/Gap", "America/New_York", 2026, 3, 8, 2, 30, "2026-03-08T07:30:00Z"},
		{"NewYork/Overlap", "America/New_York", 2026, 11, 1, 1, 30, "2026-11-01T05:30:00Z"},
		{"Sydney/Gap", "Australia/Sydney", 2026, 10, 4, 2, 30, "2026-10-03T16:30:00Z"},
		{"Sydney/Overlap", "Australia/Sydney", 2026, 4, 5, 2, 30, "2026-04-04T15:30:00Z"},
		{"LordHowe/HalfHourGap", "Australia/Lord_Howe", 2026, 10, 4, 2, 15, "2026-10-03T15:45:00Z"},
		{"LordHowe/HalfHourOverlap", "Australia/Lord_Howe", 2026, 4, 5, 1, 45, "2026-04-04T14:45:00Z"},
		{"Kolkata", "Asia/Kolkata", 2026, 7, 1, 9, 0, "2026-07-01T03:30:00Z"},
		{"Apia/SkippedDay", "Pacific/Apia", 2011, 12, 30, 10, 0, "2011-12-30T20:00:00Z"},
		{"UTC", "UTC", 2026, 3, 29, 2, 30, "2026-03-29T02:30:00Z"},
		{"FarFuture/Gap", "Europe/Vienna", 2300, 3, 25, 2, 30, "2300-03-25T01:30:00Z"},
		{"LeapYearEndPastLastTransition", "Europe/Vienna", 2056, 12, 31, 6, 49, "2056-12-31T05:49:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := loadZone(t, tt.zone)
			got := time.Unix(z.resolve(localSeconds(tt.y, tt.mo, tt.d, tt.h, tt.mi)), 0).UTC().Format(time.RFC3339)
			if got != tt.want {
				t.Errorf("resolve = %s, want %s", got, tt.want)
			}
		})
	}
}

// For local times the clock shows exactly once, resolve must agree with time.Date, and local
// must invert it.
func TestZone_ResolveMatchesTimeDate(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, name := range []string{"Europe/Vienna", "America/New_York", "Australia/Sydney", "Australia/Lord_Howe", "Asia/Kolkata", "America/Santiago", "Pacific/Chatham"} {
		z := loadZone(t, name)
		for range 20000 {
			w := wall{1950 + rng.IntN(120), 1 + rng.IntN(12), 1 + rng.IntN(28), rng.IntN(24), rng.IntN(60), rng.IntN(60)}
			if !regular(z.loc, w) {
				continue
			}
			l := int64(daysFromCivil(w.y, w.mo, w.d))*secondsPerDay + int64(w.h*3600+w.mi*60+w.s)
			got, want := z.resolve(l), w.in(z.loc).Unix()
			if got != want {
				t.Fatalf("%s %v: resolve = %d, want %d", name, w, got, want)
			}
			if z.local(got) != l {
				t.Fatalf("%s %v: local(resolve) = %d, want %d", name, w, z.local(got), l)
			}
		}
	}
}
