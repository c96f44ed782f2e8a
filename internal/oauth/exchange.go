package oauth

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/token"
)

const (
	// ExchangeClientIDClaim is the claim of an exchange JWT that names the token-exchange client
	// the identity provider issued it for (reference §2.5).
	ExchangeClientIDClaim = "http://tapkey.net/oauth/token_exchange/client_id"
	// MaxExchangeTokenLifetime is the longest validity (exp − iat) of an exchange JWT that is
	// accepted. Tapkey enforces a maximum it does not publish; the clients seen issue tokens for
	// an hour, and a day leaves room for odd clocks (the Java sample's Calendar.roll) while a
	// leaked token still expires soon.
	MaxExchangeTokenLifetime = 24 * time.Hour
	// exchangeClockSkew tolerates the identity provider's clock running ahead of or behind ours.
	exchangeClockSkew = 60 * time.Second
	// RSA key sizes accepted for identity providers (reference §2.5).
	minIdPKeyBits, maxIdPKeyBits = 2048, 4096
)

// tokenExchangeGrant serves Tapkey's token exchange (reference §2.3, §2.5): a client registered
// for the grant presents a JWT that an identity provider registered with Keyward signed for one
// of its users, and gets an access token acting for that user, who is created on first use.
// The parameters audience and requested_token_type that mobile clients send are ignored.
func (s *Server) tokenExchangeGrant(ctx context.Context, req *tokenRequest) (*issuedToken, error) {
	client, err := s.authenticateAnyClient(ctx, req.creds)
	if err != nil {
		return nil, err
	}
	if !client.AllowsGrant(keyward.GrantTokenExchange) {
		return nil, unauthorizedClient("the client '%s' is not registered for the %s grant", client.ID, keyward.GrantTokenExchange)
	}
	f := req.form
	switch {
	case f.Get("provider") == "":
		return nil, invalidRequest("provider is missing: send the ipId of the identity provider")
	case f.Get("subject_token") == "":
		return nil, invalidRequest("subject_token is missing")
	case f.Get("subject_token_type") == "":
		return nil, invalidRequest("subject_token_type is missing; it must be jwt")
	case f.Get("subject_token_type") != "jwt":
		return nil, invalidRequest("the subject_token_type '%s' is not supported; it must be jwt", f.Get("subject_token_type"))
	}
	scopes, err := grantScopes(client, f.Get("scope"), keyward.GrantTokenExchange)
	if err != nil {
		return nil, err
	}
	idp, key, err := s.identityProvider(ctx, f.Get("provider"))
	if err != nil {
		return nil, err
	}
	subject, err := s.verifyExchangeJWT(f.Get("subject_token"), idp, key, client.ID)
	if err != nil {
		return nil, err
	}
	return s.exchange(ctx, client, idp, subject, scopes)
}

// identityProvider loads a provider and its public key. A stored key that cannot be used is the
// operator's problem, not the client's: it is logged and answered as a server error.
func (s *Server) identityProvider(ctx context.Context, ipID string) (*keyward.IdentityProvider, *rsa.PublicKey, error) {
	idp, err := s.store.FindIdentityProvider(ctx, ipID)
	if errors.Is(err, keyward.ErrNotFound) {
		return nil, nil, invalidGrant("the identity provider '%s' is not registered", ipID)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("oauth: find identity provider %s: %w", ipID, err)
	}
	key, err := ParseRSAPublicKeyPEM(idp.PublicKeyPEM)
	if err != nil {
		return nil, nil, fmt.Errorf("oauth: the stored public key of identity provider %s is unusable: %w", ipID, err)
	}
	return idp, key, nil
}

