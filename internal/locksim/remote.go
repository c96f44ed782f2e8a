package locksim

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/keyward/keyward/internal/client"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
)

// ManagementScopes are the scopes the simulator's management client needs: it registers an
// identity provider, binds locks, creates contacts and grants, and reads logs.
var ManagementScopes = []string{keyward.ScopeWriteOwnerAccounts, keyward.ScopeWriteCoreEntities, keyward.ScopeWriteGrants, keyward.ScopeReadLogs}

// PhoneScopes are the scopes of a phone's token, which the exchange client must allow.
var PhoneScopes = []string{"register:mobiles", "read:user", "handle:keys"}

// LockTypeID is the lock type simulated locks register as.
const LockTypeID = "KW.Sim1"

// Registry is what only an operator can do for the simulator, as no API offers it: register a
// physical lock, with its device public key, and a physical card in the device registry.
type Registry interface {
	RegisterLock(ctx context.Context, spec keyward.PhysicalLockCreate) (physicalLockID, bindingCode string, err error)
	RegisterCard(ctx context.Context, capacity int) (*keyward.PhysicalCard, error)
}

// RemoteConfig is how the simulator reaches a running server.
type RemoteConfig struct {
	BaseURL string // the server's address, without /api/v1
	OwnerID string // the owner account the fleet is set up in
	// ClientID and ClientSecret are a client-credentials client that is Owner of OwnerID with
	// ManagementScopes.
	ClientID, ClientSecret string
	// ExchangeClientID is a public client registered for token exchange with PhoneScopes.
	ExchangeClientID string
	Registry         Registry
	HTTPClient       *http.Client // sends every request; nil is http.DefaultClient
	// Now is the server's clock (nil is time.Now): the identity provider's tokens are issued by
	// it, and the simulator renews access tokens when they expire by it.
	Now func() time.Time
}

// Remote is a running Keyward server as the simulator's backend. It sets the fleet up through
// the Management API, gives phones tokens by token exchange with an identity provider it
// registers and plays itself, and relays syncs to the device API.
type Remote struct {
	cfg      RemoteConfig
	mgmt     *client.Account
	device   *client.Client
	idp      *identityProvider
	bound    map[*Lock]string  // bound lock ids
	contacts map[string]string // user → contact id
}

// NewRemote connects to the server and registers the simulator's identity provider in the
// owner account.
func NewRemote(ctx context.Context, cfg RemoteConfig) (*Remote, error) {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cc := clientcredentials.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, TokenURL: cfg.BaseURL + "/connect/token",
		Scopes: ManagementScopes}
	hctx := context.WithValue(ctx, oauth2.HTTPClient, cfg.HTTPClient)
	mgmt := client.New(cfg.BaseURL, cfg.tokenClient(func() (*oauth2.Token, time.Duration, error) {
		tok, err := cc.Token(hctx)
		if err != nil {
			return nil, 0, err
		}
		return tok, time.Until(tok.Expiry), nil
	})).Account(cfg.OwnerID)
	r := &Remote{cfg: cfg, mgmt: mgmt, device: client.New(cfg.BaseURL, cfg.HTTPClient), bound: map[*Lock]string{}, contacts: map[string]string{}}
	var err error
	if r.idp, err = newIdentityProvider(); err != nil {
		return nil, err
	}
	if _, err := mgmt.CreateIdentityProvider(ctx, r.idp.create()); err != nil {
		return nil, fmt.Errorf("locksim: register the simulator's identity provider: %w", err)
	}
	return r, nil
}

// Account is the owner account through the management client, for reading what the fleet did.
func (r *Remote) Account() *client.Account { return r.mgmt }

