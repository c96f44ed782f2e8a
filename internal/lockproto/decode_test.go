package lockproto

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/keyward/keyward/internal/keyward"
)

// strs are the strings the random messages draw from: plain ones, which the readers take, and
// ones json.Marshal escapes or that are not ASCII, which leave their form.
var strs = []string{"", "Command", "TriggerLock", "Allowed", "Denied", "01a236d2-7622-727a-a559-b50c7056e77f",
	"a\"b", `back\slash`, "<html>&", "Grüße", "tab\there", "\u2028", "\x7f", "~ printable !"}

// randomRequest is a sync request drawn from rng; plain says whether every string in it is one
// that json.Marshal writes without an escape.
func randomRequest(rng *rand.Rand) (req *SyncRequest, plain bool) {
	plain = true
	pool := strs
	if rng.IntN(2) == 0 {
		pool = strs[:6] // only plain ones, for half of the requests
	}
	str := func() string {
		s := pool[rng.IntN(len(pool))]
		if s != "" && !isPlain(s) {
			plain = false
		}
		return s
	}
	optStr := func() *string {
		if rng.IntN(3) == 0 {
			return nil
		}
		s := str()
		return &s
	}
	at := func() keyward.Time {
		return keyward.TimeFromMillis(rng.Int64N(253402300799999)) // years 1970 to 9999
	}
	bytesOf := func() []byte {
		switch rng.IntN(4) {
		case 0:
			return nil
		case 1:
			return []byte{}
		}
		b := make([]byte, rng.IntN(70))
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		return b
	}
	float := func() float64 {
		return []float64{0, math.Copysign(0, -1), 3.7, -12.25, 1e21, 1e-7, 123456789.123, math.MaxFloat64,
			math.SmallestNonzeroFloat64, rng.NormFloat64() * 1e6}[rng.IntN(10)]
	}
	req = &SyncRequest{LockID: str(), Counter: rng.Uint64(), Challenge: bytesOf(), LockTime: at(),
		ProtocolVersion: rng.IntN(5) - 1, RclSerialNo: rng.Int64() - math.MaxInt64/2}
	if rng.IntN(4) > 0 {
		req.KIDs = []string{}
		for range rng.IntN(3) {
			req.KIDs = append(req.KIDs, str())
		}
	}
	if rng.IntN(5) > 0 {
		req.LogEntries = []LogEntry{}
		for range rng.IntN(20) {
			req.LogEntries = append(req.LogEntries, LogEntry{EntryNo: rng.Uint64N(1 << 40), LockTimestamp: at(),
				LogType: str(), Command: str(), Result: str(), Reason: str(),
				GrantID: optStr(), BoundCardID: optStr(), ContactID: optStr()})
		}
	}
	if rng.IntN(3) > 0 {
		req.Health = []HealthReport{}
		for range rng.IntN(3) {
			req.Health = append(req.Health, HealthReport{MeasuredAt: at(), BatteryVoltage: float(), BatteryWarning: str(), Temperature: float()})
		}
	}
	if rng.IntN(3) > 0 {
		req.CardWrites = []CardWrite{}
		for range rng.IntN(3) {
			req.CardWrites = append(req.CardWrites, CardWrite{BoundCardID: str(), Version: rng.Int64() - math.MaxInt64/2, WrittenAt: at()})
		}
	}
	return req, plain
}

// isPlain reports whether s is ASCII that json.Marshal writes as it is: the readers take such
// strings and leave the others, UTF-8 beyond ASCII included, to encoding/json.
func isPlain(s string) bool {
	b, _ := json.Marshal(s)
	return string(b) == `"`+s+`"` && !strings.ContainsFunc(s, func(r rune) bool { return r >= utf8.RuneSelf })
}

// TestDecode_MarshalledFormIsRead: what json.Marshal writes of a sync request and of its envelope
// is read by the readers, not handed to encoding/json, whenever its strings need no escape, and
// every message decodes to what json.Unmarshal makes of it.
func TestDecode_MarshalledFormIsRead(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	read := 0
	for range 2000 {
		req, plain := randomRequest(rng)
		payload, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		var fast SyncRequest
		if got := readSyncRequest(payload, &fast); got != plain {
			t.Fatalf("readSyncRequest = %v for a request whose strings are plain = %v: %s", got, plain, payload)
		}
		if plain {
			read++
		}
		sameAsUnmarshal(t, payload, decodeSyncRequest)

		env := &Envelope{V: rng.IntN(3), Typ: TypeSyncRequest, KID: req.LockID, Payload: payload, Sig: req.Challenge}
		if rng.IntN(2) == 0 {
			env.Anchor = []byte{1, 2, 3}
		}
		b, err := json.Marshal(env)
		if err != nil {
			t.Fatal(err)
		}
		if got := readEnvelope(b, &Envelope{}); got != isPlain(env.KID) {
			t.Fatalf("readEnvelope = %v for kid %q: %s", got, env.KID, b)
		}
		sameAsUnmarshal(t, b, DecodeEnvelope)
	}
	if read < 800 {
		t.Fatalf("only %d of 2000 requests were plain; the test does not exercise the readers", read)
	}
}