// exchange provisions the provider's user and issues its tokens in a new family, so that
// revoking one exchange does not touch the user's other sessions.
func (s *Server) exchange(ctx context.Context, client *keyward.Client, idp *keyward.IdentityProvider, subject string, scopes []string) (*issuedToken, error) {
	user, err := s.cfg.Accounts.ProvisionIPUser(ctx, idp.ID, subject)
	if e := keyward.ErrorOf(err); e != nil && e.Kind != keyward.KindInternal {
		return nil, invalidGrant("the user '%s' of the identity provider '%s' cannot sign in: %s", subject, idp.ID, e.Error())
	}
	if err != nil {
		return nil, fmt.Errorf("oauth: provision user %q of identity provider %s: %w", subject, idp.ID, err)
	}
	now := s.cfg.Now()
	family := &keyward.TokenFamily{ID: keyward.NewID(now), ClientID: client.ID, UserID: user.ID, CreatedAt: keyward.NewTime(now)}
	var stored *storedTokens
	err = s.store.InTx(ctx, func(tx keyward.Tx) error {
		if err := tx.CreateTokenFamily(ctx, family); err != nil {
			return fmt.Errorf("oauth: create token family: %w", err)
		}
		stored, err = s.storeTokens(ctx, tx, tokenGrant{clientID: client.ID, userID: user.ID, family: family.ID, scopes: scopes, refreshScopes: scopes})
		return err
	})
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "oauth: token exchanged", "client_id", client.ID, "ip_id", idp.ID, "user_id", user.ID)
	return s.signTokens(ctx, stored)
}

// exchangeClaims are the claims of an exchange JWT that are checked. Times are JSON numbers,
// which RFC 7519 allows to have fractions.
type exchangeClaims struct {
	Issuer    string         `json:"iss"`
	Subject   string         `json:"sub"`
	Audience  token.Audience `json:"aud"`
	IssuedAt  *float64       `json:"iat"`
	Expiry    *float64       `json:"exp"`
	NotBefore *float64       `json:"nbf"`
	ClientID  *string        `json:"http://tapkey.net/oauth/token_exchange/client_id"`
}

// verifyExchangeJWT checks the subject token: RS256 signature by the provider's key, then iss,
// aud, sub, the validity window and the client it was issued for. It returns the subject.
func (s *Server) verifyExchangeJWT(subjectToken string, idp *keyward.IdentityProvider, key *rsa.PublicKey, clientID string) (string, error) {
	if len(subjectToken) > token.MaxLength {
		return "", invalidGrant("the subject_token is longer than %d bytes", token.MaxLength)
	}
	if err := checkExchangeHeader(subjectToken); err != nil {
		return "", err
	}
	jws, err := jose.ParseSignedCompact(subjectToken, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return "", invalidGrant("the subject_token is malformed: it is not a compact JWS with base64url parts")
	}
	payload, err := jws.Verify(key)
	if err != nil {
		return "", invalidGrant("the subject_token signature does not verify with the public key of the identity provider '%s'", idp.ID)
	}
	var c exchangeClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		return "", invalidGrant("the subject_token claims are malformed: they are not a JSON object with the claim types of RFC 7519")
	}
	if err := s.checkExchangeClaims(&c, idp, clientID); err != nil {
		return "", err
	}
	return c.Subject, nil
}

