package locksim

import (
	"crypto/ed25519"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
)

var vienna = mustZone("Europe/Vienna")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// ksk is the tests' key-signing key; testLockID the physical lock id of their lock.
var (
	ksk        = lockproto.Signer{KID: "ksk-test", Key: ed25519.NewKeyFromSeed(make([]byte, 32))}
	testLockID = lockproto.EncodeLockID([]byte("sim-lock-1"))
)

// viennaMondays allows Mondays 08:00 to 12:00 in Vienna.
const viennaMondays = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n" +
	"DTSTART;TZID=Europe/Vienna:20270104T080000\r\nDTEND;TZID=Europe/Vienna:20270104T120000\r\n" +
	"RRULE:FREQ=WEEKLY;BYDAY=MO\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

// testLock is a bound Vienna lock that trusts ksk.
func testLock(t *testing.T) *Lock {
	t.Helper()
	l := NewLock(LockSpec{Name: "front-door", Zone: vienna, Protocol: lockproto.ProtocolLatest, Volts: VoltsFull}, rand.NewChaCha8([32]byte{1}))
	l.Bind(testLockID, "ABCDE23456", lockproto.KeySet{Keys: []lockproto.VerifyKey{{KID: ksk.KID, PublicKey: ksk.Key.Public().(ed25519.PublicKey)}}})
	return l
}

// testPhone is a phone key pair.
func testPhone(b byte) ed25519.PrivateKey { return ed25519.NewKeyFromSeed(append(make([]byte, 31), b)) }

// signKey issues a key of grant g-1 to phone, valid [from, before), with the iCal text ics.
func signKey(t *testing.T, phone ed25519.PrivateKey, from, before time.Time, ics *string) *lockproto.Envelope {
	t.Helper()
	contact := "c-1"
	env, err := lockproto.SignMobileKey(ksk, &lockproto.MobileKey{GrantID: "g-1", ContactID: &contact, LockIDs: []string{testLockID},
		PhonePublicKey: phone.Public().(ed25519.PublicKey), IssuedAt: keyward.NewTime(from), NotBefore: keyward.NewTime(from),
		NotAfter: keyward.NewTime(before), TimeRestrictionIcal: ics})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// open presents key with phone's holder proof at world time at.
func open(t *testing.T, l *Lock, phone ed25519.PrivateKey, key *lockproto.Envelope, at time.Time) *Attempt {
	t.Helper()
	ch, err := l.Challenge()
	if err != nil {
		t.Fatal(err)
	}
	a, err := l.Present(at, key, lockproto.ProveHolder(phone, l.ID(), ch))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestLock_Present(t *testing.T) {
	alice, mallory := testPhone(1), testPhone(2)
	local := func(d, h int) time.Time { return time.Date(2027, 3, d, h, 0, 0, 0, vienna) }
	mondays := viennaMondays
	// the key is valid from Sunday the 21st to the 31st, across the change to summer time on
	// Sunday the 28th
	key := signKey(t, alice, local(21, 0), local(31, 0), &mondays)
	for _, tt := range []struct {
		name   string
		at     time.Time
		phone  ed25519.PrivateKey
		reason string
	}{
		{"WinterMonday09", local(22, 9), alice, lockproto.ReasonAllowed},
		{"WinterMonday13", local(22, 13), alice, lockproto.ReasonOutsideRestriction},
		{"SummerMonday09", local(29, 9), alice, lockproto.ReasonAllowed},
		{"SummerMonday13", local(29, 13), alice, lockproto.ReasonOutsideRestriction},
		{"Tuesday09", local(23, 9), alice, lockproto.ReasonOutsideRestriction},
		{"BeforeTheKey", local(20, 9), alice, lockproto.ReasonNotYetValid},
		{"CopiedToAnotherPhone", local(22, 9), mallory, lockproto.ReasonNotKeyHolder},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := testLock(t)
			a := open(t, l, tt.phone, key, tt.at)
			if a.Reason != tt.reason || a.Allowed != (tt.reason == lockproto.ReasonAllowed) {
				t.Fatalf("decision %+v, want reason %s", a.Decision, tt.reason)
			}
			want := lockproto.ResultDenied
			if a.Allowed {
				want = lockproto.ResultAllowed
			}
			e := a.Entry
			if e.EntryNo != 1 || e.Result != want || e.Reason != tt.reason || *e.GrantID != "g-1" || *e.ContactID != "c-1" ||
				!e.LockTimestamp.Equal(tt.at) || e.Command != lockproto.CommandTriggerLock {
				t.Fatalf("entry %+v", e)
			}
			if got := l.Log(); len(got) != 1 || got[0].EntryNo != 1 {
				t.Fatalf("log %+v", got)
			}
		})
	}
}