// sameAsUnmarshal checks that decode gives for b what json.Unmarshal gives into a zero value:
// both fail, or both succeed with equal results.
func sameAsUnmarshal[T any](t *testing.T, b []byte, decode func([]byte, *T) error) {
	t.Helper()
	var got, want T
	errGot, errWant := decode(b, &got), json.Unmarshal(b, &want)
	if (errGot == nil) != (errWant == nil) {
		t.Fatalf("decode error %v, json.Unmarshal error %v, for %q", errGot, errWant, b)
	}
	if errWant == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("decode = %+v\njson.Unmarshal = %+v\nfor %q", got, want, b)
	}
}

// edits are changes to a marshalled message that keep it JSON or break it, each of which the
// readers must either decode as encoding/json does or leave to it.
var edits = []struct{ from, to string }{
	{`{`, `{ `}, {`}`, ` }`}, {`"counter":`, `"Counter":`}, {`"counter":`, `"counter" :`}, {`,"kids":`, `,"extra":1,"kids":`},
	{`"entryNo":1`, `"entryNo":01`}, {`"entryNo":1`, `"entryNo":1.0`}, {`"entryNo":1`, `"entryNo":1e0`},
	{`"entryNo":1`, `"entryNo":-1`}, {`"entryNo":1`, `"entryNo":18446744073709551616`}, {`"protocolVersion":3`, `"protocolVersion":-0`},
	{`"rclSerialNo":7`, `"rclSerialNo":9223372036854775808`}, {`"batteryVoltage":3.7`, `"batteryVoltage":3.`},
	{`"batteryVoltage":3.7`, `"batteryVoltage":1e400`}, {`"batteryVoltage":3.7`, `"batteryVoltage":-0.0e+1`},
	{`"batteryVoltage":3.7`, `"batteryVoltage":0x1p2`}, {`"Allowed"`, `"Allo\u0077ed"`}, {`"Allowed"`, `null`},
	{`"grantId":"g-1"`, `"grantId":null`}, {`"kids":["k1"]`, `"kids":[]`}, {`"kids":["k1"]`, `"kids":null`},
	{`"kids":["k1"]`, `"kids":["k1",]`}, {`"challenge":"`, `"challenge":"\/`}, {`"challenge":"`, `"challenge":"\n`},
	{`"challenge":"`, "\"challenge\":\"\n"}, {`"challenge":"`, "\"challenge\":\"\r"},
	{`"challenge":"AQI="`, `"challenge":"AQI"`}, {`"challenge":"AQI="`, `null`}, {`"lockTime":"2026-03-30T07:00:00.000Z"`, `"lockTime":"2026-03-30T09:00:00+02:00"`},
	{`"lockTime":"2026-03-30T07:00:00.000Z"`, `"lockTime":"yesterday"`}, {`"lockTime":"2026-03-30T07:00:00.000Z"`, `"lockTime":null`},
	{`"logEntries":[`, `"logEntries":[{},`}, {`}]`, `}]]`}, {`"reason":"`, `"reason":"` + "\x00"}, {`"reason":"`, `"reason":"` + "\xff"},
	{`"v":1`, `"v":true`}, {`"v":1`, `"v":"1"`}, {`"payload":"`, `"payload":"=`}, {`"sig":"`, `"anchor":"AQI=","sig":"`},
	{`"}`, `","anchor":""}`}, {`"}`, `","anchor":null}`}, {`"}`, `"}x`}, {`"}`, `"} `},
}

