package service

import (
	"strings"
	"testing"
)

func TestPassword(t *testing.T) {
	hash, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Fatalf("hash %q does not carry the parameters", hash)
	}
	other, _ := HashPassword("correct horse")
	if other == hash {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
	tests := []struct {
		name, password, hash string
		want                 bool
	}{
		{"Right", "correct horse", hash, true},
		{"Wrong", "correct horsE", hash, false},
		{"Empty", "", hash, false},
		{"MalformedHash", "correct horse", "$argon2id$v=19$m=65536$x$y", false},
		{"OtherAlgorithm", "correct horse", strings.Replace(hash, "argon2id", "argon2i", 1), false},
		{"TamperedKey", "correct horse", hash[:len(hash)-2] + "AA", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PasswordMatches(tt.password, tt.hash); got != tt.want {
				t.Fatalf("PasswordMatches = %v, want %v", got, tt.want)
			}
		})
	}
	if _, err := HashPassword("short"); err == nil || err.Error() != "the password must have at least 8 characters" {
		t.Fatalf("short password: err = %v", err)
	}
}
