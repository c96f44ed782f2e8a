package locksim

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/keyward/keyward/internal/client"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
)

// Offline is an in-process authority that plays the server's part of the lock protocol on the
// world's clock, so that a scenario runs without a server: it binds locks with their first key
// set, issues mobile keys clipped to MaxKeyValidity, keeps each lock's revocation list, answers
// syncs with the replay check and acknowledgement of the device API, and moves a revoked grant
// from RevocationPending to Revoked when its lock confirms the list. It keeps no management
// data beyond that; a real server is the reference for everything else.
type Offline struct {
	now    func() time.Time
	ksk    lockproto.Signer
	rnd    *rand.Rand
	locks  map[string]*offlineLock // by physical lock id
	grants []*offlineGrant
	phones map[string]ed25519.PublicKey // mobile id → the phone's key
}

type offlineLock struct {
	device   ed25519.PublicKey
	zone     string
	counter  uint64
	list     lockproto.RevocationList
	ack      uint64
	received map[uint64]lockproto.LogEntry
}

type offlineGrant struct {
	*Grant
	state           string
	delivered       bool
	revokedAtSerial int64
}

// NewOffline returns an authority whose key-signing key and ids come from seed, on the clock now.
func NewOffline(seed uint64, now func() time.Time) *Offline {
	e := entropy(seed, "offline")
	key := make([]byte, ed25519.SeedSize)
	e.Read(key)
	return &Offline{now: now, ksk: lockproto.Signer{KID: "ksk-offline", Key: ed25519.NewKeyFromSeed(key)}, rnd: rand.New(e),
		locks: map[string]*offlineLock{}, phones: map[string]ed25519.PublicKey{}}
}

// keySet is the authority's one key-signing key.
func (o *Offline) keySet() lockproto.KeySet {
	return lockproto.KeySet{Keys: []lockproto.VerifyKey{{KID: o.ksk.KID, PublicKey: o.ksk.Key.Public().(ed25519.PublicKey)}}}
}

// token is a random word for ids and binding codes.
func (o *Offline) token(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(o.rnd.Uint32())
	}
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
}

// AddLock registers the lock and binds it with its first key set.
func (o *Offline) AddLock(_ context.Context, l *Lock) error {
	id := lockproto.EncodeLockID([]byte("sim-" + o.token(5)))
	o.locks[id] = &offlineLock{device: l.DevicePublicKey(), zone: l.Spec().Zone.String(),
		list: lockproto.RevocationList{LockID: id}, received: map[uint64]lockproto.LogEntry{}}
	l.Bind(id, o.token(7)[:10], o.keySet())
	return nil
}

// AddPhone registers the phone with the authority's mobile API.
func (o *Offline) AddPhone(ctx context.Context, p *Phone) error {
	return p.Register(ctx, &offlinePhoneAPI{o: o, user: p.User})
}

// AddGrant creates the grant.
func (o *Offline) AddGrant(_ context.Context, g *Grant) error {
	g.ID = "grant-" + o.token(5)
	o.grants = append(o.grants, &offlineGrant{Grant: g, state: keyward.GrantOk})
	return nil
}

// Revoke revokes a grant: one whose key reached a phone goes on its lock's list and is
// RevocationPending until the lock confirms the list; another is Revoked at once.
func (o *Offline) Revoke(_ context.Context, g *Grant) error {
	og, err := o.grant(g.ID)
	if err != nil || og.state != keyward.GrantOk {
		return fmt.Errorf("locksim: offline: grant %s is not active", g.Name)
	}
	og.state = keyward.GrantRevoked
	if og.delivered {
		l := o.locks[g.Lock.ID()]
		l.list.SerialNo++
		l.list.GrantIDs = append(l.list.GrantIDs, g.ID)
		og.state, og.revokedAtSerial = keyward.GrantRevocationPending, l.list.SerialNo
	}
	return nil
}

// GrantState is the grant's state.
func (o *Offline) GrantState(_ context.Context, g *Grant) (string, error) {
	og, err := o.grant(g.ID)
	if err != nil {
		return "", err
	}
	return og.state, nil
}

func (o *Offline) grant(id string) (*offlineGrant, error) {
	for _, g := range o.grants {
		if g.ID == id {
			return g, nil
		}
	}
	return nil, fmt.Errorf("locksim: offline: no grant %s", id)
}