// TestLock_Drift: a lock whose clock runs fast or slow decides at its own clock, so a key is
// Expired or NotYetValid near its edges while the world's time lies inside it.
func TestLock_Drift(t *testing.T) {
	alice := testPhone(1)
	from := time.Date(2027, 3, 22, 8, 0, 0, 0, time.UTC)
	key := signKey(t, alice, from, from.Add(24*time.Hour), nil)
	start := from.Add(-24 * time.Hour)
	const twoMinutesPerDay = 120.0 / 86400
	t.Run("FastLockExpiresEarly", func(t *testing.T) {
		l := testLock(t)
		l.Clock.SetRate(start, twoMinutesPerDay)                          // 2 min/day: 3m59.75s ahead two days less 3 minutes later
		a := open(t, l, alice, key, from.Add(24*time.Hour-3*time.Minute)) // world: 3 minutes left
		if a.Reason != lockproto.ReasonExpired || !a.Entry.LockTimestamp.Equal(from.Add(24*time.Hour+59750*time.Millisecond)) {
			t.Fatalf("fast lock: %s at %s", a.Reason, a.Entry.LockTimestamp)
		}
	})
	t.Run("SlowLockNotYetValid", func(t *testing.T) {
		l := testLock(t)
		l.Clock.SetRate(start, -twoMinutesPerDay)          // a day later it is 2 minutes behind
		a := open(t, l, alice, key, from.Add(time.Minute)) // world: a minute into the key
		if a.Reason != lockproto.ReasonNotYetValid {
			t.Fatalf("slow lock: %s at %s", a.Reason, a.Entry.LockTimestamp)
		}
	})
	t.Run("RateChangeKeepsWhatDrifted", func(t *testing.T) {
		var c Clock
		c.SetRate(start, twoMinutesPerDay)
		c.SetRate(start.Add(24*time.Hour), 0)
		c.Shift(-30 * time.Second)
		if got := c.Now(start.Add(72 * time.Hour)).Sub(start.Add(72 * time.Hour)); got != 90*time.Second {
			t.Fatalf("clock ahead by %s, want 1m30s", got)
		}
	})
}

// openedLock is a test lock that alice's key, valid for an hour either side of at, opened at at.
func openedLock(t *testing.T) (l *Lock, alice ed25519.PrivateKey, key *lockproto.Envelope, at time.Time) {
	t.Helper()
	alice, at, l = testPhone(1), time.Date(2027, 3, 22, 9, 0, 0, 0, vienna), testLock(t)
	key = signKey(t, alice, at.Add(-time.Hour), at.Add(time.Hour), nil)
	open(t, l, alice, key, at)
	return l, alice, key, at
}