// AddLock registers the lock through the Registry and binds it with its binding code; its first
// key set comes with its first sync, anchored by the binding code.
func (r *Remote) AddLock(ctx context.Context, l *Lock) error {
	spec := l.Spec()
	id, code, err := r.cfg.Registry.RegisterLock(ctx, keyward.PhysicalLockCreate{LockTypeID: LockTypeID, ProtocolVersion: spec.Protocol,
		TimeZone: spec.Zone.String(), TimeRestrictionSupport: spec.Protocol >= lockproto.ProtocolTimeRestrictions,
		DevicePublicKey: []byte(l.DevicePublicKey())})
	if err != nil {
		return err
	}
	bl, err := r.mgmt.BindLock(ctx, keyward.BindLockRequest{PhysicalLockID: id, BindingCode: code, Title: &l.Name})
	if err != nil {
		return err
	}
	r.bound[l] = bl.ID
	l.Bind(id, code, lockproto.KeySet{})
	return nil
}

// BoundLockID is the bound lock's id of a simulated lock.
func (r *Remote) BoundLockID(l *Lock) string { return r.bound[l] }

// AddPhone gives the phone a mobile API client whose token comes from token exchange for its
// user, and registers it.
func (r *Remote) AddPhone(ctx context.Context, p *Phone) error {
	ex := &exchangeSource{r: r, ctx: ctx, user: p.User}
	return p.Register(ctx, client.New(r.cfg.BaseURL, r.cfg.tokenClient(ex.token)))
}

// AddCard registers the physical card through the Registry and binds it with its physical card
// id, which gives the card its uid.
func (r *Remote) AddCard(ctx context.Context, c *Card) error {
	pc, err := r.cfg.Registry.RegisterCard(ctx, c.Capacity)
	if err != nil {
		return err
	}
	bc, err := r.mgmt.BindCard(ctx, keyward.BindCardRequest{PhysicalCardID: &pc.ID, Title: &c.Name})
	if err != nil {
		return err
	}
	c.UID, c.BoundCardID = bc.UID, bc.ID
	return nil
}

// AddGrant creates the grant: for the grant's card, or for the contact of its user, made on
// first use.
func (r *Remote) AddGrant(ctx context.Context, g *Grant) error {
	create := keyward.GrantCreate{BoundLockID: r.bound[g.Lock], ValidFrom: timePtr(g.ValidFrom), ValidBefore: timePtr(g.ValidBefore),
		TimeRestrictionIcal: g.ICal}
	if g.Card != nil {
		create.BoundCardID = &g.Card.BoundCardID
	} else {
		contactID, err := r.contact(ctx, g.User)
		if err != nil {
			return err
		}
		create.ContactID = &contactID
	}
	created, err := r.mgmt.CreateGrant(ctx, create)
	if err != nil {
		return err
	}
	g.ID = created.ID
	return nil
}

// ContactID is the contact id of a scenario's user, "" before a grant made it.
func (r *Remote) ContactID(user string) string { return r.contacts[user] }

// contact is the contact of the identity provider's user, created on first use.
func (r *Remote) contact(ctx context.Context, user string) (string, error) {
	if id, ok := r.contacts[user]; ok {
		return id, nil
	}
	c, err := r.mgmt.CreateContact(ctx, keyward.ContactCreate{IPID: &r.idp.ipID, IPUserID: &user, Title: &user})
	if err != nil {
		return "", fmt.Errorf("locksim: contact of user %s: %w", user, err)
	}
	r.contacts[user] = c.ID
	return c.ID, nil
}

// Revoke revokes the grant.
func (r *Remote) Revoke(ctx context.Context, g *Grant) error {
	_, err := r.mgmt.RevokeGrant(ctx, g.ID, false)
	return err
}

// Grant reads the grant as the server reports it.
func (r *Remote) Grant(ctx context.Context, g *Grant) (*keyward.Grant, error) {
	return r.mgmt.Grant(ctx, g.ID)
}

// SyncLock relays the request to the device API, which needs no token.
func (r *Remote) SyncLock(ctx context.Context, req *lockproto.Envelope) (*lockproto.Envelope, error) {
	return r.device.SyncLock(ctx, req)
}

// timePtr is the wire time of an optional instant.
func timePtr(t *time.Time) *keyward.Time {
	if t == nil {
		return nil
	}
	return keyward.TimePtr(*t)
}
