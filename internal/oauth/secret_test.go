package oauth_test

import (
	"encoding/base64"
	"testing"

	"github.com/keyward/keyward/internal/oauth"
	"github.com/keyward/keyward/internal/token"
)

func TestNewClientSecret(t *testing.T) {
	plain, hash := oauth.NewClientSecret()
	raw, err := base64.RawURLEncoding.DecodeString(plain)
	if err != nil || len(raw) != 32 || len(plain) != 43 {
		t.Errorf("secret %q: %d bytes (%v), want 32 bytes in 43 base64url characters", plain, len(raw), err)
	}
	if hash != token.Hash(plain) {
		t.Errorf("hash %s, want token.Hash(plain) %s", hash, token.Hash(plain))
	}
	if again, _ := oauth.NewClientSecret(); again == plain {
		t.Error("two secrets are equal")
	}
}
