package keyward

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"time"
)

// NewID returns a lower-case, time-ordered UUIDv7 (RFC 9562). IDs are opaque to clients; ordering
// them by creation keeps the default list order stable and index-friendly. The 12 bits after the
// millisecond carry the sub-millisecond fraction (RFC 9562 §6.2, method 3), so that ids made in
// the same millisecond still sort by creation.
func NewID(now time.Time) string {
	var b [16]byte
	subMilli := uint64(now.Nanosecond()%1e6) * 4096 / 1e6
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixMilli())<<16|0x7000|subMilli)
	rand.Read(b[8:]) // crypto/rand.Read never returns an error; it crashes the program instead

	b[8] = 0x80 | b[8]&0x3f
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}
