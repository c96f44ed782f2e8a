package lockproto

import (
	"bytes"
	"testing"
)

func TestEncodeLockID(t *testing.T) {
	if got, want := EncodeLockID([]byte{0xa1, 0xb2, 0x0a, 0xb6}), "BAChsgq2"; got != want {
		t.Fatalf("EncodeLockID = %q, want %q", got, want)
	}
	if got, want := EncodeLockID([]byte{0xa1, 0xb2, 0x0a}), "AwChsgo="; got != want {
		t.Fatalf("EncodeLockID = %q, want %q", got, want)
	}
}

func TestDecodeLockID_RoundTrip(t *testing.T) {
	for _, payload := range [][]byte{{0}, {0xff, 0xfb, 0xbf}, []byte("bulk0001"), bytes.Repeat([]byte{0xfe}, 300)} {
		id := EncodeLockID(payload)
		got, err := DecodeLockID(id)
		if err != nil || !bytes.Equal(got, payload) {
			t.Fatalf("DecodeLockID(%q) = %x, %v; want %x", id, got, err, payload)
		}
		canonical, err := ParseLockID(id)
		if err != nil || canonical != id {
			t.Fatalf("ParseLockID(%q) = %q, %v; want it unchanged", id, canonical, err)
		}
	}
}

// TestParseLockID_URLForm checks that the form a URL carries (URL-safe alphabet, no padding)
// parses to the canonical JSON form.
func TestParseLockID_URLForm(t *testing.T) {
	id := EncodeLockID([]byte{0xff, 0xfb, 0xbf, 0x3e}) // BAD/+78+
	for _, in := range []string{"BAD_-78-", "BAD/+78+", "BAD_-78-=="} {
		got, err := ParseLockID(in)
		if err != nil || got != id {
			t.Fatalf("ParseLockID(%q) = %q, %v; want %q", in, got, err, id)
		}
	}
}

func TestParseLockID_Malformed(t *testing.T) {
	for _, tt := range []struct{ in, err string }{
		{"", `"" is not a Base64 physical lock id`},
		{"AQA=", `"AQA=" is not a Base64 physical lock id`}, // a header and no payload
		{"not base64!", `"not base64!" is not a Base64 physical lock id`},
		{"A", `"A" is not a Base64 physical lock id`},
		{"BQChsgq2", `physical lock id "BQChsgq2" declares 5 payload bytes but has 4`},
		{"AAChsgq2", `physical lock id "AAChsgq2" declares 0 payload bytes but has 4`},
	} {
		t.Run(tt.in, func(t *testing.T) {
			if got, err := ParseLockID(tt.in); err == nil || err.Error() != tt.err || got != "" {
				t.Fatalf("ParseLockID(%q) = %q, %v; want error %s", tt.in, got, err, tt.err)
			}
			if got, err := DecodeLockID(tt.in); err == nil || err.Error() != tt.err || got != nil {
				t.Fatalf("DecodeLockID(%q) = %x, %v; want error %s", tt.in, got, err, tt.err)
			}
		})
	}
}
