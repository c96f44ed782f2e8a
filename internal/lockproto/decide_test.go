package lockproto

import (
	"errors"
	"testing"
	"time"
)

// vienna is the zone of the tests' lock.
var vienna = must(time.LoadLocation("Europe/Vienna"))

// lockState is thisLock in Vienna, trusting ksk-1, at revocation-list serial 3.
func lockState() *LockState {
	return &LockState{LockID: thisLock, Location: vienna, ProtocolVersion: ProtocolLatest,
		KeySet: keySetOf(signer("ksk-1")), Revocations: RevocationList{LockID: thisLock, SerialNo: 3, GrantIDs: []string{"g-0"}}}
}

func TestDecide(t *testing.T) {
	ksk := signer("ksk-1")
	local := func(y int, m time.Month, d, h, mi int) time.Time { return time.Date(y, m, d, h, mi, 0, 0, vienna) }
	type change func(k *MobileKey, s *LockState)
	for _, tt := range []struct {
		name   string
		now    time.Time
		change change
		signer Signer
		reason string
		local  string
	}{
		// Mondays 08:00–12:00 local on both sides of the changes to summer time (March 29) and
		// back (October 25): the window follows the wall clock, not UTC.
		{name: "WinterBeforeSpringChange09", now: local(2026, 3, 23, 9, 0), reason: ReasonAllowed, local: "2026-03-23T09:00:00+01:00"},
		{name: "WinterBeforeSpringChange13", now: local(2026, 3, 23, 13, 0), reason: ReasonOutsideRestriction},
		{name: "SummerAfterSpringChange09", now: local(2026, 3, 30, 9, 0), reason: ReasonAllowed, local: "2026-03-30T09:00:00+02:00"},
		{name: "SummerAfterSpringChange13", now: local(2026, 3, 30, 13, 0), reason: ReasonOutsideRestriction},
		{name: "SummerBeforeAutumnChange09", now: local(2026, 10, 19, 9, 0), reason: ReasonAllowed},
		{name: "SummerBeforeAutumnChange13", now: local(2026, 10, 19, 13, 0), reason: ReasonOutsideRestriction},
		{name: "WinterAfterAutumnChange09", now: local(2026, 10, 26, 9, 0), reason: ReasonAllowed, local: "2026-10-26T09:00:00+01:00"},
		{name: "WinterAfterAutumnChange13", now: local(2026, 10, 26, 13, 0), reason: ReasonOutsideRestriction},
		// 10:30 UTC is 11:30 in winter and 12:30 in summer
		{name: "UTC1030InWinter", now: time.Date(2026, 3, 23, 10, 30, 0, 0, time.UTC), reason: ReasonAllowed, local: "2026-03-23T11:30:00+01:00"},
		{name: "UTC1030InSummer", now: time.Date(2026, 3, 30, 10, 30, 0, 0, time.UTC), reason: ReasonOutsideRestriction, local: "2026-03-30T12:30:00+02:00"},
		{name: "Tuesday", now: local(2026, 3, 31, 9, 0), reason: ReasonOutsideRestriction},
		{name: "NoRestriction", now: local(2026, 3, 31, 13, 0), reason: ReasonAllowed,
			change: func(k *MobileKey, s *LockState) { k.TimeRestrictionIcal = nil }},
		{name: "KeyNotYetValid", now: local(2026, 3, 30, 9, 0), reason: ReasonNotYetValid,
			change: func(k *MobileKey, s *LockState) { k.NotBefore = wire(local(2026, 3, 30, 10, 0)) }},
		{name: "KeyExpired", now: local(2026, 3, 30, 9, 0), reason: ReasonExpired,
			change: func(k *MobileKey, s *LockState) { k.NotAfter = wire(local(2026, 3, 30, 9, 0)) }},
		{name: "GrantNotYetValid", now: local(2026, 3, 30, 9, 0), reason: ReasonNotYetValid,
			change: func(k *MobileKey, s *LockState) { k.ValidFrom = ptr(wire(local(2026, 3, 30, 9, 0).Add(time.Second))) }},
		{name: "GrantExpired", now: local(2026, 3, 30, 9, 0), reason: ReasonExpired,
			change: func(k *MobileKey, s *LockState) { k.ValidBefore = ptr(wire(local(2026, 3, 30, 9, 0))) }},
		{name: "Revoked", now: local(2026, 3, 30, 9, 0), reason: ReasonRevoked,
			change: func(k *MobileKey, s *LockState) { s.Revocations.GrantIDs = []string{"g-0", "g-1"} }},
		{name: "RevokedAsCardGrant", now: local(2026, 3, 30, 9, 0), reason: ReasonRevoked,
			change: func(k *MobileKey, s *LockState) { s.Revocations.CardGrantIDs = []string{"g-1"} }},
		{name: "RevokedOutsideTheWindow", now: local(2026, 3, 30, 13, 0), reason: ReasonRevoked,
			change: func(k *MobileKey, s *LockState) { s.Revocations.GrantIDs = []string{"g-1"} }},
		{name: "WrongLock", now: local(2026, 3, 30, 9, 0), reason: ReasonWrongLock,
			change: func(k *MobileKey, s *LockState) { k.LockIDs = []string{otherLock} }},
		{name: "GroupMember", now: local(2026, 3, 30, 9, 0), reason: ReasonAllowed,
			change: func(k *MobileKey, s *LockState) {
				k.LockIDs, k.LockGroupID = []string{otherLock, thisLock}, ptr("grp-1")
			}},
		{name: "BadSignature", now: local(2026, 3, 30, 9, 0), reason: ReasonBadSignature, signer: Signer{KID: "ksk-1", Key: signer("x").Key}},
		{name: "UnknownSigningKey", now: local(2026, 3, 30, 9, 0), reason: ReasonBadSignature, signer: signer("ksk-9")},
		{name: "WrongLockBeforeRevoked", now: local(2026, 3, 30, 9, 0), reason: ReasonWrongLock,
			change: func(k *MobileKey, s *LockState) {
				k.LockIDs, s.Revocations.GrantIDs = []string{otherLock}, []string{"g-1"}
			}},
		{name: "RestrictionDoesNotParse", now: local(2026, 3, 30, 9, 0), reason: ReasonBadRestriction,
			change: func(k *MobileKey, s *LockState) { k.TimeRestrictionIcal = ptr("BEGIN:VEVENT") }},
		{name: "RestrictionOnProtocolBasic", now: local(2026, 3, 30, 9, 0), reason: ReasonUnsupported,
			change: func(k *MobileKey, s *LockState) { s.ProtocolVersion = ProtocolBasic }},
		{name: "MonthlyOnProtocolTimeRestrictions", now: local(2026, 3, 30, 9, 0), reason: ReasonUnsupported,
			change: func(k *MobileKey, s *LockState) {
				s.ProtocolVersion = ProtocolTimeRestrictions
				k.TimeRestrictionIcal = ptr("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;TZID=Europe/Vienna:20260105T080000\r\n" +
					"DURATION:PT4H\r\nRRULE:FREQ=MONTHLY;BYDAY=-1MO\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
			}},
		{name: "MonthlyOnProtocolLatest", now: local(2026, 3, 30, 9, 0), reason: ReasonAllowed,
			change: func(k *MobileKey, s *LockState) {
				k.TimeRestrictionIcal = ptr("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;TZID=Europe/Vienna:20260105T080000\r\n" +
					"DURATION:PT4H\r\nRRULE:FREQ=MONTHLY;BYDAY=-1MO\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			k, s := mobileKey(t, tt.now.Add(-time.Hour), ptr(viennaMondays)), lockState()
			if tt.change != nil {
				tt.change(k, s)
			}
			sg := ksk
			if tt.signer.Key != nil {
				sg = tt.signer
			}
			d := Decide(must(SignMobileKey(sg, k)), s, tt.now)
			if d.Reason != tt.reason || d.Allowed != (tt.reason == ReasonAllowed) {
				t.Fatalf("Decide = %v %s (%s), want %s", d.Allowed, d.Reason, d.Detail, tt.reason)
			}
			if tt.local != "" && d.LocalTime != tt.local {
				t.Errorf("LocalTime = %s, want %s", d.LocalTime, tt.local)
			}
			if (d.Key == nil) != (tt.reason == ReasonBadSignature) || d.NeedsSync {
				t.Errorf("Decide gave key %v, needsSync %v", d.Key, d.NeedsSync)
			}
		})
	}
}

// TestDecide_NeedsSync tells the lock that a key was issued against a newer revocation list.
func TestDecide_NeedsSync(t *testing.T) {
	now := time.Date(2026, 3, 30, 9, 0, 0, 0, vienna)
	k := mobileKey(t, now, nil)
	k.RclSerialNo = 4
	d := Decide(must(SignMobileKey(signer("ksk-1"), k)), lockState(), now)
	if !d.Allowed || !d.NeedsSync {
		t.Fatalf("Decide = %+v, want allowed and needsSync", d)
	}
}

// TestKeySet_Rotation: the server signs with ksk-2 from now on and drops ksk-1 from its set. A lock
// that has not synced still holds ksk-1 and opens for keys signed with it; the sync (signed with a
// key the lock holds) delivers the new set, after which ksk-1's keys are refused and ksk-2's open.
func TestKeySet_Rotation(t *testing.T) {
	old, next := signer("ksk-1"), signer("ksk-2")
	now := time.Date(2026, 3, 30, 9, 0, 0, 0, vienna)
	oldKey := must(SignMobileKey(old, mobileKey(t, now, nil)))
	newKey := must(SignMobileKey(next, mobileKey(t, now, nil)))
	s := lockState() // holds {ksk-1}
	if d := Decide(oldKey, s, now); !d.Allowed {
		t.Fatalf("the old set refused the old key: %s", d.Detail)
	}
	if d := Decide(newKey, s, now); d.Reason != ReasonBadSignature || !errors.Is(errOf(VerifyMobileKey(newKey, s.KeySet)), ErrUnknownKey) {
		t.Fatalf("a lock without ksk-2 decided %s on its key", d.Reason)
	}
	req := syncRequest(now)
	resp := &SyncResponse{LockID: thisLock, Counter: req.Counter, Challenge: req.Challenge, ServerTime: wire(now),
		TimeZone: "Europe/Vienna", KeySet: keySetOf(next), Revocations: s.Revocations}
	if _, err := s.ApplySync(req, must(SignSyncResponse(old, resp))); err != nil {
		t.Fatalf("ApplySync: %v", err)
	}
	if d := Decide(newKey, s, now); !d.Allowed {
		t.Fatalf("the new set refused the new key: %s", d.Detail)
	}
	if d := Decide(oldKey, s, now); d.Reason != ReasonBadSignature {
		t.Fatalf("the new set decided %s on a key of the retired ksk-1", d.Reason)
	}
}

func errOf[T any](_ T, err error) error { return err }

// TestDecidePresented: the holder proof is checked after the key's own checks, so a copied key
// is refused as NotKeyHolder, and a revoked one as Revoked whoever presents it.
func TestDecidePresented(t *testing.T) {
	now := time.Date(2026, 3, 30, 9, 0, 0, 0, vienna)
	key := must(SignMobileKey(signer("ksk-1"), mobileKey(t, now, nil)))
	challenge := NewChallenge()
	thief := ProveHolder(signer("thief").Key, thisLock, challenge)
	revoked := lockState()
	revoked.Revocations.GrantIDs = []string{"g-1"}
	for _, tt := range []struct {
		name   string
		s      *LockState
		proof  []byte
		reason string
	}{
		{"Holder", lockState(), ProveHolder(phone.Key, thisLock, challenge), ReasonAllowed},
		{"CopiedKey", lockState(), thief, ReasonNotKeyHolder},
		{"NoProof", lockState(), nil, ReasonNotKeyHolder},
		{"CopiedRevokedKey", revoked, thief, ReasonRevoked},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := DecidePresented(key, tt.s, now, challenge, tt.proof)
			if d.Reason != tt.reason || d.Allowed != (tt.reason == ReasonAllowed) || d.Key == nil {
				t.Fatalf("DecidePresented = %v %s (%s), want %s", d.Allowed, d.Reason, d.Detail, tt.reason)
			}
		})
	}
}
