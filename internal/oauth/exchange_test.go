package oauth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"math/big"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/oauth"
	"github.com/keyward/keyward/internal/sqlstore"
)

// exchangeClaims are the claims of a good exchange JWT for the mobile client at t0.
func exchangeClaims() map[string]any {
	return map[string]any{
		"iss": idpIssuer, "aud": "tapkey_api", "sub": "user-42", "iat": t0.Unix(), "exp": t0.Add(time.Hour).Unix(),
		oauth.ExchangeClientIDClaim: "mobile",
	}
}

// ipUser returns the Keyward user id of the identity provider's user ipUserID, whom a token
// exchange provisioned.
func (f *fixture) ipUser(t *testing.T, ipUserID string) string {
	t.Helper()
	users, err := f.store.FindIPUsers(context.Background(), keyward.IPUserFilter{IPID: idpID, IPUserID: &ipUserID})
	if err != nil || len(users) != 1 {
		t.Fatalf("identity provider users %v: %v", users, err)
	}
	return users[0].ID
}

// exchangeForm is the token request Tapkey's mobile SDK sends.
func exchangeForm(token string, kv ...string) url.Values {
	v := url.Values{"grant_type": {keyward.GrantTokenExchange}, "client_id": {"mobile"}, "provider": {idpID},
		"subject_token": {token}, "subject_token_type": {"jwt"}, "scope": {"register:mobiles read:user handle:keys"},
		"audience": {"tapkey_api"}, "requested_token_type": {"access_token"}}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == "" {
			v.Del(kv[i])
			continue
		}
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func TestTokenExchange(t *testing.T) {
	f := newFixture(t)
	good := forge(t, "RS256", "idp-key", "JWT", idpKey(), exchangeClaims())
	tr := f.mustTokens(t, "", exchangeForm(good))
	if tr.Scope != "register:mobiles read:user handle:keys" || tr.TokenType != "Bearer" || tr.ExpiresIn != 3600 || tr.RefreshToken != "" {
		t.Errorf("response %+v", tr)
	}
	p, err := f.srv.VerifyAccessToken(context.Background(), tr.AccessToken, "")
	if err != nil {
		t.Fatal(err)
	}
	want := &keyward.Principal{UserID: f.ipUser(t, "user-42"), Kind: keyward.PrincipalToken, UserKind: keyward.UserExternal, ClientID: "mobile", Scopes: []string{"register:mobiles", "read:user", "handle:keys"}}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("principal (-want +got):\n%s", diff)
	}
	t.Run("SameUserSecondTime", func(t *testing.T) {
		again := f.mustTokens(t, "", exchangeForm(good))
		if sub := claimsOf(t, again.AccessToken)["sub"]; sub != p.UserID {
			t.Errorf("sub %v", sub)
		}
	})
	t.Run("OfflineAccessGivesRefreshToken", func(t *testing.T) {
		tr := f.mustTokens(t, "", exchangeForm(good, "scope", "handle:keys offline_access"))
		if tr.RefreshToken == "" {
			t.Fatal("no refresh token")
		}
		f.mustTokens(t, "", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tr.RefreshToken}, "client_id": {"mobile"}})
	})
	t.Run("NoScopeMeansAllOfTheClient", func(t *testing.T) {
		tr := f.mustTokens(t, "", exchangeForm(good, "scope", ""))
		if tr.Scope != "register:mobiles read:user handle:keys offline_access" {
			t.Errorf("scope %q", tr.Scope)
		}
	})
}