// SyncLock answers a lock's request as the device API does: the device key authenticates it,
// its counter must exceed the last one, entries are kept once per number, and the lock's
// revocation serial confirms pending revocations.
func (o *Offline) SyncLock(_ context.Context, env *lockproto.Envelope) (*lockproto.Envelope, error) {
	l, ok := o.locks[env.KID]
	if !ok {
		return nil, &client.Error{Status: http.StatusUnauthorized, ErrorCode: "DeviceAuthenticationFailed", ErrorMessage: "unknown lock"}
	}
	req, err := lockproto.VerifySyncRequest(env, l.device)
	if err != nil {
		return nil, &client.Error{Status: http.StatusUnauthorized, ErrorCode: "DeviceAuthenticationFailed", ErrorMessage: err.Error()}
	}
	if err := lockproto.CheckCounter(l.counter, req.Counter); err != nil {
		return nil, &client.Error{Status: http.StatusBadRequest, ErrorCode: "SyncReplayed", ErrorMessage: err.Error()}
	}
	l.counter = req.Counter
	for _, e := range req.LogEntries {
		l.received[e.EntryNo] = e
		l.ack = max(l.ack, e.EntryNo)
	}
	o.confirm(env.KID, req.RclSerialNo)
	l.list.IssuedAt = keyward.NewTime(o.now())
	return lockproto.SignSyncResponse(o.ksk, &lockproto.SyncResponse{LockID: req.LockID, Counter: req.Counter,
		Challenge: req.Challenge, ServerTime: keyward.NewTime(o.now()), TimeZone: l.zone, KeySet: o.keySet(),
		Revocations: l.list, AckEntryNo: l.ack})
}

// confirm marks the lock's pending revocations up to serial Revoked.
func (o *Offline) confirm(lockID string, serial int64) {
	for _, g := range o.grants {
		if g.Lock.ID() == lockID && g.state == keyward.GrantRevocationPending && g.revokedAtSerial <= serial {
			g.state = keyward.GrantRevoked
		}
	}
}

// Received returns the entries the authority stored of a lock, by entry number.
func (o *Offline) Received(lockID string) map[uint64]lockproto.LogEntry {
	return o.locks[lockID].received
}

// offlinePhoneAPI is the authority's mobile API for one user.
type offlinePhoneAPI struct {
	o    *Offline
	user string
}

func (a *offlinePhoneAPI) RegisterMobile(_ context.Context, m keyward.MobileCreate) (*keyward.Mobile, error) {
	id := "mobile-" + a.o.token(5)
	a.o.phones[id] = m.PublicKey
	return &keyward.Mobile{ID: id, Name: m.Name, Platform: m.Platform, PublicKey: m.PublicKey, CreatedAt: keyward.NewTime(a.o.now())}, nil
}

// FetchKeys issues a key for every active grant of the user that can be valid now, bound to the
// phone's key. The ETag changes when the grants change and once a day, so that a polling phone
// renews its keys long before they end.
func (a *offlinePhoneAPI) FetchKeys(_ context.Context, mobileID, etag string) (*keyward.MobileKeys, string, bool, error) {
	now := a.o.now()
	var active []*offlineGrant
	sum := sha256.New()
	fmt.Fprintf(sum, "%s\n", now.UTC().Format(time.DateOnly))
	for _, g := range a.o.grants {
		if g.User == a.user && g.state == keyward.GrantOk {
			active = append(active, g)
			fmt.Fprintf(sum, "%s\n", g.ID)
		}
	}
	tag := `"` + hex.EncodeToString(sum.Sum(nil))[:16] + `"`
	if tag == etag {
		return nil, tag, true, nil
	}
	keys := &keyward.MobileKeys{Keys: []keyward.IssuedKey{}}
	for _, g := range active {
		item, err := a.issue(g, now, mobileID)
		if err != nil {
			return nil, "", false, err
		}
		if item != nil {
			keys.Keys = append(keys.Keys, *item)
		}
	}
	return keys, tag, false, nil
}

// issue signs the key of a grant for the phone, or returns nil when the grant cannot be valid
// during the key's validity.
func (a *offlinePhoneAPI) issue(g *offlineGrant, now time.Time, mobileID string) (*keyward.IssuedKey, error) {
	nb, na, err := lockproto.ClipValidity(now, g.ValidFrom, g.ValidBefore, lockproto.MaxKeyValidity)
	if err != nil {
		return nil, nil
	}
	lockID, contact := g.Lock.ID(), "contact-"+g.User
	k := &lockproto.MobileKey{GrantID: g.ID, ContactID: &contact, LockIDs: []string{lockID}, PhonePublicKey: a.o.phones[mobileID],
		IssuedAt: keyward.NewTime(now), NotBefore: keyward.NewTime(nb), NotAfter: keyward.NewTime(na),
		ValidFrom: timePtr(g.ValidFrom), ValidBefore: timePtr(g.ValidBefore), TimeRestrictionIcal: g.ICal,
		RclSerialNo: a.o.locks[lockID].list.SerialNo}
	env, err := lockproto.SignMobileKey(a.o.ksk, k)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(env)
	if err != nil {
		return nil, err
	}
	g.delivered = true
	return &keyward.IssuedKey{GrantID: g.ID, ContactID: contact, PhysicalLockIDs: k.LockIDs, NotAfter: k.NotAfter, Key: raw}, nil
}

// timePtr is the wire time of an optional instant.
func timePtr(t *time.Time) *keyward.Time {
	if t == nil {
		return nil
	}
	return keyward.TimePtr(*t)
}
