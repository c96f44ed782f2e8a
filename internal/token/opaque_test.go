package token_test

import (
	"testing"

	"github.com/keyward/keyward/internal/token"
)

func TestHash(t *testing.T) {
	tests := []struct{ name, plain, want string }{
		{"Empty", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"ABC", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := token.Hash(tt.plain); got != tt.want {
				t.Errorf("Hash(%q) = %s, want %s", tt.plain, got, tt.want)
			}
		})
	}
}
