package service

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"slices"
	"unicode/utf8"

	"github.com/keyward/keyward/internal/keyward"
)

// The mobile API: a phone acting for its user with the user's token. Mobiles belong to the user,
// not to an owner account, so no role is checked; the keys a phone gets are those of the grants
// that owner accounts gave the user's contacts.

// byPhoneUser says who may call the mobile API, as refusals show it.
const byPhoneUser = "a person or an identity-provider user (never a client's service user)"

// maxMobileName bounds a mobile's name, which a phone shows in a list.
const maxMobileName = 100

// MaxMobiles is how many mobiles one user may have registered at a time: far more phones than a
// person carries, and a bound on what one account of a phone app can make the server store and
// sign keys for.
const MaxMobiles = 20

// phoneUser returns the caller of a mobile use case: a user's token (or session) with scope. A
// client-credentials token acts for its client's service user, which no contact names, so it
// could only ever hold an empty key ring: it is refused before its scopes are looked at.
func phoneUser(ctx context.Context, op, scope string) (*keyward.Principal, error) {
	p, err := actingUser(ctx, op)
	if err != nil {
		return nil, err
	}
	if p.UserKind == keyward.UserService {
		return nil, refuse(p, op, byPhoneUser)
	}
	if err := checkScope(p, scope); err != nil {
		return nil, err
	}
	return p, nil
}

// Me describes the calling user.
func (s *Service) Me(ctx context.Context) (*keyward.Me, error) {
	p, err := phoneUser(ctx, "read the caller's user", keyward.ScopeReadUser)
	if err != nil {
		return nil, err
	}
	u, err := s.data.FindUserByID(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	if u.Kind != keyward.UserExternal {
		return &keyward.Me{ID: u.ID, Email: &u.Email, IPID: keyward.IPTapkey, Kind: u.Kind}, nil
	}
	ip, err := s.ipUserOf(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	return &keyward.Me{ID: u.ID, IPID: ip.IPID, IPUserID: &ip.IPUserID, Kind: u.Kind}, nil
}

// ipUserOf returns the identity-provider record of an external user. Deleting a provider deletes
// its users' records, so a token issued before then acts for a user without an identity.
func (s *Service) ipUserOf(ctx context.Context, userID string) (*keyward.IPUser, error) {
	list, err := s.data.FindIPUsers(ctx, keyward.IPUserFilter{ID: &userID})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, keyward.ErrForbidden.WithDetails("user %q belonged to an identity provider that was deleted", userID)
	}
	return list[0], nil
}

// contactKey is the identity under which owner accounts know the user as a contact (its natural
// key): a person by the verified address with ipId tapkey, an identity-provider user by the
// provider and its user id. A person whose address is not verified is refused: an address
// nobody proved to hold must not collect the keys granted to it.
func (s *Service) contactKey(ctx context.Context, userID string) (string, error) {
	u, err := s.data.FindUserByID(ctx, userID)
	if err != nil {
		return "", err
	}
	c := keyward.Contact{IPID: keyward.IPTapkey, Identifier: &u.Email}
	switch {
	case u.Kind == keyward.UserExternal:
		ip, err := s.ipUserOf(ctx, u.ID)
		if err != nil {
			return "", err
		}
		c = keyward.Contact{IPID: ip.IPID, IPUserID: &ip.IPUserID}
	case !u.Verified:
		return "", keyward.ErrEmailNotVerified.WithDetails("the address %q of user %q is not verified; keys are issued only to a verified address", u.Email, u.ID)
	}
	return c.NaturalKey(), nil
}

// RegisterMobile registers a phone by its public key. The same key again answers the mobile
// registered with it, so a phone that lost the answer may simply repeat the request. A user
// holds at most MaxMobiles; the user's row is held while they are counted, so the limit holds
// for registrations racing on several nodes.
func (s *Service) RegisterMobile(ctx context.Context, c keyward.MobileCreate) (*keyward.Mobile, error) {
	p, err := phoneUser(ctx, "register a mobile", keyward.ScopeRegisterMobiles)
	if err != nil {
		return nil, err
	}
	if err := checkMobile(c); err != nil {
		return nil, err
	}
	m := &keyward.Mobile{ID: s.newID(), UserID: p.UserID, Name: c.Name, Platform: c.Platform, PublicKey: c.PublicKey, CreatedAt: s.timestamp()}
	var got *keyward.Mobile
	err = s.store.InTx(ctx, func(tx keyward.Tx) error {
		if err := tx.LockUser(ctx, p.UserID); err != nil { // the limit holds across nodes
			return err
		}
		mine, err := tx.FindMobiles(ctx, p.UserID)
		if err != nil {
			return err
		}
		again := slices.ContainsFunc(mine, func(o *keyward.Mobile) bool { return bytes.Equal(o.PublicKey, m.PublicKey) })
		if len(mine) >= MaxMobiles && !again {
			return keyward.Invalidf("user %q has %d mobiles registered, the most one user may have; remove one (DELETE /api/v1/Me/Mobiles/{id}) before registering another",
				p.UserID, len(mine))
		}
		got, err = tx.CreateMobile(ctx, m)
		return err
	})
	if err != nil {
		return nil, err
	}
	if got.UserID != p.UserID {
		return nil, keyward.Invalidf("field %q: this public key is registered for another user's mobile; every phone makes a key pair of its own", "publicKey")
	}
	return got, nil
}

// checkMobile validates a registration.
func checkMobile(c keyward.MobileCreate) error {
	if len(c.PublicKey) != ed25519.PublicKeySize {
		return keyward.Invalidf("field %q must be an Ed25519 public key of %d bytes in standard Base64; it has %d bytes",
			"publicKey", ed25519.PublicKeySize, len(c.PublicKey))
	}
	if err := checkRequiredText("name", c.Name); err != nil {
		return err
	}
	if utf8.RuneCountInString(c.Name) > maxMobileName {
		return keyward.Invalidf("field %q is longer than %d characters", "name", maxMobileName)
	}
	if !slices.Contains([]string{keyward.PlatformAndroid, keyward.PlatformIOS, keyward.PlatformOther}, c.Platform) {
		return keyward.Invalidf("field %q must be %q, %q or %q", "platform", keyward.PlatformAndroid, keyward.PlatformIOS, keyward.PlatformOther)
	}
	return nil
}

// FindMobiles lists the caller's mobiles, oldest first.
func (s *Service) FindMobiles(ctx context.Context) ([]*keyward.Mobile, error) {
	p, err := phoneUser(ctx, "list the caller's mobiles", keyward.ScopeRegisterMobiles)
	if err != nil {
		return nil, err
	}
	return s.data.FindMobiles(ctx, p.UserID)
}

// RemoveMobile removes one of the caller's mobiles. Its keys are no longer served; those it
// holds end by themselves (at most lockproto.MaxKeyValidity after their issue) or with a
// revocation of their grants.
func (s *Service) RemoveMobile(ctx context.Context, id string) error {
	p, err := phoneUser(ctx, "remove a mobile", keyward.ScopeRegisterMobiles)
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx keyward.Tx) error { return tx.DeleteMobile(ctx, p.UserID, id) })
}
