package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
)

// The device API: what a lock does over the wire, through a phone or a gateway that relays it.
// A lock is authenticated by the signature of its device key on each request, not by a
// principal, so that whoever relays the request can neither forge nor alter it.

const (
	// revocationRetention is how long a revoked grant stays on a lock's revocation list: twice
	// the longest key validity, so that every key of it has ended even on a lock whose clock
	// runs days behind.
	revocationRetention = 2 * lockproto.MaxKeyValidity
	// maxSyncEntries bounds the log entries and health reports of one sync request, so that one
	// request is one bounded transaction; a lock with more sends them over several syncs.
	maxSyncEntries = 1000
)

// SyncLock takes a lock's signed sync request (the JSON of a lockproto envelope) and returns the
// signed response (JSON): it stores the request's log entries and health readings, records the
// revocation list the lock holds (confirming pending revocations when it is the newest), and
// answers the lock's current list, key set, zone and time. A request whose counter is not above
// the last one taken is refused (ErrReplay), in the same transaction as everything else, so a
// replayed or doubly relayed request changes nothing.
func (s *Service) SyncLock(ctx context.Context, body []byte) ([]byte, error) {
	phys, req, err := s.openSyncRequest(ctx, body)
	if err != nil {
		return nil, err
	}
	keys, err := s.lockKeys(ctx)
	if err != nil {
		return nil, err
	}
	rec, err := s.recordSync(ctx, phys, req)
	if err != nil {
		return nil, err
	}
	revoked, cards, err := s.data.FindLockRevocations(ctx, phys.ID, keyward.NewTime(s.now().Add(-revocationRetention)))
	if err != nil {
		return nil, err
	}
	now := s.timestamp()
	resp := &lockproto.SyncResponse{LockID: phys.ID, Counter: req.Counter, Challenge: req.Challenge, ServerTime: now,
		TimeZone: phys.TimeZone, KeySet: keys.keySet(), AckEntryNo: rec.ack,
		Revocations: lockproto.RevocationList{LockID: phys.ID, SerialNo: rec.serial, IssuedAt: now, GrantIDs: revoked, CardGrantIDs: cards}}
	signer, held := keys.signerFor(req.KIDs)
	if resp.CardWrites, err = cardImages(signer, rec, now); err != nil {
		return nil, err
	}
	return signResponse(signer, held, phys, resp)
}

// syncRecord is what a sync's transaction decided: the lock's list serial, the highest entry
// number stored, and the cards the lock shall write with the physical locks their grants open.
type syncRecord struct {
	serial int64
	ack    uint64
	stored int // log entries stored, of those the request carried
	cards  []*keyward.CardWrite
	locks  map[string][]string
}

// openSyncRequest parses the envelope and verifies it with the lock's registered device key.
// A lock that is not registered and a signature that does not verify get the same answer, so
// that the API tells nobody which physical lock ids exist.
func (s *Service) openSyncRequest(ctx context.Context, body []byte) (*keyward.PhysicalLock, *lockproto.SyncRequest, error) {
	var env lockproto.Envelope
	if err := lockproto.DecodeEnvelope(body, &env); err != nil {
		return nil, nil, keyward.Invalidf("the body is not a lockproto envelope (docs/lock-protocol.md)")
	}
	if env.V != lockproto.FormatVersion || env.Typ != lockproto.TypeSyncRequest {
		return nil, nil, keyward.Invalidf("the envelope is format version %d, type %q; this server takes version %d, type %q",
			env.V, env.Typ, lockproto.FormatVersion, lockproto.TypeSyncRequest)
	}
	id, err := lockproto.ParseLockID(env.KID)
	if err != nil {
		return nil, nil, keyward.Invalidf("kid: %v", err)
	}
	unauthenticated := keyward.ErrDeviceUnauthenticated.WithDetails("the request is not signed with the device key of a lock registered as %q", id)
	phys, err := s.data.FindPhysicalLockByID(ctx, id)
	if errors.Is(err, keyward.ErrNotFound) || (err == nil && phys.DevicePublicKey == nil) {
		return nil, nil, unauthenticated
	}
	if err != nil {
		return nil, nil, err
	}
	req, err := lockproto.VerifySyncRequest(&env, phys.DevicePublicKey)
	switch {
	case errors.Is(err, lockproto.ErrSignature):
		return nil, nil, unauthenticated
	case errors.Is(err, lockproto.ErrPayload):
		return nil, nil, keyward.Invalidf("payload: the lock signed a payload that is not a SyncRequest for lock %q, the envelope's kid (docs/lock-protocol.md)", id)
	case err != nil:
		return nil, nil, err
	}
	return phys, req, checkSyncRequest(req)
}