// checkExchangeHeader refuses, with the reason, anything but a three-part RS256 JWS.
func checkExchangeHeader(subjectToken string) error {
	parts := strings.Split(subjectToken, ".")
	if len(parts) != 3 {
		return invalidGrant("the subject_token is not a signed JWT: it has %d dot-separated parts instead of 3", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[0])
	var h struct{ Alg string }
	if err != nil || json.Unmarshal(raw, &h) != nil {
		return invalidGrant("the subject_token header is malformed: it is not a base64url JSON object")
	}
	switch {
	case strings.EqualFold(h.Alg, "none"):
		return invalidGrant("the subject_token is unsigned (alg none)")
	case h.Alg != token.Algorithm:
		return invalidGrant("the subject_token is signed with algorithm '%s'; only RS256 is accepted", h.Alg)
	}
	return nil
}

// checkExchangeClaims checks the claims of a verified exchange JWT.
func (s *Server) checkExchangeClaims(c *exchangeClaims, idp *keyward.IdentityProvider, clientID string) error {
	switch {
	case c.Issuer != idp.Issuer:
		return invalidGrant("the subject_token was issued by '%s'; the identity provider '%s' has the issuer '%s'", c.Issuer, idp.ID, idp.Issuer)
	case !slices.Contains(c.Audience, idp.Audience):
		return invalidGrant("the subject_token's audience %q does not include '%s'", []string(c.Audience), idp.Audience)
	case c.Subject == "":
		return invalidGrant("the subject_token has no sub claim")
	case c.Expiry == nil:
		return invalidGrant("the subject_token has no exp claim")
	case c.IssuedAt == nil:
		return invalidGrant("the subject_token has no iat claim")
	case c.ClientID == nil:
		return invalidGrant("the subject_token has no %s claim", ExchangeClientIDClaim)
	case *c.ClientID != clientID:
		return invalidGrant("the subject_token was issued for the client '%s', not for '%s'", *c.ClientID, clientID)
	}
	now := s.cfg.Now()
	exp, iat := numericDate(*c.Expiry), numericDate(*c.IssuedAt)
	switch {
	case now.After(exp.Add(exchangeClockSkew)):
		return invalidGrant("the subject_token expired at %s", wireTime(exp))
	case iat.After(now.Add(exchangeClockSkew)):
		return invalidGrant("the subject_token was issued in the future, at %s", wireTime(iat))
	case c.NotBefore != nil && numericDate(*c.NotBefore).After(now.Add(exchangeClockSkew)):
		return invalidGrant("the subject_token is not valid before %s", wireTime(numericDate(*c.NotBefore)))
	case !exp.After(iat):
		return invalidGrant("the subject_token expires (%s) before it was issued (%s)", wireTime(exp), wireTime(iat))
	case exp.Sub(iat) > MaxExchangeTokenLifetime:
		return invalidGrant("the subject_token is valid for %s (exp - iat); at most %s is accepted", exp.Sub(iat), MaxExchangeTokenLifetime)
	}
	return nil
}

// numericDate converts an RFC 7519 NumericDate, clamping absurd values instead of overflowing.
func numericDate(v float64) time.Time {
	v = math.Max(math.Min(v, 1<<40), -(1 << 40))
	sec, frac := math.Modf(v)
	return time.Unix(int64(sec), int64(frac*1e9))
}

// ParseRSAPublicKeyPEM parses an identity provider's public key: one PEM block, "PUBLIC KEY"
// (X.509 SubjectPublicKeyInfo, what Tapkey asks for) or "RSA PUBLIC KEY" (PKCS #1), holding an
// RSA key of 2048 to 4096 bits (reference §2.5). Registration calls it, so that a provider can
// never be stored with a key token exchange would refuse. Its errors are ErrInvalid
// *keyward.Error values naming the publicKey field.
func ParseRSAPublicKeyPEM(text string) (*rsa.PublicKey, error) {
	block, rest := pem.Decode([]byte(strings.TrimSpace(text)))
	if block == nil {
		return nil, keyward.Invalidf("publicKey is not PEM: it must be the text from -----BEGIN PUBLIC KEY----- to -----END PUBLIC KEY-----")
	}
	if len(strings.TrimSpace(string(rest))) > 0 {
		return nil, keyward.Invalidf("publicKey must be one PEM block; there is more text after -----END %s-----", block.Type)
	}
	var key any
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		if key, err = x509.ParsePKIXPublicKey(block.Bytes); err != nil {
			return nil, keyward.Invalidf("publicKey cannot be parsed: its content is not an X.509 SubjectPublicKeyInfo")
		}
	case "RSA PUBLIC KEY":
		if key, err = x509.ParsePKCS1PublicKey(block.Bytes); err != nil {
			return nil, keyward.Invalidf("publicKey cannot be parsed: its content is not a PKCS #1 RSA public key")
		}
	default:
		return nil, keyward.Invalidf("publicKey is a PEM %q block; it must be a \"PUBLIC KEY\"", block.Type)
	}
	rsaKey, ok := key.(*rsa.PublicKey)
	if !ok {
		return nil, keyward.Invalidf("publicKey is not an RSA key; exchange tokens are signed with RS256")
	}
	if bits := rsaKey.N.BitLen(); bits < minIdPKeyBits || bits > maxIdPKeyBits {
		return nil, keyward.Invalidf("publicKey is an RSA key of %d bits; 2048 to 4096 bits are accepted", bits)
	}
	return rsaKey, nil
}