func TestTokenExchangeErrors(t *testing.T) {
	f := newFixture(t)
	key := idpKey()
	foreign, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	c := exchangeClaims()
	jwt := func(claims map[string]any) string { return forge(t, "RS256", "", "JWT", key, claims) }
	good := jwt(c)
	at := func(d time.Duration) string { return t0.Add(d).Format(keyward.WireTimeLayout) }
	tests := []struct {
		name       string
		form       url.Values
		wantStatus int
		wantBody   string
	}{
		{"AlgNone", exchangeForm(forge(t, "none", "", "JWT", nil, c)), 400, oauthErr("invalid_grant", "the subject_token is unsigned (alg none)")},
		{"HS256WithThePublicKey", exchangeForm(forge(t, "HS256", "", "JWT", []byte(publicPEMString(&key.PublicKey)), c)), 400,
			oauthErr("invalid_grant", "the subject_token is signed with algorithm 'HS256'; only RS256 is accepted")},
		{"ForeignKey", exchangeForm(forge(t, "RS256", "", "JWT", foreign, c)), 400,
			oauthErr("invalid_grant", "the subject_token signature does not verify with the public key of the identity provider 'idp.example'")},
		{"OurOwnSigningKey", exchangeForm(forge(t, "RS256", "kid-1", "JWT", parsePrivateKey(t, testKeyPEM()), c)), 400,
			oauthErr("invalid_grant", "the subject_token signature does not verify with the public key of the identity provider 'idp.example'")},
		{"NotAJWT", exchangeForm("opaque"), 400, oauthErr("invalid_grant", "the subject_token is not a signed JWT: it has 1 dot-separated parts instead of 3")},
		{"Tampered", exchangeForm(strings.Split(good, ".")[0] + "." + strings.Split(jwt(with(c, "sub", "admin")), ".")[1] + "." + strings.Split(good, ".")[2]), 400,
			oauthErr("invalid_grant", "the subject_token signature does not verify with the public key of the identity provider 'idp.example'")},
		{"WrongIssuer", exchangeForm(jwt(with(c, "iss", "https://evil.example"))), 400,
			oauthErr("invalid_grant", "the subject_token was issued by 'https://evil.example'; the identity provider 'idp.example' has the issuer 'https://idp.example'")},
		{"WrongAudience", exchangeForm(jwt(with(c, "aud", []string{"other", "api"}))), 400,
			oauthErr("invalid_grant", `the subject_token's audience ['other' 'api'] does not include 'tapkey_api'`)},
		{"NoSub", exchangeForm(jwt(with(c, "sub", nil))), 400, oauthErr("invalid_grant", "the subject_token has no sub claim")},
		{"NoExp", exchangeForm(jwt(with(c, "exp", nil))), 400, oauthErr("invalid_grant", "the subject_token has no exp claim")},
		{"NoIat", exchangeForm(jwt(with(c, "iat", nil))), 400, oauthErr("invalid_grant", "the subject_token has no iat claim")},
		{"Expired", exchangeForm(jwt(with(c, "iat", t0.Add(-2*time.Hour).Unix(), "exp", t0.Add(-61*time.Second).Unix()))), 400,
			oauthErr("invalid_grant", "the subject_token expired at "+at(-61*time.Second))},
		{"IssuedInTheFuture", exchangeForm(jwt(with(c, "iat", t0.Add(61*time.Second).Unix()))), 400,
			oauthErr("invalid_grant", "the subject_token was issued in the future, at "+at(61*time.Second))},
		{"NotYetValid", exchangeForm(jwt(with(c, "nbf", t0.Add(2*time.Minute).Unix()))), 400,
			oauthErr("invalid_grant", "the subject_token is not valid before "+at(2*time.Minute))},
		{"TooLong", exchangeForm(jwt(with(c, "exp", t0.Add(24*time.Hour+time.Second).Unix()))), 400,
			oauthErr("invalid_grant", "the subject_token is valid for 24h0m1s (exp - iat); at most 24h0m0s is accepted")},
		{"ExpBeforeIat", exchangeForm(jwt(with(c, "exp", t0.Add(30*time.Second).Unix(), "iat", t0.Add(40*time.Second).Unix()))), 400,
			oauthErr("invalid_grant", "the subject_token expires ("+at(30*time.Second)+") before it was issued ("+at(40*time.Second)+")")},
		{"NoClientIDClaim", exchangeForm(jwt(with(c, oauth.ExchangeClientIDClaim, nil))), 400,
			oauthErr("invalid_grant", "the subject_token has no http://tapkey.net/oauth/token_exchange/client_id claim")},
		{"OtherClientIDClaim", exchangeForm(jwt(with(c, oauth.ExchangeClientIDClaim, "other-app"))), 400,
			oauthErr("invalid_grant", "the subject_token was issued for the client 'other-app', not for 'mobile'")},
		{"UnknownProvider", exchangeForm(good, "provider", "com.google"), 400, oauthErr("invalid_grant", "the identity provider 'com.google' is not registered")},
		{"MissingProvider", exchangeForm(good, "provider", ""), 400, oauthErr("invalid_request", "provider is missing: send the ipId of the identity provider")},
		{"MissingSubjectToken", exchangeForm("", "subject_token", ""), 400, oauthErr("invalid_request", "subject_token is missing")},
		{"MissingType", exchangeForm(good, "subject_token_type", ""), 400, oauthErr("invalid_request", "subject_token_type is missing; it must be jwt")},
		{"URNType", exchangeForm(good, "subject_token_type", "urn:ietf:params:oauth:token-type:jwt"), 400,
			oauthErr("invalid_request", "the subject_token_type 'urn:ietf:params:oauth:token-type:jwt' is not supported; it must be jwt")},
		{"ScopeNotAllowed", exchangeForm(good, "scope", "handle:keys write:grants"), 400, oauthErr("invalid_scope", "the client 'mobile' is not allowed the scope 'write:grants'")},
		{"ClientWithoutGrant", exchangeForm(good, "client_id", "spa"), 400, oauthErr("unauthorized_client", "the client 'spa' is not registered for the http://tapkey.net/oauth/token_exchange grant")},
		{"UnknownClient", exchangeForm(good, "client_id", "ghost"), 401, oauthErr("invalid_client", "client authentication failed: unknown client_id or wrong client_secret")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := f.postForm(t, "/connect/token", "", tt.form)
			if status != tt.wantStatus || body != tt.wantBody {
				t.Errorf("got %d %s\nwant %d %s", status, body, tt.wantStatus, tt.wantBody)
			}
		})
	}
	t.Run("InsideTheSkew", func(t *testing.T) {
		f.mustTokens(t, "", exchangeForm(jwt(with(c, "iat", t0.Add(59*time.Second).Unix(), "exp", t0.Add(-59*time.Second+time.Hour).Unix()))))
		f.mustTokens(t, "", exchangeForm(jwt(with(c, "iat", t0.Add(-2*time.Hour).Unix(), "exp", t0.Add(-59*time.Second).Unix()))))
		f.mustTokens(t, "", exchangeForm(jwt(with(c, "exp", t0.Add(24*time.Hour).Unix(), "aud", []string{"x", "tapkey_api"}))))
	})
}

