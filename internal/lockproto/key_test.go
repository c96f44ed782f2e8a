package lockproto

import (
	"errors"
	"testing"
	"time"
)

func TestClipValidity(t *testing.T) {
	now := time.Date(2026, 3, 30, 7, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	at := func(d time.Duration) *time.Time { v := now.Add(d); return &v }
	for _, tt := range []struct {
		name           string
		from, before   *time.Time
		d              time.Duration
		wantNB, wantNA time.Time
		wantErr        error
	}{
		{"Unbounded", nil, nil, MaxKeyValidity, now.Add(-ClockSkew), now.Add(-ClockSkew + 7*day), nil},
		{"LongerAskedIsSevenDays", nil, nil, 30 * day, now.Add(-ClockSkew), now.Add(-ClockSkew + 7*day), nil},
		{"Shorter", nil, nil, day, now.Add(-ClockSkew), now.Add(-ClockSkew + day), nil},
		{"GrantEndsFirst", at(-30 * day), at(2 * day), MaxKeyValidity, now.Add(-ClockSkew), now.Add(2 * day), nil},
		{"GrantStartsLater", at(3 * day), at(30 * day), MaxKeyValidity, now.Add(3 * day), now.Add(-ClockSkew + 7*day), nil},
		{"GrantInside", at(day), at(2 * day), MaxKeyValidity, now.Add(day), now.Add(2 * day), nil},
		{"GrantStartsAfterTheKeyEnds", at(8 * day), nil, MaxKeyValidity, time.Time{}, time.Time{}, ErrNoValidity},
		{"GrantEnded", nil, at(-day), MaxKeyValidity, time.Time{}, time.Time{}, ErrNoValidity},
		{"GrantEndsAtTheStart", nil, at(-ClockSkew), MaxKeyValidity, time.Time{}, time.Time{}, ErrNoValidity},
	} {
		t.Run(tt.name, func(t *testing.T) {
			nb, na, err := ClipValidity(now, tt.from, tt.before, tt.d)
			if !errors.Is(err, tt.wantErr) || !nb.Equal(tt.wantNB) || !na.Equal(tt.wantNA) {
				t.Fatalf("ClipValidity = [%s, %s), %v; want [%s, %s), %v", nb, na, err, tt.wantNB, tt.wantNA, tt.wantErr)
			}
			if err == nil && na.Sub(now) > MaxKeyValidity {
				t.Fatalf("the key ends %s after its issue, more than %s", na.Sub(now), MaxKeyValidity)
			}
		})
	}
}

func TestVerifyHolder(t *testing.T) {
	k := mobileKey(t, time.Now(), nil)
	challenge := NewChallenge()
	proof := ProveHolder(phone.Key, thisLock, challenge)
	if !VerifyHolder(k, thisLock, challenge, proof) {
		t.Fatalf("the phone's proof was refused")
	}
	for name, ok := range map[string]bool{
		"OtherChallenge": VerifyHolder(k, thisLock, NewChallenge(), proof),
		"OtherLock":      VerifyHolder(k, otherLock, challenge, proof),
		"OtherPhone":     VerifyHolder(k, thisLock, challenge, ProveHolder(signer("thief").Key, thisLock, challenge)),
		"ShortChallenge": VerifyHolder(k, thisLock, challenge[:8], ProveHolder(phone.Key, thisLock, challenge[:8])),
	} {
		if ok {
			t.Errorf("%s: the proof was accepted", name)
		}
	}
}
