package oauth_test

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/keyward/keyward/internal/keyward"
)

// authTables are the memStore's sign-in and token tables, copied whole for InTx's rollback.
type authTables struct {
	secrets   map[string]string
	failures  map[string][]keyward.Time
	signups   map[string][]keyward.Time
	sessions  map[string]keyward.Session
	families  map[string]keyward.TokenFamily
	codes     map[string]keyward.AuthCode
	refreshes map[string]keyward.RefreshToken
	idps      map[string]keyward.IdentityProvider
	revoked   map[string]keyward.Time // jti → expiry
	consents  map[[2]string]keyward.Consent
}

func newAuthTables() authTables {
	return authTables{secrets: map[string]string{}, failures: map[string][]keyward.Time{}, signups: map[string][]keyward.Time{}, sessions: map[string]keyward.Session{},
		families: map[string]keyward.TokenFamily{}, codes: map[string]keyward.AuthCode{}, refreshes: map[string]keyward.RefreshToken{},
		idps: map[string]keyward.IdentityProvider{}, revoked: map[string]keyward.Time{}, consents: map[[2]string]keyward.Consent{}}
}

func (a authTables) clone() authTables {
	return authTables{secrets: maps.Clone(a.secrets), failures: maps.Clone(a.failures), signups: maps.Clone(a.signups), sessions: maps.Clone(a.sessions),
		families: maps.Clone(a.families), codes: maps.Clone(a.codes), refreshes: maps.Clone(a.refreshes), idps: maps.Clone(a.idps),
		revoked: maps.Clone(a.revoked), consents: maps.Clone(a.consents)}
}

// InTx runs fn with the store itself and restores the auth tables when fn fails.
func (m *memStore) InTx(_ context.Context, fn func(tx keyward.Tx) error) error {
	m.tx.Lock()
	defer m.tx.Unlock()
	m.mu.Lock()
	saved := m.auth.clone()
	m.mu.Unlock()
	err := fn(keyward.Tx{Users: m, Catalog: m, Clients: m, SignIns: m, Tokens: m, Consents: m, Secrets: m,
		AccountReads: m, LockReads: m, ContactReads: m, GrantReads: m})
	if err != nil {
		m.mu.Lock()
		m.auth = saved
		m.mu.Unlock()
	}
	return err
}

func (m *memStore) locked(fn func()) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fn()
}

func (m *memStore) FindUserByEmail(_ context.Context, email string) (*keyward.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, u := range m.users {
		if strings.EqualFold(u.Email, email) && u.Kind != keyward.UserExternal {
			cp := *u
			return &cp, nil
		}
	}
	return nil, keyward.ErrNotFound.WithDetails("no user has the address %q", email)
}

func (m *memStore) SetUserVerified(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.users[id]
	if !ok {
		return keyward.ErrNotFound.WithDetails("user %q does not exist", id)
	}
	cp := *u
	cp.Verified = true
	m.users[id] = &cp
	return nil
}

func (m *memStore) GetSecret(_ context.Context, name string, newValue func() string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.auth.secrets[name]; ok {
		return v, nil
	}
	m.auth.secrets[name] = newValue()
	return m.auth.secrets[name], nil
}

func (m *memStore) RecordLoginFailure(_ context.Context, email string, at keyward.Time) error {
	m.locked(func() { m.auth.failures[strings.ToLower(email)] = append(m.auth.failures[strings.ToLower(email)], at) })
	return nil
}

func (m *memStore) CountLoginFailures(_ context.Context, email string, since keyward.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, at := range m.auth.failures[strings.ToLower(email)] {
		if !at.Before(since.Time) {
			n++
		}
	}
	return n, nil
}

func (m *memStore) ClearLoginFailures(_ context.Context, email string) error {
	m.locked(func() { delete(m.auth.failures, strings.ToLower(email)) })
	return nil
}

func (m *memStore) RecordSignupAttempt(_ context.Context, network string, at keyward.Time) error {
	m.locked(func() { m.auth.signups[network] = append(m.auth.signups[network], at) })
	return nil
}

func (m *memStore) CountSignupAttempts(_ context.Context, network string, since keyward.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, at := range m.auth.signups[network] {
		if !at.Before(since.Time) {
			n++
		}
	}
	return n, nil
}

func (m *memStore) CreateSession(_ context.Context, s *keyward.Session) error {
	m.locked(func() { m.auth.sessions[s.Hash] = *s })
	return nil
}

func (m *memStore) FindSession(_ context.Context, hash string, now keyward.Time) (*keyward.Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.auth.sessions[hash]
	if !ok || !s.ExpiresAt.After(now.Time) {
		return nil, keyward.ErrNotFound.WithDetails("no such session")
	}
	return &s, nil
}

func (m *memStore) DeleteSession(_ context.Context, hash string) error {
	m.locked(func() { delete(m.auth.sessions, hash) })
	return nil
}

func (m *memStore) CreateTokenFamily(_ context.Context, f *keyward.TokenFamily) error {
	m.locked(func() { m.auth.families[f.ID] = *f })
	return nil
}

func (m *memStore) FindTokenFamily(_ context.Context, id string) (*keyward.TokenFamily, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.auth.families[id]
	if !ok {
		return nil, keyward.ErrNotFound.WithDetails("token family %q does not exist", id)
	}
	return &f, nil
}

