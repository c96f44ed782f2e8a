package service

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
)

// keyRenewal is how often a phone's keys are issued anew. Keys are derived, not stored: within
// one renewal period a fetch issues byte for byte the keys of the previous one (the same issue
// time, and Ed25519 signatures are deterministic), so the entity tag of the inputs is a strong
// one and a phone that polls with it gets 304 until something its keys depend on changes or the
// next period begins. A key issued at the start of a period is valid for MaxKeyValidity, so a
// phone that fetches at least once a period always holds keys with six days or more to run.
const keyRenewal = 24 * time.Hour

// keyDraft is one key before it is signed: everything the entity tag covers.
type keyDraft struct {
	Item      keyward.IssuedKey   `json:"item"`
	SignerKID string              `json:"signerKid"`
	Key       lockproto.MobileKey `json:"key"`
	signer    lockproto.Signer
	delivered bool
}

// FetchKeys issues the mobile's keys: one for every active grant of the caller's contacts that
// a key can be issued for now, signed with the newest key-signing key every lock of the key
// holds. A grant whose key leaves the server for the first time is marked delivered before the
// answer goes out, so that revoking it from then on waits for its locks' confirmation; a poll
// that brings nothing new writes nothing and signs nothing.
func (s *Service) FetchKeys(ctx context.Context, mobileID string, ifNoneMatch []string) (*keyward.MobileKeys, string, error) {
	p, err := phoneUser(ctx, "fetch a mobile's keys", keyward.ScopeHandleKeys)
	if err != nil {
		return nil, "", err
	}
	m, err := s.data.FindMobile(ctx, p.UserID, mobileID)
	if err != nil {
		return nil, "", err
	}
	drafts, err := s.draftKeys(ctx, p.UserID, m)
	if err != nil {
		return nil, "", err
	}
	if drafts, err = s.deliver(ctx, drafts); err != nil {
		return nil, "", err
	}
	tag := keysTag(m, drafts)
	if slices.Contains(ifNoneMatch, tag) || slices.Contains(ifNoneMatch, "*") {
		return nil, tag, nil
	}
	keys, err := signKeys(drafts)
	return keys, tag, err
}

