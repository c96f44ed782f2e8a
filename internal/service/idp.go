package service

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"regexp"
	"strings"

	"github.com/keyward/keyward/internal/keyward"
)

// ipIDPattern is what an ipId may look like: it travels as the token-exchange "provider".
var ipIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

// FindIdentityProviders lists the identity providers of an owner account.
func (s *Service) FindIdentityProviders(ctx context.Context, ownerID string) ([]*keyward.IdentityProvider, error) {
	if err := s.authorize(ctx, ownerID, useCase{"list the identity providers", keyward.ScopeReadOwnerAccounts, ""}); err != nil {
		return nil, err
	}
	return s.data.FindIdentityProviders(ctx, ownerID)
}

// FindIdentityProvider returns one identity provider of the account.
func (s *Service) FindIdentityProvider(ctx context.Context, ownerID, ipID string) (*keyward.IdentityProvider, error) {
	if err := s.authorize(ctx, ownerID, useCase{"read an identity provider", keyward.ScopeReadOwnerAccounts, ""}); err != nil {
		return nil, err
	}
	return s.findIdentityProvider(ctx, s.data, ownerID, ipID)
}

// findIdentityProvider answers 404 for a provider of another account as for none at all.
func (s *Service) findIdentityProvider(ctx context.Context, tx keyward.Tx, ownerID, ipID string) (*keyward.IdentityProvider, error) {
	p, err := tx.FindIdentityProvider(ctx, ipID)
	if err != nil {
		return nil, err
	}
	if p.OwnerAccountID != ownerID {
		return nil, keyward.ErrNotFound.WithDetails("identity provider %q does not exist", ipID)
	}
	return p, nil
}

// CreateIdentityProvider registers an identity provider; the plan must include identity providers.
func (s *Service) CreateIdentityProvider(ctx context.Context, ownerID string, c keyward.IdentityProviderCreate) (*keyward.IdentityProvider, error) {
	if err := s.authorize(ctx, ownerID, useCase{"register an identity provider", keyward.ScopeWriteOwnerAccounts, ""}); err != nil {
		return nil, err
	}
	return s.createIdentityProvider(ctx, ownerID, c)
}

func (s *Service) createIdentityProvider(ctx context.Context, ownerID string, c keyward.IdentityProviderCreate) (*keyward.IdentityProvider, error) {
	if err := validateIdentityProvider(c); err != nil {
		return nil, err
	}
	p := &keyward.IdentityProvider{ID: c.IPID, OwnerAccountID: ownerID, Issuer: c.Issuer, Audience: c.Audience,
		PublicKeyPEM: strings.TrimSpace(c.PublicKey) + "\n", CreatedAt: s.timestamp()}
	err := s.store.InOwnerTx(ctx, ownerID, func(tx keyward.OwnerTx) error {
		if err := s.requireFeature(ctx, tx.Tx, ownerID, keyward.FeatureIdentityProviders); err != nil {
			return err
		}
		return tx.CreateIdentityProvider(ctx, p)
	})
	return p, err
}

// validateIdentityProvider checks the fields and the key: RSA, 2048 to 4096 bits, PEM-encoded
// SubjectPublicKeyInfo (reference §2.5).
func validateIdentityProvider(c keyward.IdentityProviderCreate) error {
	switch {
	case !ipIDPattern.MatchString(c.IPID):
		return keyward.Invalidf("field %q must be 1 to 100 letters, digits, dots, dashes or underscores, got %q", "ipId", c.IPID)
	case strings.EqualFold(c.IPID, keyward.IPTapkey):
		return keyward.Invalidf("field %q: %q is Keyward's own identity provider", "ipId", c.IPID)
	}
	if err := firstError(checkRequiredText("issuer", c.Issuer), checkRequiredText("audience", c.Audience)); err != nil {
		return err
	}
	block, _ := pem.Decode([]byte(strings.TrimSpace(c.PublicKey)))
	if block == nil || block.Type != "PUBLIC KEY" {
		return keyward.Invalidf("field %q must be a PEM block \"-----BEGIN PUBLIC KEY-----\"", "publicKey")
	}
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return keyward.ErrInvalid.WithCause(err).WithDetails("field %q: the PEM block does not hold a public key in the X.509 SubjectPublicKeyInfo form that \"BEGIN PUBLIC KEY\" announces", "publicKey")
	}
	rsaKey, ok := key.(*rsa.PublicKey)
	if !ok {
		return keyward.Invalidf("field %q must be an RSA key", "publicKey")
	}
	if bits := rsaKey.N.BitLen(); bits < 2048 || bits > 4096 {
		return keyward.Invalidf("field %q: the RSA key has %d bits; 2048 to 4096 are accepted", "publicKey", bits)
	}
	return nil
}