func (m *memStore) LockTokenFamily(ctx context.Context, id string) (*keyward.TokenFamily, error) {
	return m.FindTokenFamily(ctx, id) // InTx runs one transaction at a time
}

func (m *memStore) RevokeTokenFamily(_ context.Context, id string, at keyward.Time) error {
	m.locked(func() {
		if f, ok := m.auth.families[id]; ok && f.RevokedAt == nil {
			f.RevokedAt = &at
			m.auth.families[id] = f
		}
	})
	return nil
}

func (m *memStore) CreateAuthCode(_ context.Context, c *keyward.AuthCode) error {
	m.locked(func() { m.auth.codes[c.Hash] = *c })
	return nil
}

func (m *memStore) UseAuthCode(_ context.Context, hash string, at keyward.Time) (*keyward.AuthCode, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.auth.codes[hash]
	if !ok {
		return nil, keyward.ErrNotFound.WithDetails("unknown authorization code")
	}
	before := c
	if c.UsedAt == nil {
		c.UsedAt = &at
		m.auth.codes[hash] = c
	}
	return &before, nil
}

func (m *memStore) CreateRefreshToken(_ context.Context, t *keyward.RefreshToken) error {
	m.locked(func() { m.auth.refreshes[t.Hash] = *t })
	return nil
}

func (m *memStore) FindRefreshToken(_ context.Context, hash string) (*keyward.RefreshToken, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.auth.refreshes[hash]
	if !ok {
		return nil, keyward.ErrNotFound.WithDetails("unknown refresh token")
	}
	return &t, nil
}

func (m *memStore) UseRefreshToken(_ context.Context, hash string, at keyward.Time) (*keyward.RefreshToken, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.auth.refreshes[hash]
	if !ok {
		return nil, keyward.ErrNotFound.WithDetails("unknown refresh token")
	}
	before := t
	if t.UsedAt == nil {
		t.UsedAt = &at
		m.auth.refreshes[hash] = t
	}
	return &before, nil
}

func (m *memStore) FindIdentityProvider(_ context.Context, ipID string) (*keyward.IdentityProvider, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.auth.idps[ipID]
	if !ok {
		return nil, keyward.ErrNotFound.WithDetails("identity provider %q does not exist", ipID)
	}
	return &p, nil
}

// updateClient changes a registered client, as the owner's CLI would.
func (m *memStore) updateClient(id string, change func(*keyward.Client)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	cp := *m.clients[id]
	change(&cp)
	m.clients[id] = &cp
}

func (m *memStore) RevokeAccessToken(_ context.Context, jti string, expiresAt keyward.Time) error {
	m.locked(func() { m.auth.revoked[jti] = expiresAt })
	return nil
}

func (m *memStore) IsAccessTokenRevoked(_ context.Context, jti string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.auth.revoked[jti]
	return ok, nil
}

func (m *memStore) PruneRevokedAccessTokens(_ context.Context, before keyward.Time) error {
	m.locked(func() {
		maps.DeleteFunc(m.auth.revoked, func(_ string, exp keyward.Time) bool { return exp.Before(before.Time) })
	})
	return nil
}

// revokedJTIs lists the jtis recorded as revoked.
func (m *memStore) revokedJTIs() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Sorted(maps.Keys(m.auth.revoked))
}

func (m *memStore) SaveConsent(_ context.Context, c *keyward.Consent) error {
	m.locked(func() {
		cp := *c
		cp.Scopes = slices.Clone(c.Scopes)
		if old, ok := m.auth.consents[[2]string{c.UserID, c.ClientID}]; ok {
			cp.CreatedAt = old.CreatedAt
		}
		m.auth.consents[[2]string{c.UserID, c.ClientID}] = cp
	})
	return nil
}

func (m *memStore) FindConsent(_ context.Context, userID, clientID string) (*keyward.Consent, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.auth.consents[[2]string{userID, clientID}]
	if !ok {
		return nil, keyward.ErrNotFound.WithDetails("no consent")
	}
	c.Scopes = slices.Clone(c.Scopes)
	return &c, nil
}

func (m *memStore) FindConsents(_ context.Context, userID string) ([]*keyward.Consent, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var list []*keyward.Consent
	for key, c := range m.auth.consents {
		if key[0] == userID {
			cp := c
			list = append(list, &cp)
		}
	}
	slices.SortFunc(list, func(a, b *keyward.Consent) int { return a.CreatedAt.Compare(b.CreatedAt.Time) })
	return list, nil
}

func (m *memStore) DeleteConsent(_ context.Context, userID, clientID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := [2]string{userID, clientID}
	if _, ok := m.auth.consents[key]; !ok {
		return keyward.ErrNotFound.WithDetails("no consent")
	}
	delete(m.auth.consents, key)
	return nil
}

func (m *memStore) RevokeTokenFamilies(_ context.Context, clientID, userID string, at keyward.Time) error {
	m.locked(func() {
		for id, f := range m.auth.families {
			if f.ClientID == clientID && f.UserID == userID && f.RevokedAt == nil {
				f.RevokedAt = &at
				m.auth.families[id] = f
			}
		}
	})
	return nil
}