// checkSyncRequest refuses what no lock can mean: too many entries, a challenge of the wrong
// size, entries without their identity or vocabulary.
func checkSyncRequest(r *lockproto.SyncRequest) error {
	switch {
	case len(r.Challenge) != lockproto.ChallengeSize:
		return keyward.Invalidf("challenge: must be %d bytes, got %d", lockproto.ChallengeSize, len(r.Challenge))
	case len(r.LogEntries) > maxSyncEntries || len(r.Health) > maxSyncEntries || len(r.CardWrites) > maxSyncEntries:
		return keyward.Invalidf("a sync request holds at most %d log entries, health reports and card writes each; send the rest with the next",
			maxSyncEntries)
	case r.RclSerialNo < 0:
		return keyward.Invalidf("rclSerialNo: must not be negative, got %d", r.RclSerialNo)
	}
	for i, e := range r.LogEntries {
		if e.EntryNo == 0 || e.EntryNo > math.MaxInt64 {
			return keyward.Invalidf("logEntries[%d].entryNo: must be between 1 and %d, got %d", i, int64(math.MaxInt64), e.EntryNo)
		}
		if e.LogType == "" || e.Command == "" || (e.Result != lockproto.ResultAllowed && e.Result != lockproto.ResultDenied) {
			return keyward.Invalidf("logEntries[%d]: logType and command are required, result must be %q or %q",
				i, lockproto.ResultAllowed, lockproto.ResultDenied)
		}
	}
	for i, w := range r.CardWrites {
		if w.BoundCardID == "" || w.Version < 1 {
			return keyward.Invalidf("cardWrites[%d]: boundCardId is required and version must be 1 or more", i)
		}
	}
	for i, h := range r.Health {
		if _, ok := batteryLevels[h.BatteryWarning]; !ok {
			return keyward.Invalidf("health[%d].batteryWarning: must be Ok, Low or Critical, got %q", i, h.BatteryWarning)
		}
	}
	return nil
}

// batteryLevels maps the lock's battery warnings to the values of BatteryWarningLevel readings.
var batteryLevels = map[string]float64{
	lockproto.BatteryOk: keyward.BatteryWarningOk, lockproto.BatteryLow: keyward.BatteryWarningLow,
	lockproto.BatteryCritical: keyward.BatteryWarningCritical,
}

// recordSync takes the request in one transaction under the lock's account (its newest
// binding's, bound or not: an unbound lock still confirms the revocations its unbinding made).
// A bound lock also gets the cards waiting for its write, whose grants count as delivered from
// now on: the card may hold them as soon as the lock meets it.
func (s *Service) recordSync(ctx context.Context, phys *keyward.PhysicalLock, req *lockproto.SyncRequest) (*syncRecord, error) {
	rec := &syncRecord{}
	bound, err := s.data.FindLatestBoundLock(ctx, phys.ID)
	if errors.Is(err, keyward.ErrNotFound) {
		return rec, s.store.InTx(ctx, func(tx keyward.Tx) error { return tx.AcceptLockSync(ctx, phys.ID, req.Counter, req.KIDs) })
	}
	if err != nil {
		return nil, err
	}
	err = s.store.InOwnerTx(ctx, bound.OwnerAccountID, func(tx keyward.OwnerTx) error {
		// The store may run this again after a deadlock: what a rolled-back run found (cards
		// whose delivery it marked) must not outlive it.
		*rec = syncRecord{}
		// the binding read before the account's lock may have changed since
		cur, err := tx.FindLatestBoundLock(ctx, phys.ID)
		if err != nil {
			return err
		}
		if cur.OwnerAccountID != tx.OwnerID {
			return fmt.Errorf("service: lock %s was bound to another account while it synced", phys.ID)
		}
		if err := tx.AcceptLockSync(ctx, phys.ID, req.Counter, req.KIDs); err != nil {
			return err
		}
		if rec.ack, rec.stored, err = s.storeUploads(ctx, tx, cur.ID, req); err != nil {
			return err
		}
		if err := tx.SyncLock(ctx, cur.ID, req.RclSerialNo, s.timestamp()); err != nil {
			return err
		}
		rec.serial = cur.RclSerialNo
		if !cur.Active {
			return nil
		}
		return s.pendingCardWrites(ctx, tx, cur.ID, rec)
	})
	if err == nil && len(req.LogEntries) > 0 {
		s.observeLogs(rec.stored, len(req.LogEntries)-rec.stored) // committed: what the log now holds
	}
	return rec, err
}