// DeleteIdentityProvider removes a provider with its users.
func (s *Service) DeleteIdentityProvider(ctx context.Context, ownerID, ipID string) error {
	if err := s.authorize(ctx, ownerID, useCase{"delete an identity provider", keyward.ScopeWriteOwnerAccounts, ""}); err != nil {
		return err
	}
	return s.store.InOwnerTx(ctx, ownerID, func(tx keyward.OwnerTx) error { return tx.DeleteIdentityProvider(ctx, ipID) })
}

// FindIPUsers lists the users of an identity provider of the account.
func (s *Service) FindIPUsers(ctx context.Context, ownerID, ipID string, q *keyward.Query) ([]*keyward.IPUser, error) {
	if err := s.authorize(ctx, ownerID, useCase{"list an identity provider's users", keyward.ScopeReadIPUsers, ""}); err != nil {
		return nil, err
	}
	if err := checkNoExpand(q); err != nil {
		return nil, err
	}
	if _, err := s.findIdentityProvider(ctx, s.data, ownerID, ipID); err != nil {
		return nil, err
	}
	return s.data.FindIPUsers(ctx, keyward.IPUserFilter{IPID: ipID, Query: q})
}

// FindIPUser returns one user by Keyward id, or by ipUserId when id is "".
func (s *Service) FindIPUser(ctx context.Context, ownerID, ipID, id, ipUserID string) (*keyward.IPUser, error) {
	if err := s.authorize(ctx, ownerID, useCase{"read an identity provider's user", keyward.ScopeReadIPUsers, ""}); err != nil {
		return nil, err
	}
	if _, err := s.findIdentityProvider(ctx, s.data, ownerID, ipID); err != nil {
		return nil, err
	}
	return s.findIPUser(ctx, s.data, ipID, id, ipUserID)
}

func (s *Service) findIPUser(ctx context.Context, tx keyward.Tx, ipID, id, ipUserID string) (*keyward.IPUser, error) {
	f := keyward.IPUserFilter{IPID: ipID, ID: &id}
	if id == "" {
		f = keyward.IPUserFilter{IPID: ipID, IPUserID: &ipUserID}
	}
	list, err := tx.FindIPUsers(ctx, f)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, keyward.ErrNotFound.WithDetails("User not found: identity provider %q has no user %q", ipID, id+ipUserID)
	}
	return list[0], nil
}

// CreateIPUser adds a user to an identity provider; an existing ipUserId is 400 Duplicate.
func (s *Service) CreateIPUser(ctx context.Context, ownerID, ipID string, c keyward.IPUserCreate) (*keyward.IPUser, error) {
	if err := s.authorize(ctx, ownerID, useCase{"create an identity provider's user", keyward.ScopeWriteIPUsers, ""}); err != nil {
		return nil, err
	}
	if c.IPID != nil && *c.IPID != ipID {
		return nil, keyward.Invalidf("field %q is %q but the path names identity provider %q", "ipId", *c.IPID, ipID)
	}
	if err := firstError(checkRequiredText("ipUserId", c.IPUserID), checkText("identifier", c.Identifier), checkText("email", c.Email)); err != nil {
		return nil, err
	}
	identifier := c.Identifier
	if identifier == nil {
		identifier = c.Email
	}
	var u *keyward.IPUser
	err := s.store.InOwnerTx(ctx, ownerID, func(tx keyward.OwnerTx) error {
		if _, err := s.findIdentityProvider(ctx, tx.Tx, ownerID, ipID); err != nil {
			return err
		}
		var err error
		u, err = s.createIPUser(ctx, tx, ownerID, ipID, c.IPUserID, identifier)
		return err
	})
	return u, err
}