// draftKeys reads the user's grants and drafts their keys for the mobile as of now.
func (s *Service) draftKeys(ctx context.Context, userID string, m *keyward.Mobile) ([]keyDraft, error) {
	key, err := s.contactKey(ctx, userID)
	if err != nil {
		return nil, err
	}
	grants, err := s.data.FindKeyGrants(ctx, key)
	if err != nil {
		return nil, err
	}
	ring, err := s.lockKeys(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	issuedAt := renewalStart(now, m.PublicKey)
	var drafts []keyDraft
	for _, g := range grants {
		if d, ok := draftKey(ring, m, g, issuedAt, now); ok {
			drafts = append(drafts, d)
		}
	}
	return drafts, nil
}

// renewalStart is the start of the renewal period that now lies in. Each mobile's periods are
// offset by a hash of its public key, so that phones renew at different times of the day instead
// of all at once, and a phone's periods depend on the phone alone (a phone re-registered keeps
// them, and a simulated phone made from a seed renews at the same times in every run).
func renewalStart(now time.Time, phoneKey []byte) time.Time {
	sum := sha256.Sum256(phoneKey)
	period := keyRenewal.Milliseconds()
	offset := int64(binary.BigEndian.Uint64(sum[:8]) % uint64(period))
	ms := now.UnixMilli()
	return time.UnixMilli(ms - ((ms-offset)%period+period)%period).UTC()
}

// draftKey drafts the key of one grant issued at issuedAt, or reports false when a key of it
// would not be valid after now (the grant ended, or starts more than a key's validity ahead).
func draftKey(ring lockKeys, m *keyward.Mobile, g *keyward.KeyGrant, issuedAt, now time.Time) (keyDraft, bool) {
	notBefore, notAfter, err := lockproto.ClipValidity(issuedAt, stdTime(g.ValidFrom), stdTime(g.ValidBefore), lockproto.MaxKeyValidity)
	if err != nil || !notAfter.After(now) {
		return keyDraft{}, false
	}
	k := lockproto.MobileKey{GrantID: g.ID, ContactID: &g.ContactID, PhonePublicKey: ed25519.PublicKey(m.PublicKey),
		IssuedAt: keyward.NewTime(issuedAt), NotBefore: keyward.NewTime(notBefore), NotAfter: keyward.NewTime(notAfter),
		ValidFrom: g.ValidFrom, ValidBefore: g.ValidBefore, TimeRestrictionIcal: g.TimeRestrictionIcal}
	item := keyward.IssuedKey{GrantID: g.ID, OwnerAccountID: g.OwnerAccountID, ContactID: g.ContactID, NotAfter: k.NotAfter}
	if g.TargetType == "Group" {
		k.LockGroupID, item.LockGroupID = &g.TargetID, &g.TargetID
	} else {
		item.BoundLockID = &g.TargetID
	}
	kidSets := make([][]string, len(g.Locks))
	for i, l := range g.Locks {
		k.LockIDs = append(k.LockIDs, l.PhysicalLockID)
		k.RclSerialNo = max(k.RclSerialNo, l.RclSerialNo)
		kidSets[i] = l.KIDs
	}
	item.PhysicalLockIDs = k.LockIDs
	signer, _ := ring.signerFor(kidSets...) // a lock that holds no key in use learns the newest at its next sync
	return keyDraft{Item: item, SignerKID: signer.KID, Key: k, signer: signer, delivered: g.Delivered}, true
}

// stdTime is t as the standard library's time, nil staying nil.
func stdTime(t *keyward.Time) *time.Time {
	if t == nil {
		return nil
	}
	return &t.Time
}

// deliver marks the grants whose keys leave the server for the first time delivered, once per
// owner account under the account's lock, and drops the drafts of those revoked since they were
// read: a grant revoked before it was delivered is Revoked at once and on no revocation list, so
// its key must not go out. A grant revoked after this mark waits for its locks' confirmation.
func (s *Service) deliver(ctx context.Context, drafts []keyDraft) ([]keyDraft, error) {
	byOwner := map[string][]string{}
	var owners []string
	for _, d := range drafts {
		if d.delivered {
			continue
		}
		if byOwner[d.Item.OwnerAccountID] == nil {
			owners = append(owners, d.Item.OwnerAccountID)
		}
		byOwner[d.Item.OwnerAccountID] = append(byOwner[d.Item.OwnerAccountID], d.Item.GrantID)
	}
	gone := map[string]bool{}
	for _, o := range owners {
		if err := s.markDelivered(ctx, o, byOwner[o], gone); err != nil {
			return nil, err
		}
	}
	return slices.DeleteFunc(drafts, func(d keyDraft) bool { return gone[d.Item.GrantID] }), nil
}

// markDelivered marks the grants of one account delivered and adds to gone those no longer
// active. An account deleted meanwhile took its grants with it.
func (s *Service) markDelivered(ctx context.Context, ownerID string, ids []string, gone map[string]bool) error {
	err := s.store.InOwnerTx(ctx, ownerID, func(tx keyward.OwnerTx) error {
		if err := tx.MarkGrantsDelivered(ctx, ids); err != nil {
			return err
		}
		active := true
		still, err := tx.FindGrants(ctx, keyward.GrantFilter{OwnerID: ownerID, IDs: ids, Active: &active})
		if err != nil {
			return err
		}
		for _, id := range ids {
			gone[id] = !slices.ContainsFunc(still, func(g *keyward.Grant) bool { return g.ID == id })
		}
		return nil
	})
	if errors.Is(err, keyward.ErrNotFound) {
		for _, id := range ids {
			gone[id] = true
		}
		return nil
	}
	return err
}

// keysTag is the entity tag of a mobile's keys: a hash of the mobile and of everything its keys
// are made of, the signing key's id included. Equal tags mean equal answers.
func keysTag(m *keyward.Mobile, drafts []keyDraft) string {
	b, _ := json.Marshal(struct {
		Mobile string     `json:"mobile"`
		Keys   []keyDraft `json:"keys"`
	}{m.ID, drafts}) // these types always marshal
	sum := sha256.Sum256(append([]byte("keyward-mobile-keys/1\x00"), b...))
	return base64.RawURLEncoding.EncodeToString(sum[:18])
}

// signKeys signs the drafted keys.
func signKeys(drafts []keyDraft) (*keyward.MobileKeys, error) {
	keys := &keyward.MobileKeys{Keys: make([]keyward.IssuedKey, 0, len(drafts))}
	for _, d := range drafts {
		env, err := lockproto.SignMobileKey(d.signer, &d.Key)
		if err != nil {
			return nil, fmt.Errorf("service: sign the key of grant %s: %w", d.Item.GrantID, err)
		}
		if d.Item.Key, err = json.Marshal(env); err != nil {
			return nil, fmt.Errorf("service: encode the key of grant %s: %w", d.Item.GrantID, err)
		}
		keys.Keys = append(keys.Keys, d.Item)
	}
	return keys, nil
}
