package lockproto

import (
	"regexp"
	"testing"
)

func TestNewBindingCode(t *testing.T) {
	format := regexp.MustCompile(`^[A-Z2-7]{10}$`)
	seen := map[string]bool{}
	for range 100 {
		code := NewBindingCode()
		if !format.MatchString(code) {
			t.Fatalf("NewBindingCode = %q, want 10 base32 characters", code)
		}
		if seen[code] {
			t.Fatalf("NewBindingCode repeated %q within 100 codes", code)
		}
		seen[code] = true
	}
}

func TestHashBindingCode(t *testing.T) {
	// SHA-256 of "ABCDE23456" in lower-case hex, as sha256sum prints it
	const want = "82a15347a056ccbf451fbd1c865eed21ec190069eedd32b0c9dc6452887811cc"
	if got := HashBindingCode("ABCDE23456"); got != want {
		t.Fatalf("HashBindingCode = %q, want %q", got, want)
	}
}

func TestBindingCodeMatches(t *testing.T) {
	hash := HashBindingCode("ABCDE23456")
	for _, tt := range []struct {
		name, code, hash string
		want             bool
	}{
		{"Same", "ABCDE23456", hash, true},
		{"OtherCode", "ABCDE23457", hash, false},
		{"CaseDiffers", "abcde23456", hash, false},
		{"Empty", "", hash, false},
		{"HashOfTheCodeIsNotTheCode", hash, hash, false},
		{"TruncatedHash", "ABCDE23456", hash[:63], false},
		{"AlteredHash", "ABCDE23456", "0" + hash[1:], false},
		{"NoHash", "ABCDE23456", "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := BindingCodeMatches(tt.code, tt.hash); got != tt.want {
				t.Fatalf("BindingCodeMatches(%q, %q) = %v, want %v", tt.code, tt.hash, got, tt.want)
			}
		})
	}
}
