package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/locksim"
	"github.com/keyward/keyward/internal/oauth"
	"github.com/keyward/keyward/internal/service"
)

// SimConfig is where the simulator's fleet lives: the server's address, the owner account ("" for
// a new one with a new owner user) and the server's clock (nil for the real one).
type SimConfig struct {
	BaseURL, OwnerID string
	Now              func() time.Time
}

// NewSimRemote prepares, as the operator (octx carries the operator principal), what the wire
// cannot do for the simulator: the owner account when none is given and the simulator's two
// clients, a client-credentials client that is Owner of the account and a public token-exchange
// client for its phones. Then it connects the simulator to the server with them, registering
// locks and cards through the operator's services. The CLI's sim and demo and the tests share it.
func NewSimRemote(ctx, octx context.Context, s keyward.Services, cfg SimConfig) (*locksim.Remote, error) {
	owner, err := simOwner(octx, s, cfg.OwnerID)
	if err != nil {
		return nil, err
	}
	secret, hash := oauth.NewClientSecret()
	mgmt, _, err := s.Clients.CreateClient(octx, keyward.ClientCreate{Name: "Keyward simulator", SecretHash: hash,
		GrantTypes: []string{keyward.GrantClientCredentials}, Scopes: locksim.ManagementScopes, AdminOf: owner, Role: keyward.RoleOwner})
	if err != nil {
		return nil, err
	}
	phones, _, err := s.Clients.CreateClient(octx, keyward.ClientCreate{Name: "Keyward simulator phones", Public: true,
		GrantTypes: []string{keyward.GrantTokenExchange}, Scopes: locksim.PhoneScopes})
	if err != nil {
		return nil, err
	}
	return locksim.NewRemote(ctx, locksim.RemoteConfig{BaseURL: cfg.BaseURL, OwnerID: owner, ClientID: mgmt.ID, ClientSecret: secret,
		ExchangeClientID: phones.ID, Registry: simRegistry{ctx: octx, s: s}, Now: cfg.Now})
}

// simOwner is the given owner account, or a new one with a new owner user.
func simOwner(octx context.Context, s keyward.Services, owner string) (string, error) {
	if owner != "" {
		return owner, nil
	}
	b := make([]byte, 6)
	rand.Read(b) // crypto/rand.Read never returns an error
	hash, err := service.HashPassword(hex.EncodeToString(b) + "-unused")
	if err != nil {
		return "", err
	}
	u, err := s.Users.CreateUser(octx, keyward.UserCreate{Email: "sim-" + hex.EncodeToString(b) + "@sim.keyward.invalid", PasswordHash: hash, Verified: true})
	if err != nil {
		return "", err
	}
	o, err := s.Owners.RegisterOwner(octx, keyward.OwnerRegistration{Name: "Simulated fleet", OwnerEmail: u.Email})
	if err != nil {
		return "", err
	}
	return o.ID, nil
}

// simRegistry registers the simulator's locks and cards in the device registry as the operator.
type simRegistry struct {
	ctx context.Context // carries the operator principal
	s   keyward.Services
}

func (r simRegistry) RegisterLock(_ context.Context, spec keyward.PhysicalLockCreate) (string, string, error) {
	l, code, err := r.s.Locks.RegisterLock(r.ctx, spec)
	if err != nil {
		return "", "", err
	}
	return l.ID, code, nil
}

func (r simRegistry) RegisterCard(_ context.Context, capacity int) (*keyward.PhysicalCard, error) {
	return r.s.Cards.RegisterCard(r.ctx, capacity)
}