// TestLock_DeadBattery: a dead lock answers nothing and records nothing.
func TestLock_DeadBattery(t *testing.T) {
	l, _, key, at := openedLock(t)
	l.Battery.Volts = voltsDead - 0.01
	if _, err := l.Challenge(); !errors.Is(err, ErrNoAnswer) {
		t.Fatalf("Challenge = %v, want %v", err, ErrNoAnswer)
	}
	if _, err := l.Present(at, key, nil); !errors.Is(err, ErrNoAnswer) {
		t.Fatalf("Present = %v, want %v", err, ErrNoAnswer)
	}
	if _, err := l.BeginSync(at); !errors.Is(err, ErrNoAnswer) {
		t.Fatalf("BeginSync = %v, want %v", err, ErrNoAnswer)
	}
	if len(l.Log()) != 1 || l.Counter() != 0 {
		t.Fatalf("a dead lock recorded: log %+v, counter %d", l.Log(), l.Counter())
	}
}

func TestBattery_Warning(t *testing.T) {
	for volts, want := range map[float64]string{3.0: lockproto.BatteryOk, 2.6: lockproto.BatteryOk, 2.59: lockproto.BatteryLow,
		2.4: lockproto.BatteryLow, 2.39: lockproto.BatteryCritical} {
		if got := (Battery{Volts: volts}).Warning(); got != want {
			t.Errorf("Warning at %.2f V = %s, want %s", volts, got, want)
		}
	}
	b := Battery{Volts: VoltsFull}
	b.drain()
	if b.Volts != VoltsFull-drainPerOpen || b.Dead() || !(Battery{Volts: 2.19}).Dead() {
		t.Fatalf("battery after one opening: %+v", b)
	}
}

// answer is the tests' server: it verifies a request with the lock's device key and answers it
// with the revocation list serial and grants given, acknowledging every entry.
func answer(t *testing.T, l *Lock, env *lockproto.Envelope, serial int64, revoked ...string) *lockproto.Envelope {
	t.Helper()
	req, err := lockproto.VerifySyncRequest(env, l.DevicePublicKey())
	if err != nil {
		t.Fatal(err)
	}
	var ack uint64
	for _, e := range req.LogEntries {
		ack = max(ack, e.EntryNo)
	}
	resp, err := lockproto.SignSyncResponse(ksk, &lockproto.SyncResponse{LockID: req.LockID, Counter: req.Counter,
		Challenge: req.Challenge, TimeZone: "Europe/Vienna", KeySet: l.state.KeySet,
		Revocations: lockproto.RevocationList{LockID: req.LockID, SerialNo: serial, GrantIDs: revoked}, AckEntryNo: ack})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestLock_Sync: a lost answer leaves the entries with the lock; the next request has a higher
// counter, carries them again with the readings, and its answer revokes the key.
func TestLock_Sync(t *testing.T) {
	l, alice, key, at := openedLock(t)
	first, err := l.BeginSync(at)
	if err != nil {
		t.Fatal(err)
	}
	lost := answer(t, l, first, 1, "g-1")
	l.AbandonSync() // the answer never reached the lock
	next, err := l.BeginSync(at.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := lockproto.VerifySyncRequest(next, l.DevicePublicKey())
	if req.Counter != 2 || lockproto.CheckCounter(1, req.Counter) != nil || len(req.LogEntries) != 1 || len(req.Health) != 2 ||
		req.Health[0].BatteryWarning != lockproto.BatteryOk || req.RclSerialNo != 0 {
		t.Fatalf("the request after a lost answer: %+v", req)
	}
	if _, err := l.FinishSync(lost); !errors.Is(err, lockproto.ErrReplay) {
		t.Fatalf("the lost answer arriving late: %v, want %v", err, lockproto.ErrReplay)
	}
	if _, err := l.FinishSync(answer(t, l, next, 1, "g-1")); err != nil {
		t.Fatal(err)
	}
	if len(l.Log()) != 0 || l.RclSerialNo() != 1 || len(l.health) != 0 {
		t.Fatalf("after the sync: log %+v, serial %d, health %+v", l.Log(), l.RclSerialNo(), l.health)
	}
	if a := open(t, l, alice, key, at.Add(2*time.Minute)); a.Reason != lockproto.ReasonRevoked || a.Entry.EntryNo != 2 {
		t.Fatalf("the revoked key: %+v", a)
	}
}
