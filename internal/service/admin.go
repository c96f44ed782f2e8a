package service

import (
	"cmp"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"net/url"
	"slices"
	"strings"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
)

// The operator's use cases, run by `keyward admin` and `keyward demo` on the store directly with
// the operator principal (whoever can open the database is the operator), and the client use
// cases, open to the operator and to users managing their own clients.

// CreateUser stores a user whose password is already hashed.
func (s *Service) CreateUser(ctx context.Context, c keyward.UserCreate) (*keyward.User, error) {
	if err := requireOperator(ctx, "create a user"); err != nil {
		return nil, err
	}
	return s.createUser(ctx, c.Email, c.PasswordHash, c.Verified)
}

// FindUserByEmail returns the user with the address.
func (s *Service) FindUserByEmail(ctx context.Context, email string) (*keyward.User, error) {
	if err := requireOperator(ctx, "look up a user"); err != nil {
		return nil, err
	}
	return s.data.FindUserByEmail(ctx, email)
}

// createUser stores a person, for the operator and for sign-up.
func (s *Service) createUser(ctx context.Context, email, passwordHash string, verified bool) (*keyward.User, error) {
	email = strings.TrimSpace(email)
	if email == "" || !strings.Contains(email, "@") {
		return nil, keyward.Invalidf("%q is not an e-mail address", email)
	}
	u := &keyward.User{ID: s.newID(), Email: email, Kind: keyward.UserPerson, Verified: verified,
		PasswordHash: passwordHash, CreatedAt: s.timestamp()}
	return u, s.data.CreateUser(ctx, u)
}

// RegisterOwner creates an owner account whose Owner is the user with r.OwnerEmail.
func (s *Service) RegisterOwner(ctx context.Context, r keyward.OwnerRegistration) (*keyward.Owner, error) {
	if err := requireOperator(ctx, "create an owner account for a user"); err != nil {
		return nil, err
	}
	name, ownerEmail, plan := r.Name, r.OwnerEmail, r.Plan
	if err := checkRequiredText("name", name); err != nil {
		return nil, err
	}
	if plan != "" {
		if err := s.checkPlanName(plan); err != nil {
			return nil, err
		}
	}
	u, err := s.data.FindUserByEmail(ctx, ownerEmail)
	if err != nil {
		return nil, err
	}
	return s.createOwner(ctx, name, plan, u)
}

// CreateClient registers a client. A client-credentials client gets its service user, which
// AdminOf makes an administrator of that owner account: an Admin, or what Role says (an Owner may
// also manage the account's permissions). The operator names the managing user in OwnerEmail; a
// signed-in user registers a client that user manages, and only the operator may set AdminOf.
func (s *Service) CreateClient(ctx context.Context, spec keyward.ClientCreate) (*keyward.Client, *keyward.User, error) {
	if err := requireClientManager(ctx, "register a client"); err != nil {
		return nil, nil, err
	}
	p := keyward.PrincipalFromContext(ctx)
	if p.Kind == keyward.PrincipalSession && (spec.AdminOf != "" || spec.OwnerEmail != "") {
		return nil, nil, keyward.ErrForbidden.WithDetails("%s registers clients it manages itself; only the operator names a client's manager or makes its service user an administrator", p)
	}
	if err := firstError(checkRequiredText("name", spec.Name), checkScopes(spec.Scopes), checkRedirectURIs(spec.RedirectURIs),
		checkLogoURL(spec.LogoURL), checkAllowedOrigins(spec.AllowedOrigins)); err != nil {
		return nil, nil, err
	}
	if p.Kind == keyward.PrincipalSession {
		if err := checkUserClient(spec); err != nil {
			return nil, nil, err
		}
	}
	role := cmp.Or(spec.Role, keyward.RoleAdmin)
	if !role.Valid() {
		return nil, nil, keyward.Invalidf("unknown role %q; a client's service user is an %s or an %s", role, keyward.RoleAdmin, keyward.RoleOwner)
	}
	if containsFold(spec.GrantTypes, keyward.GrantAuthorizationCode) && len(spec.RedirectURIs) == 0 {
		return nil, nil, keyward.Invalidf("an authorization_code client needs at least one redirect URI")
	}
	c := &keyward.Client{ID: s.newID(), Name: spec.Name, SecretHash: spec.SecretHash, GrantTypes: spec.GrantTypes,
		Scopes: spec.Scopes, RedirectURIs: spec.RedirectURIs, Public: spec.Public, LogoURL: spec.LogoURL, AllowedOrigins: spec.AllowedOrigins,
		CreatedAt: s.timestamp()}
	if p.Kind == keyward.PrincipalSession {
		c.OwnerUserID = &p.UserID
	}
	serviceUser := containsFold(spec.GrantTypes, keyward.GrantClientCredentials)
	if spec.AdminOf != "" && !serviceUser {
		return nil, nil, keyward.Invalidf("only a client_credentials client has a service user that can administer an owner account")
	}
	var svcUser *keyward.User
	register := func(tx keyward.Tx) error {
		if spec.OwnerEmail != "" {
			owner, err := tx.FindUserByEmail(ctx, spec.OwnerEmail)
			if err != nil {
				return err
			}
			c.OwnerUserID = &owner.ID
		}
		if serviceUser {
			svcUser = &keyward.User{ID: s.newID(), Email: keyward.ServiceUserEmail(c.ID), Kind: keyward.UserService,
				Verified: true, CreatedAt: s.timestamp()}
			if err := tx.CreateUser(ctx, svcUser); err != nil {
				return err
			}
			c.ServiceUserID = &svcUser.ID
		}
		return tx.CreateClient(ctx, c)
	}
	var err error
	if spec.AdminOf == "" {
		err = s.store.InTx(ctx, register)
	} else {
		err = s.store.InOwnerTx(ctx, spec.AdminOf, func(tx keyward.OwnerTx) error {
			if err := register(tx.Tx); err != nil {
				return err
			}
			_, err := s.grantRole(ctx, tx, spec.AdminOf, svcUser, role)
			return err
		})
	}
	return c, svcUser, err
}

