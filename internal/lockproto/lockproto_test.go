package lockproto

import (
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/keyward/keyward/internal/keyward"
)

// signer makes a key-signing key whose private key follows from kid, so runs are repeatable.
func signer(kid string) Signer {
	seed := make([]byte, ed25519.SeedSize)
	copy(seed, kid)
	return Signer{KID: kid, Key: ed25519.NewKeyFromSeed(seed)}
}

// keySetOf is the public key set of the signers.
func keySetOf(ss ...Signer) KeySet {
	var ks KeySet
	for _, s := range ss {
		ks.Keys = append(ks.Keys, VerifyKey{KID: s.KID, PublicKey: s.Key.Public().(ed25519.PublicKey)})
	}
	return ks
}

// Lock ids of the tests: the lock deciding, and another one.
var (
	thisLock  = EncodeLockID([]byte{0xa1, 0xb2, 0x0a, 0xb6})
	otherLock = EncodeLockID([]byte{0x01, 0x02, 0x03})
	phone     = signer("phone")
)

func ptr[T any](v T) *T { return &v }

func wire(t time.Time) keyward.Time { return keyward.NewTime(t) }

// mobileKey is a key of grant g-1 for thisLock, issued at issued for the longest validity within
// 2026, with the given restriction (nil: none).
func mobileKey(t *testing.T, issued time.Time, ics *string) *MobileKey {
	t.Helper()
	from, before := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	nb, na, err := ClipValidity(issued, &from, &before, MaxKeyValidity)
	if err != nil {
		t.Fatalf("ClipValidity: %v", err)
	}
	return &MobileKey{GrantID: "g-1", ContactID: ptr("c-1"), LockIDs: []string{thisLock},
		PhonePublicKey: phone.Key.Public().(ed25519.PublicKey), IssuedAt: wire(issued),
		NotBefore: wire(nb), NotAfter: wire(na), ValidFrom: ptr(wire(from)), ValidBefore: ptr(wire(before)),
		TimeRestrictionIcal: ics, RclSerialNo: 3}
}

// must returns v of a call that cannot fail with the tests' inputs.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// timeEqual compares wire times by instant, as cmp cannot look into time.Time.
var timeEqual = cmp.Comparer(func(a, b keyward.Time) bool { return a.Equal(b.Time) })

// viennaMondays allows Mondays 08:00 to 12:00 in Vienna, summer and winter.
const viennaMondays = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n" +
	"DTSTART;TZID=Europe/Vienna:20260105T080000\r\nDTEND;TZID=Europe/Vienna:20260105T120000\r\n" +
	"RRULE:FREQ=WEEKLY;BYDAY=MO\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
