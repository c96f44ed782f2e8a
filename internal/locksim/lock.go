package locksim

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
)

// ErrNoAnswer is what a lock with a dead battery answers: nothing.
var ErrNoAnswer = errors.New("locksim: the lock does not answer: its battery is dead")

// LockSpec declares a simulated lock.
type LockSpec struct {
	Name     string
	Zone     *time.Location
	Protocol int     // lockproto.Protocol…
	Volts    float64 // the battery at the start (VoltsFull when new; below 2.2 it is dead)
}

// Lock is a simulated lock: it decides offline with lockproto.Decide at its own clock, records
// every attempt, and syncs only when a phone or gateway relays its signed request.
type Lock struct {
	Name        string
	Battery     Battery
	Clock       Clock
	Temperature float64 // degrees Celsius around which its readings vary

	spec      LockSpec
	device    lockproto.Signer
	state     lockproto.LockState
	log       []lockproto.LogEntry // entries the server has not acknowledged
	entryNo   uint64               // the number of the last entry recorded
	counter   uint64               // the last sync counter, stored before the request leaves
	pending   *lockproto.SyncRequest
	health    []lockproto.HealthReport // readings not delivered yet
	challenge []byte                   // the one outstanding challenge to a phone
	entropy   *rand.ChaCha8
	rnd       *rand.Rand
}

// NewLock makes a lock whose device key and every random choice come from entropy.
func NewLock(spec LockSpec, entropy *rand.ChaCha8) *Lock {
	seed := make([]byte, ed25519.SeedSize)
	entropy.Read(seed) // ChaCha8.Read never fails
	l := &Lock{Name: spec.Name, Battery: Battery{Volts: spec.Volts}, Temperature: 21, spec: spec,
		entropy: entropy, rnd: rand.New(entropy)}
	l.device = lockproto.Signer{Key: ed25519.NewKeyFromSeed(seed)}
	l.state = lockproto.LockState{Location: spec.Zone, ProtocolVersion: spec.Protocol}
	return l
}

// DevicePublicKey is the public half of the lock's device key, which the device registry holds.
func (l *Lock) DevicePublicKey() ed25519.PublicKey { return l.device.Key.Public().(ed25519.PublicKey) }

// Spec is what the lock was declared as.
func (l *Lock) Spec() LockSpec { return l.spec }

// ID is the lock's physical lock id, "" before it is registered.
func (l *Lock) ID() string { return l.state.LockID }

// Bind gives the lock the id and binding code of its registration and, where the binding
// delivers it, its first key set; without one the lock's first sync is anchored by the binding
// code (docs/lock-protocol.md).
func (l *Lock) Bind(id, bindingCode string, ks lockproto.KeySet) {
	l.device.KID = id
	l.state.LockID, l.state.KeySet, l.state.BindingCode = id, ks, bindingCode
	l.state.Revocations = lockproto.RevocationList{LockID: id}
}

// Zone is the lock's time zone, as its last sync set it.
func (l *Lock) Zone() *time.Location {
	if l.state.Location == nil {
		return time.UTC
	}
	return l.state.Location
}

// RclSerialNo is the serial of the revocation list the lock holds.
func (l *Lock) RclSerialNo() int64 { return l.state.Revocations.SerialNo }

// Log returns the entries the server has not acknowledged yet, oldest first.
func (l *Lock) Log() []lockproto.LogEntry { return slices.Clone(l.log) }

// Counter is the lock's last sync counter.
func (l *Lock) Counter() uint64 { return l.counter }

// Challenge starts an opening: a fresh challenge for the phone's holder proof.
func (l *Lock) Challenge() ([]byte, error) {
	if l.Battery.Dead() {
		return nil, ErrNoAnswer
	}
	l.challenge = make([]byte, lockproto.ChallengeSize)
	l.entropy.Read(l.challenge)
	return l.challenge, nil
}

// Attempt is a lock's decision on a presented key and the entry it recorded.
type Attempt struct {
	lockproto.Decision
	Entry lockproto.LogEntry
}