// checkUserClient holds a signed-in user's client to what such a client can be: grant types
// among keyward.UserGrantTypes, a secret exactly when it is confidential, and client
// credentials only for a confidential client, since a public one cannot authenticate.
func checkUserClient(spec keyward.ClientCreate) error {
	if len(spec.GrantTypes) == 0 {
		return keyward.Invalidf("field %q: choose at least one grant type", "grantTypes")
	}
	for _, g := range spec.GrantTypes {
		if !slices.Contains(keyward.UserGrantTypes, g) {
			return keyward.Invalidf("field %q: a user's client may use %s, not %q", "grantTypes", strings.Join(keyward.UserGrantTypes, ", "), g)
		}
	}
	switch {
	case spec.Public && spec.SecretHash != "":
		return keyward.Invalidf("field %q: a public client has no secret", "public")
	case !spec.Public && spec.SecretHash == "":
		return keyward.Invalidf("field %q: a confidential client needs a secret", "public")
	case spec.Public && slices.Contains(spec.GrantTypes, keyward.GrantClientCredentials):
		return keyward.Invalidf("field %q: a public client cannot use client_credentials, which needs a secret", "grantTypes")
	}
	return nil
}

// checkClientUpdate refuses a secret for a public client and an authorization_code client left
// without redirect URIs.
func checkClientUpdate(c *keyward.Client, u keyward.ClientUpdate) error {
	switch {
	case u.SecretHash != nil && c.Public:
		return keyward.Invalidf("client %q is public and has no secret to rotate", c.ID)
	case u.RedirectURIs != nil && len(u.RedirectURIs) == 0 && c.AllowsGrant(keyward.GrantAuthorizationCode):
		return keyward.Invalidf("field %q: an authorization_code client needs at least one redirect URI", "redirectUris")
	}
	return nil
}

// RegisterLock adds a lock to the device registry and returns it with its binding code.
// The code is permanent, as the code printed on a Tapkey lock is: it binds the lock whenever the
// lock is unbound. It is stored hashed, so this is the only time it can be shown.
func (s *Service) RegisterLock(ctx context.Context, spec keyward.PhysicalLockCreate) (*keyward.PhysicalLock, string, error) {
	if err := requireOperator(ctx, "register a lock"); err != nil {
		return nil, "", err
	}
	if _, ok := lockproto.LookupLockType(spec.LockTypeID); !ok {
		return nil, "", keyward.Invalidf("unknown lock type %q", spec.LockTypeID)
	}
	if spec.ProtocolVersion < lockproto.ProtocolBasic {
		return nil, "", keyward.Invalidf("protocol version must be %d or more, got %d", lockproto.ProtocolBasic, spec.ProtocolVersion)
	}
	if _, err := keyward.LoadLocation(spec.TimeZone); err != nil || spec.TimeZone == "" || spec.TimeZone == "Local" {
		return nil, "", keyward.Invalidf("%q is not an IANA time zone", spec.TimeZone)
	}
	if len(spec.DevicePublicKey) != ed25519.PublicKeySize {
		return nil, "", keyward.Invalidf("the device public key must be an Ed25519 public key of %d bytes, got %d bytes",
			ed25519.PublicKeySize, len(spec.DevicePublicKey))
	}
	code := lockproto.NewBindingCode()
	l := &keyward.PhysicalLock{ID: lockproto.EncodeLockID(randomBytes(6)), LockTypeID: spec.LockTypeID,
		ProtocolVersion: spec.ProtocolVersion, BindingCodeHash: lockproto.HashBindingCode(code), TimeZone: spec.TimeZone,
		TimeRestrictionSupport: spec.TimeRestrictionSupport, DevicePublicKey: spec.DevicePublicKey, CreatedAt: s.timestamp()}
	return l, code, s.data.CreatePhysicalLock(ctx, l)
}

