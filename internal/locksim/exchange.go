package locksim

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/keyward/keyward/internal/keyward"
)

// exchangeClientIDClaim names the token-exchange client an identity provider's JWT is for.
const exchangeClientIDClaim = "http://tapkey.net/oauth/token_exchange/client_id"

// identityProvider is the simulator playing an external identity provider: an RSA key whose
// public half it registers, and the issuer and audience of its tokens.
type identityProvider struct {
	ipID, issuer, audience string
	key                    *rsa.PrivateKey
}

// newIdentityProvider makes a provider with a fresh key and an ipId no other run has, so that
// runs against one server do not collide. Neither shows in the timeline.
func newIdentityProvider() (*identityProvider, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("locksim: identity provider key: %w", err)
	}
	suffix := make([]byte, 6)
	rand.Read(suffix) // crypto/rand.Read never returns an error
	id := "keyward-sim-" + hex.EncodeToString(suffix)
	return &identityProvider{ipID: id, issuer: "https://simulator.keyward.invalid/" + id, audience: "keyward-sim", key: key}, nil
}

// create is the provider's registration.
func (p *identityProvider) create() keyward.IdentityProviderCreate {
	der, _ := x509.MarshalPKIXPublicKey(&p.key.PublicKey) // an RSA public key always marshals
	pemText := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	return keyward.IdentityProviderCreate{IPID: p.ipID, Issuer: p.issuer, Audience: p.audience, PublicKey: pemText}
}

// subjectToken is an RS256 JWT for the user, issued for the exchange client at now.
func (p *identityProvider) subjectToken(user, clientID string, now time.Time) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: p.key}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	claims, err := json.Marshal(map[string]any{"iss": p.issuer, "aud": p.audience, "sub": user, "iat": now.Unix(),
		"exp": now.Add(time.Hour).Unix(), exchangeClientIDClaim: clientID})
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(claims)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// exchangeSource gets a phone's access tokens by token exchange.
type exchangeSource struct {
	r    *Remote
	ctx  context.Context
	user string
}

// token exchanges a fresh subject token, issued at the server's time, for an access token.
func (s *exchangeSource) token() (*oauth2.Token, time.Duration, error) {
	cfg := s.r.cfg
	jwt, err := s.r.idp.subjectToken(s.user, cfg.ExchangeClientID, cfg.Now())
	if err != nil {
		return nil, 0, err
	}
	form := url.Values{"grant_type": {keyward.GrantTokenExchange}, "client_id": {cfg.ExchangeClientID}, "provider": {s.r.idp.ipID},
		"subject_token": {jwt}, "subject_token_type": {"jwt"}, "scope": {strings.Join(PhoneScopes, " ")}}
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, cfg.BaseURL+"/connect/token", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("locksim: token exchange for %s: %w", s.user, err)
	}
	defer res.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("locksim: token exchange for %s: status %d %s %s", s.user, res.StatusCode, body.Error, body.Description)
	}
	return &oauth2.Token{AccessToken: body.AccessToken, TokenType: "Bearer"}, time.Duration(body.ExpiresIn) * time.Second, nil
}

// clockSource caches an access token until it expires by the server's clock, which need not be
// the machine's: oauth2's own cache reads time.Now, so a server running in 2027 would see expired
// tokens that oauth2 still holds for valid.
type clockSource struct {
	mu    sync.Mutex
	now   func() time.Time
	fetch func() (*oauth2.Token, time.Duration, error) // a new token and its lifetime
	tok   *oauth2.Token
	until time.Time
}

// Token is the cached token, or a new one a minute before the cached one expires.
func (s *clockSource) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok != nil && s.now().Before(s.until) {
		return s.tok, nil
	}
	tok, life, err := s.fetch()
	if err != nil {
		return nil, err
	}
	plain := *tok
	plain.Expiry = time.Time{} // expiry is this cache's business, by the server's clock
	s.tok, s.until = &plain, s.now().Add(life-time.Minute)
	return s.tok, nil
}

// tokenClient is an HTTP client that sends the tokens fetch gets, renewed by the server's clock.
func (cfg RemoteConfig) tokenClient(fetch func() (*oauth2.Token, time.Duration, error)) *http.Client {
	src := &clockSource{now: cfg.Now, fetch: fetch}
	return &http.Client{Transport: &oauth2.Transport{Source: src, Base: cfg.HTTPClient.Transport}}
}
