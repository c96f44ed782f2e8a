package lockproto

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strconv"

	"github.com/keyward/keyward/internal/keyward"
)

// A lock's sync request is the one message a server reads by the thousand: an upload of 1000
// log entries is some 350 kB of envelope. encoding/json validates a document before it decodes
// it, scanning the Base64 payload as a JSON string before decoding it, then decodes the payload
// member by member through reflection: together about 5 ms of a sync of 1000 entries, more than
// the database's inserts. What a lock sends is what json.Marshal writes of these types: no white
// space, the members in declaration order, strings without escapes. The readers below take
// exactly that form and nothing else; any other input (white space, another order, an escape,
// an unknown member, a number json.Marshal would not write) goes to json.Unmarshal, so every input
// decodes exactly as json.Unmarshal decodes it into a zero value (FuzzDecodeEnvelope and
// FuzzDecodeSyncRequest hold them to that).

// DecodeEnvelope decodes an envelope as json.Unmarshal does into a zero Envelope.
func DecodeEnvelope(b []byte, env *Envelope) error {
	if readEnvelope(b, env) {
		return nil
	}
	*env = Envelope{}
	return json.Unmarshal(b, env)
}

// decodeSyncRequest decodes a sync request's payload as json.Unmarshal does into a zero
// SyncRequest.
func decodeSyncRequest(b []byte, req *SyncRequest) error {
	if readSyncRequest(b, req) {
		return nil
	}
	*req = SyncRequest{}
	return json.Unmarshal(b, req)
}

// decodeMessage decodes a verified payload into msg.
func decodeMessage(b []byte, msg any) error {
	if req, ok := msg.(*SyncRequest); ok {
		return decodeSyncRequest(b, req)
	}
	return json.Unmarshal(b, msg)
}

// readEnvelope reads the form json.Marshal writes of an Envelope; false means b is not in it.
func readEnvelope(b []byte, env *Envelope) bool {
	r := &reader{b: b, ok: true}
	r.lit(`{"v":`)
	env.V = r.int()
	r.lit(`,"typ":`)
	env.Typ = r.str()
	r.lit(`,"kid":`)
	env.KID = r.str()
	r.lit(`,"payload":`)
	env.Payload = r.base64()
	r.lit(`,"sig":`)
	env.Sig = r.base64()
	if r.accept(`,"anchor":`) {
		env.Anchor = r.base64()
	}
	r.lit(`}`)
	return r.end()
}

// readSyncRequest reads the form json.Marshal writes of a SyncRequest; false means b is not in it.
func readSyncRequest(b []byte, req *SyncRequest) bool {
	r := &reader{b: b, ok: true, names: map[string]string{}}
	r.lit(`{"lockId":`)
	req.LockID = r.str()
	r.lit(`,"counter":`)
	req.Counter = r.uint()
	r.lit(`,"challenge":`)
	req.Challenge = r.base64()
	r.lit(`,"lockTime":`)
	req.LockTime = r.time()
	r.lit(`,"protocolVersion":`)
	req.ProtocolVersion = r.int()
	r.lit(`,"rclSerialNo":`)
	req.RclSerialNo = r.int64()
	r.lit(`,"kids":`)
	req.KIDs = list(r, (*reader).str)
	r.lit(`,"logEntries":`)
	req.LogEntries = list(r, (*reader).logEntry)
	r.lit(`,"health":`)
	req.Health = list(r, (*reader).health)
	r.lit(`,"cardWrites":`)
	req.CardWrites = list(r, (*reader).cardWrite)
	r.lit(`}`)
	return r.end()
}

func (r *reader) logEntry() LogEntry {
	var e LogEntry
	r.lit(`{"entryNo":`)
	e.EntryNo = r.uint()
	r.lit(`,"lockTimestamp":`)
	e.LockTimestamp = r.time()
	r.lit(`,"logType":`)
	e.LogType = r.name()
	r.lit(`,"command":`)
	e.Command = r.name()
	r.lit(`,"result":`)
	e.Result = r.name()
	r.lit(`,"reason":`)
	e.Reason = r.name()
	r.lit(`,"grantId":`)
	e.GrantID = r.optName()
	r.lit(`,"boundCardId":`)
	e.BoundCardID = r.optName()
	r.lit(`,"contactId":`)
	e.ContactID = r.optName()
	r.lit(`}`)
	return e
}

func (r *reader) health() HealthReport {
	var h HealthReport
	r.lit(`{"measuredAt":`)
	h.MeasuredAt = r.time()
	r.lit(`,"batteryVoltage":`)
	h.BatteryVoltage = r.float()
	r.lit(`,"batteryWarning":`)
	h.BatteryWarning = r.name()
	r.lit(`,"temperature":`)
	h.Temperature = r.float()
	r.lit(`}`)
	return h
}

func (r *reader) cardWrite() CardWrite {
	var c CardWrite
	r.lit(`{"boundCardId":`)
	c.BoundCardID = r.str()
	r.lit(`,"version":`)
	c.Version = r.int64()
	r.lit(`,"writtenAt":`)
	c.WrittenAt = r.time()
	r.lit(`}`)
	return c
}