// RegisterCard adds an NFC card with a random 7-byte uid to the device registry.
func (s *Service) RegisterCard(ctx context.Context, capacity int) (*keyward.PhysicalCard, error) {
	if err := requireOperator(ctx, "register a card"); err != nil {
		return nil, err
	}
	if capacity < 1 {
		return nil, keyward.Invalidf("card capacity must be 1 or more, got %d", capacity)
	}
	c := &keyward.PhysicalCard{ID: s.newID(), UID: base64.StdEncoding.EncodeToString(randomBytes(7)), Capacity: capacity,
		CreatedAt: s.timestamp()}
	return c, s.data.CreatePhysicalCard(ctx, c)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // never fails on supported platforms (crypto/rand)
	return b
}

// checkScopes refuses scopes Keyward does not know.
func checkScopes(scopes []string) error {
	for _, sc := range scopes {
		if !containsFold(keyward.ClientScopes(), sc) {
			return keyward.Invalidf("unknown scope %q", sc)
		}
	}
	return nil
}

// checkRedirectURIs accepts absolute URIs without fragments (RFC 6749 §3.1.2); they are later
// compared with the request's redirect_uri character by character.
func checkRedirectURIs(uris []string) error {
	for _, raw := range uris {
		u, err := url.Parse(raw)
		if err != nil || u.Scheme == "" || u.Fragment != "" || strings.ContainsAny(raw, " #") {
			return keyward.Invalidf("redirect URI %q must be an absolute URI without a fragment", raw)
		}
		if (u.Scheme == "http" || u.Scheme == "https") && u.Host == "" {
			return keyward.Invalidf("redirect URI %q has no host", raw)
		}
	}
	return nil
}

func checkLogoURL(raw string) error {
	if raw == "" {
		return nil
	}
	if u, err := url.Parse(raw); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return keyward.Invalidf("logo URL %q must be an http or https URL", raw)
	}
	return nil
}

// FindClients lists every client for the operator, and the clients a signed-in user manages.
func (s *Service) FindClients(ctx context.Context) ([]*keyward.Client, error) {
	if err := requireClientManager(ctx, "list clients"); err != nil {
		return nil, err
	}
	p := keyward.PrincipalFromContext(ctx)
	if p.Kind == keyward.PrincipalOperator {
		return s.data.FindClients(ctx, "")
	}
	return s.data.FindClients(ctx, p.UserID)
}

// UpdateClient changes a client: any for the operator, one the user manages for a session.
// The change applies to the next token request: scopes are read from the store each time.
func (s *Service) UpdateClient(ctx context.Context, id string, u keyward.ClientUpdate) (*keyward.Client, error) {
	if err := requireClientManager(ctx, "change a client"); err != nil {
		return nil, err
	}
	p := keyward.PrincipalFromContext(ctx)
	logo := ""
	if u.LogoURL != nil {
		logo = *u.LogoURL
	}
	if err := firstError(checkScopes(u.Scopes), checkRedirectURIs(u.RedirectURIs), checkLogoURL(logo), checkAllowedOrigins(u.AllowedOrigins)); err != nil {
		return nil, err
	}
	var c *keyward.Client
	err := s.store.InTx(ctx, func(tx keyward.Tx) error {
		old, err := s.managedClient(ctx, tx, id, p)
		if err != nil {
			return err
		}
		if err := checkClientUpdate(old, u); err != nil {
			return err
		}
		if err := tx.UpdateClient(ctx, id, u); err != nil {
			return err
		}
		c, err = tx.FindClientByID(ctx, id)
		return err
	})
	return c, err
}

// DeleteClient removes a client; its tokens stop working at once.
func (s *Service) DeleteClient(ctx context.Context, id string) error {
	if err := requireClientManager(ctx, "delete a client"); err != nil {
		return err
	}
	p := keyward.PrincipalFromContext(ctx)
	return s.store.InTx(ctx, func(tx keyward.Tx) error {
		if _, err := s.managedClient(ctx, tx, id, p); err != nil {
			return err
		}
		return tx.DeleteClient(ctx, id)
	})
}

// managedClient finds a client the caller manages: any for the operator, one of the user's for
// a session; another user's client is not found, as if it did not exist.
func (s *Service) managedClient(ctx context.Context, tx keyward.Tx, id string, p *keyward.Principal) (*keyward.Client, error) {
	c, err := tx.FindClientByID(ctx, id)
	if err != nil || p.Kind == keyward.PrincipalOperator {
		return c, err
	}
	if c.OwnerUserID == nil || *c.OwnerUserID != p.UserID {
		return nil, keyward.ErrNotFound.WithDetails("user %q manages no client %q", p.Email, id)
	}
	return c, nil
}
