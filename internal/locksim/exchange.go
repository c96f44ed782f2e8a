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

// exchangeSource gets a phone's access token by token exchange, again whenever it expired.
type exchangeSource struct {
	r    *Remote
	ctx  context.Context
	user string
}

// Token exchanges a fresh subject token for an access token.
func (s *exchangeSource) Token() (*oauth2.Token, error) {
	cfg := s.r.cfg
	jwt, err := s.r.idp.subjectToken(s.user, cfg.ExchangeClientID, cfg.Now())
	if err != nil {
		return nil, err
	}
	form := url.Values{"grant_type": {keyward.GrantTokenExchange}, "client_id": {cfg.ExchangeClientID}, "provider": {s.r.idp.ipID},
		"subject_token": {jwt}, "subject_token_type": {"jwt"}, "scope": {strings.Join(PhoneScopes, " ")}}
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, cfg.BaseURL+"/connect/token", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("locksim: token exchange for %s: %w", s.user, err)
	}
	defer res.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("locksim: token exchange for %s: status %d %s %s", s.user, res.StatusCode, body.Error, body.Description)
	}
	return &oauth2.Token{AccessToken: body.AccessToken, TokenType: "Bearer", Expiry: time.Now().Add(time.Duration(body.ExpiresIn) * time.Second)}, nil
}