// seedMessages are a sync request and its envelope as json.Marshal writes them.
func seedMessages(t testing.TB) (payload, envelope []byte) {
	g := "g-1"
	req := &SyncRequest{LockID: "lock-1", Counter: 5, Challenge: []byte{1, 2}, LockTime: wire(time.Date(2026, 3, 30, 7, 0, 0, 0, time.UTC)),
		ProtocolVersion: 3, RclSerialNo: 7, KIDs: []string{"k1"},
		LogEntries: []LogEntry{{EntryNo: 1, LockTimestamp: wire(time.Date(2026, 3, 30, 6, 0, 0, 0, time.UTC)), LogType: LogTypeCommand,
			Command: CommandTriggerLock, Result: ResultAllowed, Reason: "Allowed", GrantID: &g}},
		Health:     []HealthReport{{MeasuredAt: wire(time.Date(2026, 3, 30, 6, 0, 0, 0, time.UTC)), BatteryVoltage: 3.7, BatteryWarning: BatteryOk, Temperature: -4.5}},
		CardWrites: []CardWrite{{BoundCardID: "card-1", Version: 2, WrittenAt: wire(time.Date(2026, 3, 29, 6, 0, 0, 0, time.UTC))}}}
	payload, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	envelope, err = json.Marshal(&Envelope{V: FormatVersion, Typ: TypeSyncRequest, KID: "lock-1", Payload: payload, Sig: []byte{1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	return payload, envelope
}

// TestDecode_EditsAsUnmarshal: every edit of the marshalled messages decodes as json.Unmarshal
// decodes it, and the unedited ones are read by the readers.
func TestDecode_EditsAsUnmarshal(t *testing.T) {
	payload, envelope := seedMessages(t)
	if !readSyncRequest(payload, &SyncRequest{}) || !readEnvelope(envelope, &Envelope{}) {
		t.Fatalf("the readers refuse what json.Marshal wrote:\n%s\n%s", payload, envelope)
	}
	for _, e := range edits {
		changed := false
		for _, b := range [][]byte{payload, envelope} {
			edited := bytes.Replace(b, []byte(e.from), []byte(e.to), 1)
			changed = changed || !bytes.Equal(edited, b)
			sameAsUnmarshal(t, edited, decodeSyncRequest)
			sameAsUnmarshal(t, edited, DecodeEnvelope)
		}
		if !changed {
			t.Errorf("the edit %q → %q changes neither message: the messages do not hold %q", e.from, e.to, e.from)
		}
	}
}

// addEdited seeds f with b and every edit of it.
func addEdited(f *testing.F, b []byte) {
	f.Add(b)
	for _, e := range edits {
		f.Add(bytes.Replace(b, []byte(e.from), []byte(e.to), 1))
	}
}

// FuzzDecodeSyncRequest: for any input, the sync request's decoding is json.Unmarshal's.
func FuzzDecodeSyncRequest(f *testing.F) {
	payload, _ := seedMessages(f)
	addEdited(f, payload)
	f.Fuzz(func(t *testing.T, b []byte) { sameAsUnmarshal(t, b, decodeSyncRequest) })
}

// FuzzDecodeEnvelope: for any input, the envelope's decoding is json.Unmarshal's.
func FuzzDecodeEnvelope(f *testing.F) {
	_, envelope := seedMessages(f)
	addEdited(f, envelope)
	f.Fuzz(func(t *testing.T, b []byte) { sameAsUnmarshal(t, b, DecodeEnvelope) })
}

// BenchmarkDecodeSync decodes the envelope and the payload of a sync of 1000 log entries, with
// the readers and with encoding/json.
func BenchmarkDecodeSync(b *testing.B) {
	g, c := "01a236d2-7622-727a-a559-b50c7056e77f", "01a236d2-7622-727a-a559-b50c7056e77e"
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	req := &SyncRequest{LockID: "lock-1", Counter: 5, Challenge: make([]byte, 32), LockTime: wire(at), ProtocolVersion: 3, KIDs: []string{"k1"}}
	for i := range 1000 {
		req.LogEntries = append(req.LogEntries, LogEntry{EntryNo: uint64(i + 1), LockTimestamp: wire(at.Add(time.Duration(i) * time.Minute)),
			LogType: LogTypeCommand, Command: CommandTriggerLock, Result: ResultAllowed, Reason: "Allowed", GrantID: &g, ContactID: &c})
	}
	payload, _ := json.Marshal(req)
	envelope, _ := json.Marshal(&Envelope{V: FormatVersion, Typ: TypeSyncRequest, KID: "lock-1", Payload: payload, Sig: make([]byte, 64)})
	for _, d := range []struct {
		name string
		env  func([]byte, *Envelope) error
		req  func([]byte, *SyncRequest) error
	}{
		{"readers", DecodeEnvelope, decodeSyncRequest},
		{"encoding-json", func(b []byte, e *Envelope) error { return json.Unmarshal(b, e) }, func(b []byte, r *SyncRequest) error { return json.Unmarshal(b, r) }},
	} {
		b.Run(d.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var env Envelope
				var r SyncRequest
				if err := d.env(envelope, &env); err != nil {
					b.Fatal(err)
				}
				if err := d.req(env.Payload, &r); err != nil || len(r.LogEntries) != 1000 {
					b.Fatal(err, len(r.LogEntries))
				}
			}
		})
	}
}
