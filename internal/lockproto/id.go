package lockproto

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
)

// EncodeLockID builds a physical lock id (TLCP): a two-byte little-endian payload length, then
// the payload, in padded standard Base64 as JSON carries it. The payload is at most 65535 bytes.
func EncodeLockID(payload []byte) string {
	b := make([]byte, 2+len(payload))
	binary.LittleEndian.PutUint16(b, uint16(len(payload)))
	copy(b[2:], payload)
	return base64.StdEncoding.EncodeToString(b)
}

// DecodeLockID returns the payload of a physical lock id given in padded standard Base64 (JSON)
// or unpadded URL-safe Base64 (URLs). It refuses text that is not Base64, an id without payload,
// and an id whose length header disagrees with its payload.
func DecodeLockID(s string) ([]byte, error) {
	raw := strings.TrimRight(s, "=")
	raw = strings.NewReplacer("-", "+", "_", "/").Replace(raw)
	b, err := base64.RawStdEncoding.DecodeString(raw)
	if err != nil || len(b) < 3 {
		return nil, fmt.Errorf("%q is not a Base64 physical lock id", s)
	}
	if n := int(binary.LittleEndian.Uint16(b)); n != len(b)-2 {
		return nil, fmt.Errorf("physical lock id %q declares %d payload bytes but has %d", s, n, len(b)-2)
	}
	return b[2:], nil
}

// ParseLockID checks a physical lock id as DecodeLockID does and returns its canonical form, the
// JSON one that EncodeLockID makes and the store keeps.
func ParseLockID(s string) (string, error) {
	payload, err := DecodeLockID(s)
	if err != nil {
		return "", err
	}
	return EncodeLockID(payload), nil
}