// reader reads a document in the form json.Marshal writes; ok turns false at the first byte
// outside it, and every read after that returns a zero value.
type reader struct {
	b  []byte
	i  int
	ok bool
	// names keeps the strings of the log entries read so far: their vocabulary and their grant
	// and contact ids repeat from entry to entry, and are allocated once.
	names map[string]string
}

// end reports whether the whole input was read in form.
func (r *reader) end() bool { return r.ok && r.i == len(r.b) }

// lit reads the bytes s.
func (r *reader) lit(s string) {
	if !r.accept(s) {
		r.ok = false
	}
}

// accept reads the bytes s if they come next.
func (r *reader) accept(s string) bool {
	if !r.ok || len(r.b)-r.i < len(s) || string(r.b[r.i:r.i+len(s)]) != s {
		return false
	}
	r.i += len(s)
	return true
}

// plain reads a string whose bytes stand for themselves (ASCII from the space up, without a
// quote or a backslash) and returns its bytes.
func (r *reader) plain() []byte {
	if !r.accept(`"`) {
		r.ok = false
		return nil
	}
	start := r.i
	for ; r.i < len(r.b); r.i++ {
		switch c := r.b[r.i]; {
		case c == '"':
			r.i++
			return r.b[start : r.i-1]
		case c < 0x20 || c > 0x7f || c == '\\':
			r.ok = false
			return nil
		}
	}
	r.ok = false
	return nil
}

func (r *reader) str() string { return string(r.plain()) }

// name reads a string that is likely to repeat, allocating each distinct one once.
func (r *reader) name() string {
	b := r.plain()
	if s, ok := r.names[string(b)]; ok {
		return s
	}
	s := string(b)
	r.names[s] = s
	return s
}

func (r *reader) optName() *string {
	if r.accept("null") {
		return nil
	}
	s := r.name()
	return &s
}

// base64 reads a []byte as encoding/json does: null, or a string of standard Base64 with
// padding. A string with a backslash is not Base64 and leaves the form; the decoder skips line
// breaks, which a JSON string cannot hold unescaped, so they leave it too.
func (r *reader) base64() []byte {
	if r.accept("null") {
		return nil
	}
	if !r.accept(`"`) {
		r.ok = false
		return nil
	}
	n := bytes.IndexByte(r.b[r.i:], '"')
	if n < 0 {
		r.ok = false
		return nil
	}
	s := r.b[r.i : r.i+n]
	out := make([]byte, base64.StdEncoding.DecodedLen(n))
	m, err := base64.StdEncoding.Decode(out, s)
	if err != nil || bytes.IndexByte(s, '\n') >= 0 || bytes.IndexByte(s, '\r') >= 0 {
		r.ok = false
		return nil
	}
	r.i += n + 1
	return out[:m]
}

func (r *reader) time() keyward.Time {
	b := r.plain()
	if !r.ok {
		return keyward.Time{}
	}
	t, err := keyward.ParseTime(string(b))
	if err != nil {
		r.ok = false
	}
	return t
}

// number reads a JSON number and returns its text; integer says that only an optional minus sign
// and digits are in form, as json.Marshal writes integers.
func (r *reader) number(integer bool) []byte {
	start := r.i
	r.accept("-")
	r.digits(true)
	if !integer {
		if r.accept(".") {
			r.digits(false)
		}
		if r.accept("e") || r.accept("E") {
			_ = r.accept("+") || r.accept("-")
			r.digits(false)
		}
	}
	if !r.ok {
		return nil
	}
	return r.b[start:r.i]
}

// digits reads one or more digits; leading says that a zero must stand alone, as in a number's
// integer part.
func (r *reader) digits(leading bool) {
	start := r.i
	for r.i < len(r.b) && '0' <= r.b[r.i] && r.b[r.i] <= '9' {
		r.i++
	}
	if r.i == start || (leading && r.b[start] == '0' && r.i-start > 1) {
		r.ok = false
	}
}

func (r *reader) int64() int64 {
	n, err := strconv.ParseInt(string(r.number(true)), 10, 64)
	if err != nil {
		r.ok = false
	}
	return n
}

func (r *reader) int() int {
	n, err := strconv.ParseInt(string(r.number(true)), 10, strconv.IntSize)
	if err != nil {
		r.ok = false
	}
	return int(n)
}

func (r *reader) uint() uint64 {
	n, err := strconv.ParseUint(string(r.number(true)), 10, 64)
	if err != nil {
		r.ok = false
	}
	return n
}

func (r *reader) float() float64 {
	n, err := strconv.ParseFloat(string(r.number(false)), 64)
	if err != nil {
		r.ok = false
	}
	return n
}

// list reads null, or an array of elements that elem reads; an empty array is an empty slice,
// not nil, as encoding/json decodes it.
func list[T any](r *reader, elem func(*reader) T) []T {
	if r.accept("null") {
		return nil
	}
	r.lit("[")
	out := []T{}
	if r.accept("]") {
		return out
	}
	for r.ok {
		out = append(out, elem(r))
		if r.accept("]") {
			return out
		}
		r.lit(",")
	}
	return nil
}