// pendingCardWrites finds the cards the lock shall write and marks their grants delivered.
func (s *Service) pendingCardWrites(ctx context.Context, tx keyward.OwnerTx, boundLockID string, rec *syncRecord) error {
	var err error
	if rec.cards, err = tx.FindCardWrites(ctx, boundLockID, keyward.NewTime(s.now().Add(-revocationRetention))); err != nil || len(rec.cards) == 0 {
		return err
	}
	var ids, targets []string
	for _, c := range rec.cards {
		for _, g := range c.Grants {
			ids, targets = append(ids, g.ID), append(targets, g.BoundLockID)
		}
	}
	if rec.locks, err = tx.FindTargetLockIDs(ctx, targets); err != nil {
		return err
	}
	return tx.MarkGrantsDelivered(ctx, ids)
}

// cardImages signs the image of each card the lock shall write: every active grant of the card.
func cardImages(signer lockproto.Signer, rec *syncRecord, now keyward.Time) ([]*lockproto.Envelope, error) {
	var images []*lockproto.Envelope
	for _, c := range rec.cards {
		img := &lockproto.CardImage{BoundCardID: c.BoundCardID, CardUID: c.UID, Version: c.Version, IssuedAt: now, Keys: []lockproto.CardKey{}}
		for _, g := range c.Grants {
			k := lockproto.CardKey{GrantID: g.ID, LockIDs: rec.locks[g.BoundLockID], ValidFrom: g.ValidFrom, ValidBefore: g.ValidBefore,
				TimeRestrictionIcal: g.TimeRestrictionIcal}
			if g.TargetType == "Group" {
				k.LockGroupID = &g.BoundLockID
			}
			img.Keys = append(img.Keys, k)
		}
		env, err := lockproto.SignCardImage(signer, img)
		if err != nil {
			return nil, err
		}
		images = append(images, env)
	}
	return images, nil
}

// storeUploads stores the request's log entries, health readings and card writes on the bound
// lock and returns the highest entry number now stored of those sent (0 for none) and how many
// entries were new.
func (s *Service) storeUploads(ctx context.Context, tx keyward.OwnerTx, boundLockID string, req *lockproto.SyncRequest) (ack uint64, stored int, err error) {
	now := s.timestamp()
	entries := make([]*keyward.LogEntry, len(req.LogEntries))
	for i, e := range req.LogEntries {
		entries[i] = &keyward.LogEntry{ID: s.newID(), EntryNo: int64(e.EntryNo), LockTimestamp: e.LockTimestamp, ReceivedAt: now,
			BoundLockID: boundLockID, BoundCardID: e.BoundCardID, ContactID: e.ContactID, LogType: e.LogType, Command: e.Command,
			Result: &e.Result, Reason: nonEmpty(e.Reason), GrantID: e.GrantID}
		ack = max(ack, e.EntryNo)
	}
	if len(entries) > 0 {
		if stored, err = tx.AddLogEntries(ctx, boundLockID, entries); err != nil {
			return 0, 0, err
		}
	}
	var readings []keyward.HealthReading
	for _, h := range req.Health {
		readings = append(readings,
			keyward.HealthReading{Type: keyward.HealthBatteryVoltage, Value: h.BatteryVoltage, MeasuredAt: h.MeasuredAt},
			keyward.HealthReading{Type: keyward.HealthTemperature, Value: h.Temperature, MeasuredAt: h.MeasuredAt},
			keyward.HealthReading{Type: keyward.HealthBatteryWarningLevel, Value: batteryLevels[h.BatteryWarning], MeasuredAt: h.MeasuredAt})
	}
	if len(readings) > 0 {
		if err := tx.ReportHealth(ctx, boundLockID, readings); err != nil {
			return 0, 0, err
		}
	}
	for _, w := range req.CardWrites {
		if err := tx.ConfirmCardWrite(ctx, w.BoundCardID, w.Version); err != nil {
			return 0, 0, err
		}
	}
	return ack, stored, nil
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// signResponse signs a response; a lock that holds none of the keys in use (held false) gets it
// anchored with its binding code as well.
func signResponse(signer lockproto.Signer, held bool, phys *keyward.PhysicalLock, resp *lockproto.SyncResponse) ([]byte, error) {
	env, err := lockproto.SignSyncResponse(signer, resp)
	if err != nil {
		return nil, err
	}
	if !held {
		if env.Anchor, err = lockproto.AnchorMAC(phys.BindingCodeHash, env); err != nil {
			return nil, err
		}
	}
	return json.Marshal(env)
}