// Present is a phone presenting a key with its answer to the outstanding challenge, at the
// world's instant world. The lock decides at its own clock with lockproto.DecidePresented, which
// checks the holder proof too, records the attempt and, when it opens, runs its motor.
func (l *Lock) Present(world time.Time, key *lockproto.Envelope, proof []byte) (*Attempt, error) {
	if l.Battery.Dead() {
		return nil, ErrNoAnswer
	}
	challenge := l.challenge
	l.challenge = nil // a proof answers one challenge once
	now := l.Clock.Now(world)
	d := lockproto.DecidePresented(key, &l.state, now, challenge, proof)
	if d.Allowed {
		l.Battery.drain()
	}
	return &Attempt{Decision: d, Entry: l.record(now, d, nil)}, nil
}

// record appends the log entry of a decision on a mobile key, or on a card's image when
// boundCardID names the card.
func (l *Lock) record(now time.Time, d lockproto.Decision, boundCardID *string) lockproto.LogEntry {
	l.entryNo++
	e := lockproto.LogEntry{EntryNo: l.entryNo, LockTimestamp: keyward.NewTime(now), LogType: lockproto.LogTypeCommand,
		Command: lockproto.CommandTriggerLock, Result: lockproto.ResultDenied, Reason: d.Reason, BoundCardID: boundCardID}
	if d.Allowed {
		e.Result = lockproto.ResultAllowed
	}
	if d.Key != nil {
		e.GrantID, e.ContactID = &d.Key.GrantID, d.Key.ContactID
	}
	l.log = append(l.log, e)
	return e
}

// BeginSync makes the lock's next sync request: it takes a health reading, stores the next
// counter before anything leaves, and signs the request with the unacknowledged entries and the
// card writes not reported yet.
func (l *Lock) BeginSync(world time.Time) (*lockproto.Envelope, error) {
	if l.Battery.Dead() {
		return nil, ErrNoAnswer
	}
	now := l.Clock.Now(world)
	l.health = append(l.health, l.reading(now))
	l.counter++
	req := l.state.SyncRequest(l.counter, now, slices.Clone(l.log), slices.Clone(l.health))
	l.entropy.Read(req.Challenge) // the seeded stream's challenge, for a deterministic run
	env, err := lockproto.SignSyncRequest(l.device, req)
	if err != nil {
		return nil, fmt.Errorf("locksim: lock %s: %w", l.Name, err)
	}
	l.pending = req
	return env, nil
}

// reading is a health report at the lock's time now.
func (l *Lock) reading(now time.Time) lockproto.HealthReport {
	temp := math.Round((l.Temperature+l.rnd.NormFloat64()*0.3)*10) / 10
	return lockproto.HealthReport{MeasuredAt: keyward.NewTime(now), BatteryVoltage: math.Round(l.Battery.Volts*100) / 100,
		BatteryWarning: l.Battery.Warning(), Temperature: temp}
}

// FinishSync applies the server's answer to the outstanding request: lockproto.ApplySync checks
// and installs it, then the lock forgets what the server acknowledged. A refused answer leaves
// the request outstanding, as the genuine answer may still come.
func (l *Lock) FinishSync(env *lockproto.Envelope) (*lockproto.SyncResponse, error) {
	if l.Battery.Dead() {
		return nil, ErrNoAnswer
	}
	r, err := l.state.ApplySync(l.pending, env)
	if err != nil {
		return nil, fmt.Errorf("locksim: lock %s refuses the sync response: %w", l.Name, err)
	}
	sent := l.pending
	l.pending = nil
	l.log = slices.DeleteFunc(l.log, func(e lockproto.LogEntry) bool { return e.EntryNo <= r.AckEntryNo })
	l.health = l.health[len(sent.Health):]
	return r, nil
}

// AbandonSync gives up on the outstanding request whose answer never came; its entries stay
// unacknowledged and go with the next request, which has a higher counter.
func (l *Lock) AbandonSync() { l.pending = nil }
