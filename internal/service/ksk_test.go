package service

import (
	"slices"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/keyward"
)

// TestKeySigningKeysInUse: a key stays in the delivered set until its successor is older than
// kskRetention, and a lock is signed for with the newest key it holds, else the newest key with
// no key of its own (it then needs the anchor).
func TestKeySigningKeysInUse(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	seed := func(b byte) []byte { s := make([]byte, 32); s[0] = b; return s }
	stored := []*keyward.KeySigningKey{
		{ID: "ksk-1", Seed: seed(1), CreatedAt: keyward.NewTime(t0)},
		{ID: "ksk-2", Seed: seed(2), CreatedAt: keyward.NewTime(t0.Add(30 * 24 * time.Hour))},
		{ID: "ksk-3", Seed: seed(3), CreatedAt: keyward.NewTime(t0.Add(40 * 24 * time.Hour))},
	}
	for _, tt := range []struct {
		name string
		now  time.Time
		want []string
	}{
		{"AllWhileTheirSuccessorsAreYoung", t0.Add(41 * 24 * time.Hour), []string{"ksk-1", "ksk-2", "ksk-3"}},
		{"KeptForTheWholeRetention", t0.Add(30*24*time.Hour + kskRetention), []string{"ksk-1", "ksk-2", "ksk-3"}},
		{"DroppedAfterIt", t0.Add(30*24*time.Hour + kskRetention + time.Millisecond), []string{"ksk-2", "ksk-3"}},
		{"OnlyTheNewestLongAfter", t0.Add(40*24*time.Hour + kskRetention + time.Millisecond), []string{"ksk-3"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			keys, err := inUse(stored, tt.now)
			if err != nil {
				t.Fatal(err)
			}
			if got := keys.keySet().KIDs(); !slices.Equal(got, tt.want) {
				t.Fatalf("keys in use = %v, want %v", got, tt.want)
			}
		})
	}
	keys, err := inUse(stored, t0.Add(45*24*time.Hour)) // ksk-2 and ksk-3
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		kids     [][]string
		want     string
		wantHeld bool
	}{
		{[][]string{{"ksk-2"}}, "ksk-2", true},                     // not synced since ksk-3 appeared
		{[][]string{{"ksk-2", "ksk-3"}}, "ksk-3", true},            // synced since
		{[][]string{{"ksk-2", "ksk-3"}, {"ksk-2"}}, "ksk-2", true}, // a key for two locks: the newest both hold
		{[][]string{{"ksk-1"}}, "ksk-3", false},                    // holds only a retired key: anchored
		{[][]string{nil}, "ksk-3", false},                          // a new lock
		{[][]string{{"ksk-3"}, {"ksk-2"}}, "ksk-3", false},         // no key both hold
	} {
		s, held := keys.signerFor(tt.kids...)
		if s.KID != tt.want || held != tt.wantHeld {
			t.Errorf("signerFor(%v) = %s, %v; want %s, %v", tt.kids, s.KID, held, tt.want, tt.wantHeld)
		}
	}
	if _, err := inUse([]*keyward.KeySigningKey{{ID: "ksk-9", Seed: []byte{1, 2, 3}}}, t0); err == nil {
		t.Fatal("a stored seed of 3 bytes was used")
	}
}