func TestTokenExchangeWithoutAccounts(t *testing.T) {
	store := openStore(t, sqlstore.SQLite)
	addKey(store, "kid-1", testKeyPEM(), t0.Add(-time.Hour))
	srv, err := oauth.New(context.Background(), oauth.Config{Issuer: "http://keyward.test", Logger: discardLogger()}, store)
	if err != nil {
		t.Fatal(err)
	}
	status, body := serve(t, srv, "POST", "/connect/token", exchangeForm("x"))
	if want := oauthErr("unsupported_grant_type", "the grant type 'http://tapkey.net/oauth/token_exchange' is not supported"); status != 400 || body != want {
		t.Errorf("got %d %s, want 400 %s", status, body, want)
	}
}

func TestParseRSAPublicKeyPEM(t *testing.T) {
	pkix := func(pub any) string {
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	// The check reads only the modulus size, so a made-up 4097-bit modulus stands for a key
	// too large to generate quickly.
	huge := &rsa.PublicKey{N: new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), 4096), big.NewInt(1)), E: 65537}
	good := &idpKey().PublicKey
	tests := []struct {
		name, pem, wantDetails string
	}{
		{"Small", pkix(&small.PublicKey), "publicKey is an RSA key of 1024 bits; 2048 to 4096 bits are accepted"},
		{"Huge", pkix(huge), "publicKey is an RSA key of 4097 bits; 2048 to 4096 bits are accepted"},
		{"NotPEM", "MIIBIjANBgkqhkiG9w0BAQEFAAOC", "publicKey is not PEM: it must be the text from -----BEGIN PUBLIC KEY----- to -----END PUBLIC KEY-----"},
		{"PrivateKey", testKeyPEM(), `publicKey is a PEM "PRIVATE KEY" block; it must be a "PUBLIC KEY"`},
		{"TwoBlocks", pkix(good) + pkix(good), "publicKey must be one PEM block; there is more text after -----END PUBLIC KEY-----"},
		{"Garbage", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "publicKey cannot be parsed: its content is not an X.509 SubjectPublicKeyInfo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := oauth.ParseRSAPublicKeyPEM(tt.pem)
			if !errors.Is(err, keyward.ErrInvalid) || keyward.ErrorOf(err).Details != tt.wantDetails {
				t.Errorf("got %v\nwant ErrInvalid with %q", err, tt.wantDetails)
			}
		})
	}
	for name, pemText := range map[string]string{"PKIX2048": pkix(good), "PKCS1": string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(good)})), "Whitespace": "\n  " + pkix(good) + "\n\n"} {
		t.Run(name, func(t *testing.T) {
			k, err := oauth.ParseRSAPublicKeyPEM(pemText)
			if err != nil || !k.Equal(good) {
				t.Errorf("got %v, %v", k, err)
			}
		})
	}
}