// createIPUser stores the external user and its Keyward user.
func (s *Service) createIPUser(ctx context.Context, tx keyward.OwnerTx, ownerID, ipID, ipUserID string, identifier *string) (*keyward.IPUser, error) {
	now := s.timestamp()
	user := &keyward.User{ID: s.newID(), Kind: keyward.UserExternal, Verified: true, CreatedAt: now}
	if err := tx.CreateUser(ctx, user); err != nil {
		return nil, err
	}
	u := &keyward.IPUser{ID: user.ID, IPID: ipID, IPUserID: ipUserID, Identifier: identifier, Email: identifier,
		Status: keyward.IPUserStatusNormal, OwnerAccountID: ownerID, CreatedAt: now}
	return u, tx.CreateIPUser(ctx, u)
}

// UpdateIPUser refuses every change of an external user's address: it belongs to the provider.
func (s *Service) UpdateIPUser(ctx context.Context, ownerID, ipID, id string, up keyward.IPUserUpdate) (*keyward.IPUser, error) {
	if err := s.authorize(ctx, ownerID, useCase{"change an identity provider's user", keyward.ScopeWriteIPUsers, ""}); err != nil {
		return nil, err
	}
	if _, err := s.findIdentityProvider(ctx, s.data, ownerID, ipID); err != nil {
		return nil, err
	}
	u, err := s.findIPUser(ctx, s.data, ipID, id, "")
	if err != nil {
		return nil, err
	}
	for _, v := range []*string{up.Identifier, up.Email} {
		if v != nil && (u.Identifier == nil || *v != *u.Identifier) {
			return nil, keyward.ErrEmailChangeNotSupported.WithDetails("the address of identity-provider user %q is managed by identity provider %q", id, ipID)
		}
	}
	return u, nil
}

// ProvisionIPUser returns the user of an identity provider, creating it on first token exchange.
// When two first exchanges race, the loser finds the winner's user.
func (s *Service) ProvisionIPUser(ctx context.Context, ipID, ipUserID string) (*keyward.IPUser, error) {
	u, err := s.provisionIPUser(ctx, ipID, ipUserID)
	if errors.Is(err, keyward.ErrDuplicateIPUser) {
		return s.findIPUser(ctx, s.data, ipID, "", ipUserID)
	}
	return u, err
}

func (s *Service) provisionIPUser(ctx context.Context, ipID, ipUserID string) (*keyward.IPUser, error) {
	p, err := s.data.FindIdentityProvider(ctx, ipID)
	if err != nil {
		return nil, err
	}
	var u *keyward.IPUser
	err = s.store.InOwnerTx(ctx, p.OwnerAccountID, func(tx keyward.OwnerTx) error {
		var err error
		u, err = s.findIPUser(ctx, tx.Tx, ipID, "", ipUserID)
		if errors.Is(err, keyward.ErrNotFound) {
			u, err = s.createIPUser(ctx, tx, p.OwnerAccountID, ipID, ipUserID, nil)
		}
		return err
	})
	return u, err
}

// RegisterIdentityProvider registers a provider for the operator, in any owner account.
func (s *Service) RegisterIdentityProvider(ctx context.Context, ownerID string, c keyward.IdentityProviderCreate) (*keyward.IdentityProvider, error) {
	if err := requireOperator(ctx, "register an identity provider for any owner account"); err != nil {
		return nil, err
	}
	if _, err := s.findOwner(ctx, s.data, ownerID); err != nil {
		return nil, err
	}
	return s.createIdentityProvider(ctx, ownerID, c)
}
