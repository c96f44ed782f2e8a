package keyward

import (
	"bytes"
	"fmt"
	"sync"
	"time"
)

// WireTimeLayout is the one output format of decisions §1: UTC, three fractional digits, Z.
const WireTimeLayout = "2006-01-02T15:04:05.000Z"

// Time is an instant on the wire. It marshals in WireTimeLayout and unmarshals any RFC 3339 time
// with an offset and up to nine fractional digits, which .NET clients send.
type Time struct{ time.Time }

// NewTime truncates t to the wire precision (milliseconds) so that what is stored is what is read.
func NewTime(t time.Time) Time { return Time{t.UTC().Truncate(time.Millisecond)} }

// TimeFromMillis converts a stored Unix-millisecond value.
func TimeFromMillis(ms int64) Time { return Time{time.UnixMilli(ms).UTC()} }

// Millis is the stored form.
func (t Time) Millis() int64 { return t.UnixMilli() }

// String formats t as on the wire.
func (t Time) String() string { return t.UTC().Format(WireTimeLayout) }

// MarshalJSON writes the wire format.
func (t Time) MarshalJSON() ([]byte, error) {
	return t.AppendJSON(make([]byte, 0, len(WireTimeLayout)+2)), nil
}

// AppendJSON appends t in the wire format, quoted, to dst. It writes the digits itself instead of
// through time.Format's layout interpreter, which was a fifth of a log-export page's encoding (two
// times in each of 500 entries); a year outside 0–9999, which the layout writes its own way, goes
// through Format.
func (t Time) AppendJSON(dst []byte) []byte {
	u := t.UTC()
	year, month, day := u.Date()
	if year < 0 || year > 9999 {
		return append(u.AppendFormat(append(dst, '"'), WireTimeLayout), '"')
	}
	hour, minute, second := u.Clock()
	dst = appendDigits(append(dst, '"'), year, 4)
	dst = appendDigits(append(dst, '-'), int(month), 2)
	dst = appendDigits(append(dst, '-'), day, 2)
	dst = appendDigits(append(dst, 'T'), hour, 2)
	dst = appendDigits(append(dst, ':'), minute, 2)
	dst = appendDigits(append(dst, ':'), second, 2)
	dst = appendDigits(append(dst, '.'), u.Nanosecond()/int(time.Millisecond), 3)
	return append(dst, 'Z', '"')
}

// appendDigits appends the width lowest decimal digits of n ≥ 0, zero-padded.
func appendDigits(dst []byte, n, width int) []byte {
	dst = append(dst, "0000"[:width]...)
	for i := len(dst) - 1; width > 0; i, width = i-1, width-1 {
		dst[i] = byte('0' + n%10)
		n /= 10
	}
	return dst
}

// UnmarshalJSON accepts RFC 3339 with any offset and up to nine fractional digits.
func (t *Time) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return fmt.Errorf("expected an RFC 3339 date-time string")
	}
	p, err := ParseTime(string(b[1 : len(b)-1]))
	if err != nil {
		return err
	}
	*t = p
	return nil
}

// ParseTime parses an RFC 3339 date-time with an offset or Z.
func ParseTime(s string) (Time, error) {
	p, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return Time{}, fmt.Errorf("%q is not an RFC 3339 date-time with offset (e.g. 2026-01-02T03:04:05.000Z)", s)
	}
	return NewTime(p), nil
}

// TimePtr returns a pointer to NewTime(t), for optional fields.
func TimePtr(t time.Time) *Time { v := NewTime(t); return &v }

// locations remembers the zones LoadLocation found. time.LoadLocation reads the zone's file on
// every call (some 9 µs and 5 kB), which a log page's rows, an export's, an access decision's
// schedules and a key fetch's grants did again for the same few zones. Only zones that were
// found are kept, so the map stays within the IANA database whatever names are asked for.
var locations sync.Map // name → *time.Location

// LoadLocation is time.LoadLocation, remembered.
func LoadLocation(name string) (*time.Location, error) {
	if loc, ok := locations.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err == nil {
		locations.Store(name, loc)
	}
	return loc, err
}
