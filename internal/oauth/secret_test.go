package oauth_test

import (
	"encoding/base64"
	"testing"

	"github.com/keyward/keyward/internal/oauth"
)

func TestHashSecret(t *testing.T) {
	tests := []struct{ name, plain, want string }{
		{"Empty", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"ABC", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := oauth.HashSecret(tt.plain); got != tt.want {
				t.Errorf("HashSecret(%q) = %s, want %s", tt.plain, got, tt.want)
			}
		})
	}
}

func TestNewClientSecret(t *testing.T) {
	plain, hash := oauth.NewClientSecret()
	raw, err := base64.RawURLEncoding.DecodeString(plain)
	if err != nil || len(raw) != 32 || len(plain) != 43 {
		t.Errorf("secret %q: %d bytes (%v), want 32 bytes in 43 base64url characters", plain, len(raw), err)
	}
	if hash != oauth.HashSecret(plain) {
		t.Errorf("hash %s, want HashSecret(plain) %s", hash, oauth.HashSecret(plain))
	}
	if again, _ := oauth.NewClientSecret(); again == plain {
		t.Error("two secrets are equal")
	}
}
