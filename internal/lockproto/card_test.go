package lockproto

import (
	"testing"
	"time"
)

// TestPresentCard: a lock writes the newer image its sync brought when the card is held to it,
// reports the write at its next sync and forgets the report once answered, and decides with
// what the card holds: by lock, revocation list, uid and the grant's period and calendar.
func TestPresentCard(t *testing.T) {
	ksk := signer("ksk-1")
	const uid = "BAUGBwgJCg=="
	now := time.Date(2026, 3, 30, 9, 0, 0, 0, vienna) // a Monday
	mondays := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART;TZID=Europe/Vienna:20260105T080000\r\n" +
		"DTEND;TZID=Europe/Vienna:20260105T120000\r\nRRULE:FREQ=WEEKLY;BYDAY=MO\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	image := func(version int64, forUID string, keys ...CardKey) *Envelope {
		return must(SignCardImage(ksk, &CardImage{BoundCardID: "card-1", CardUID: forUID, Version: version, IssuedAt: wire(now), Keys: keys}))
	}
	here := CardKey{GrantID: "g-here", LockIDs: []string{thisLock}, TimeRestrictionIcal: &mondays}
	elsewhere := CardKey{GrantID: "g-else", LockIDs: []string{otherLock}}

	s := lockState()
	resp := &SyncResponse{LockID: thisLock, Counter: 8, ServerTime: wire(now), TimeZone: "Europe/Vienna", KeySet: keySetOf(ksk),
		Revocations: RevocationList{LockID: thisLock, SerialNo: 3}, CardWrites: []*Envelope{image(2, uid, elsewhere, here), image(1, uid, elsewhere)}}
	req := s.SyncRequest(8, now, nil, nil)
	resp.Challenge = req.Challenge
	if _, err := s.ApplySync(req, must(SignSyncResponse(ksk, resp))); err != nil {
		t.Fatal(err)
	}
	held, d := s.PresentCard(uid, image(1, uid, elsewhere), now)
	if !d.Allowed || d.Key.GrantID != "g-here" {
		t.Fatalf("the card with the image written = %+v", d)
	}
	if img := must(VerifyCardImage(held, s.KeySet)); img.Version != 2 || len(s.PendingCards) != 0 {
		t.Fatalf("the card holds version %d (pending %d), want the newer 2 written", img.Version, len(s.PendingCards))
	}
	next := s.SyncRequest(9, now, nil, nil)
	if len(next.CardWrites) != 1 || next.CardWrites[0].Version != 2 || next.CardWrites[0].BoundCardID != "card-1" {
		t.Fatalf("the next request reports %+v", next.CardWrites)
	}
	resp = &SyncResponse{LockID: thisLock, Counter: 9, Challenge: next.Challenge, ServerTime: wire(now), TimeZone: "Europe/Vienna",
		KeySet: keySetOf(ksk), Revocations: RevocationList{LockID: thisLock, SerialNo: 4, CardGrantIDs: []string{"g-here"}}}
	if _, err := s.ApplySync(next, must(SignSyncResponse(ksk, resp))); err != nil {
		t.Fatal(err)
	}
	if len(s.WrittenCards) != 0 {
		t.Fatalf("reported writes kept after the answer: %+v", s.WrittenCards)
	}

	for _, tt := range []struct {
		name   string
		image  *Envelope
		at     time.Time
		reason string
	}{
		{"Revoked", held, now, ReasonRevoked},
		{"OtherLocksOnly", image(3, uid, elsewhere), now, ReasonWrongLock},
		{"Empty", nil, now, ReasonWrongLock},
		{"CopiedToAnotherCard", image(3, "AAAAAAAAAA==", here), now, ReasonWrongCard},
		{"Forged", must(SignCardImage(signer("ksk-9"), &CardImage{CardUID: uid, Keys: []CardKey{here}})), now, ReasonBadSignature},
		{"OutsideTimeRestriction", image(3, uid, CardKey{GrantID: "g-2", LockIDs: []string{thisLock}, TimeRestrictionIcal: &mondays}),
			now.Add(4 * time.Hour), ReasonOutsideRestriction},
		{"Expired", image(3, uid, CardKey{GrantID: "g-3", LockIDs: []string{thisLock}, ValidBefore: ptr(wire(now))}), now, ReasonExpired},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if d := s.DecideCard(uid, tt.image, tt.at); d.Allowed || d.Reason != tt.reason {
				t.Fatalf("DecideCard = %+v, want denied %s", d, tt.reason)
			}
		})
	}
}
