package lockproto

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/keyward/keyward/internal/keyward"
)

func TestSigningInput(t *testing.T) {
	got := SigningInput(1, TypeMobileKey, "ksk-1", []byte(`{"a":1}`))
	if want := "keyward-lockproto/1\x00MobileKey\x00ksk-1\x00{\"a\":1}"; string(got) != want {
		t.Fatalf("SigningInput = %q, want %q", got, want)
	}
}

// TestEnvelope_Wire pins the wire form of a signed message: Ed25519 signatures are deterministic,
// so this is a test vector a lock maker can check an implementation against (docs/lock-protocol.md
// gives it; OpenSSL's "pkeyutl -sign -rawin" makes the same signature from the same seed).
func TestEnvelope_Wire(t *testing.T) {
	l := &RevocationList{LockID: thisLock, SerialNo: 7, IssuedAt: wire(time.Date(2026, 3, 30, 7, 0, 0, 0, time.UTC)),
		GrantIDs: []string{"g-1"}, CardGrantIDs: []string{}}
	env := must(SignRevocationList(signer("ksk-1"), l))
	b, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"v":1,"typ":"RevocationList","kid":"ksk-1",` +
		`"payload":"eyJsb2NrSWQiOiJCQUNoc2dxMiIsInNlcmlhbE5vIjo3LCJpc3N1ZWRBdCI6IjIwMjYtMDMtMzBUMDc6MDA6MDAuMDAwWiIsImdyYW50SWRzIjpbImctMSJdLCJjYXJkR3JhbnRJZHMiOltdfQ==",` +
		`"sig":"7tDbpYAjUzbQhfWpqa3SxrT2G9dcWWOyAV5ccozugnH+P9aMZBtxHKLh0OQAWnECBwVzenfrNXBfw93bZ6haCw=="}`
	if got := string(b); got != want {
		t.Fatalf("envelope = %s\nwant       %s", got, want)
	}
}

// mutate changes v so that its JSON differs: strings grow, numbers step, slices gain an element,
// nil pointers point to a zero value, times move by a millisecond, other structs change their
// first field.
func mutate(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(v.String() + "x")
	case reflect.Int, reflect.Int64:
		v.SetInt(v.Int() + 1)
	case reflect.Uint64:
		v.SetUint(v.Uint() + 1)
	case reflect.Float64:
		v.SetFloat(v.Float() + 0.5)
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Slice:
		v.Set(reflect.Append(v, reflect.Zero(v.Type().Elem())))
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		} else {
			mutate(v.Elem())
		}
	case reflect.Struct:
		if tm, ok := v.Interface().(keyward.Time); ok {
			v.Set(reflect.ValueOf(keyward.NewTime(tm.Add(time.Millisecond))))
		} else {
			mutate(v.Field(0))
		}
	default:
		panic("mutate: no rule for " + v.Kind().String())
	}
}

// checkTampered changes each field of the signed message msg in turn, puts the new JSON into env
// under the old signature, and expects verify to refuse it; then it changes each field of the
// envelope. Re-encoding the unchanged message must give the signed bytes, so each refusal is due
// to the one change.
func checkTampered[M any](t *testing.T, env *Envelope, msg *M, verify func(*Envelope) error) {
	t.Helper()
	if b, _ := json.Marshal(msg); !bytes.Equal(b, env.Payload) {
		t.Fatalf("re-encoding does not give the signed payload:\n%s\n%s", b, env.Payload)
	}
	if err := verify(env); err != nil {
		t.Fatalf("untampered message: %v", err)
	}
	typ := reflect.TypeFor[M]()
	for i := range typ.NumField() {
		changed := *msg
		mutate(reflect.ValueOf(&changed).Elem().Field(i))
		forged := *env
		forged.Payload = must(json.Marshal(&changed))
		if bytes.Equal(forged.Payload, env.Payload) {
			t.Fatalf("changing %s left the JSON as it was", typ.Field(i).Name)
		}
		if err := verify(&forged); !errors.Is(err, ErrSignature) {
			t.Errorf("%s changed: %v, want %v", typ.Field(i).Name, err, ErrSignature)
		}
	}
	for name, tamper := range map[string]func(e *Envelope){
		"V":   func(e *Envelope) { e.V++ },
		"Typ": func(e *Envelope) { e.Typ = TypeSyncResponse + TypeMobileKey },
		"KID": func(e *Envelope) { e.KID += "x" },
		"Sig": func(e *Envelope) { e.Sig = append([]byte{e.Sig[0] ^ 1}, e.Sig[1:]...) },
		"Cut": func(e *Envelope) { e.Payload = e.Payload[:len(e.Payload)-1] },
	} {
		forged := *env
		tamper(&forged)
		if err := verify(&forged); err == nil {
			t.Errorf("envelope %s changed: verified", name)
		}
	}
}

func TestVerify_Tampered(t *testing.T) {
	ksk, device := signer("ksk-1"), signer(thisLock)
	ks := keySetOf(ksk, signer("ksk-2")) // a second key, so that a changed kid finds a key
	at := time.Date(2026, 3, 30, 7, 0, 0, 0, time.UTC)
	t.Run("MobileKey", func(t *testing.T) {
		k := mobileKey(t, at, ptr(viennaMondays))
		checkTampered(t, must(SignMobileKey(ksk, k)), k, func(e *Envelope) error { _, err := VerifyMobileKey(e, ks); return err })
	})
	rcl := &RevocationList{LockID: thisLock, SerialNo: 4, IssuedAt: wire(at), GrantIDs: []string{"g-9"}, CardGrantIDs: []string{"g-8"}}
	t.Run("RevocationList", func(t *testing.T) {
		checkTampered(t, must(SignRevocationList(ksk, rcl)), rcl, func(e *Envelope) error { _, err := VerifyRevocationList(e, ks); return err })
	})
	t.Run("SyncRequest", func(t *testing.T) {
		r := syncRequest(at)
		pub := device.Key.Public().(ed25519.PublicKey)
		checkTampered(t, must(SignSyncRequest(device, r)), r, func(e *Envelope) error { _, err := VerifySyncRequest(e, pub); return err })
	})
	t.Run("SyncResponse", func(t *testing.T) {
		r := &SyncResponse{LockID: thisLock, Counter: 8, Challenge: make([]byte, ChallengeSize), ServerTime: wire(at),
			TimeZone: "Europe/Vienna", KeySet: ks, Revocations: *rcl, AckEntryNo: 41}
		checkTampered(t, must(SignSyncResponse(ksk, r)), r, func(e *Envelope) error { _, err := VerifySyncResponse(e, ks); return err })
	})
}

// syncRequest is an upload of thisLock with one log entry and one health report.
func syncRequest(at time.Time) *SyncRequest {
	return &SyncRequest{LockID: thisLock, Counter: 8, Challenge: NewChallenge(), LockTime: wire(at),
		ProtocolVersion: ProtocolLatest, RclSerialNo: 3, KIDs: []string{"ksk-1"},
		LogEntries: []LogEntry{{EntryNo: 41, LockTimestamp: wire(at), LogType: LogTypeCommand, Command: CommandTriggerLock,
			Result: ResultAllowed, Reason: ReasonAllowed, GrantID: ptr("g-1"), ContactID: ptr("c-1")}},
		Health: []HealthReport{{MeasuredAt: wire(at), BatteryVoltage: 2.9, BatteryWarning: BatteryLow, Temperature: 21.5}}}
}

// TestRoundTrip sends each message through its JSON wire form and back.
func TestRoundTrip(t *testing.T) {
	ksk, device := signer("ksk-1"), signer(thisLock)
	ks := keySetOf(ksk)
	at := time.Date(2026, 3, 30, 7, 0, 0, 0, time.UTC)
	viaWire := func(env *Envelope) *Envelope {
		var back Envelope
		if err := json.Unmarshal(must(json.Marshal(env)), &back); err != nil {
			t.Fatal(err)
		}
		return &back
	}
	check := func(name string, got, want any, err error) {
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if diff := cmp.Diff(want, got, timeEqual); diff != "" {
			t.Errorf("%s changed on the wire (-want +got):\n%s", name, diff)
		}
	}
	k := mobileKey(t, at, ptr(viennaMondays))
	gotKey, err := VerifyMobileKey(viaWire(must(SignMobileKey(ksk, k))), ks)
	check("MobileKey", gotKey, k, err)
	rcl := &RevocationList{LockID: thisLock, SerialNo: 4, IssuedAt: wire(at), GrantIDs: []string{"g-9"}, CardGrantIDs: []string{}}
	gotList, err := VerifyRevocationList(viaWire(must(SignRevocationList(ksk, rcl))), ks)
	check("RevocationList", gotList, rcl, err)
	req := syncRequest(at)
	gotReq, err := VerifySyncRequest(viaWire(must(SignSyncRequest(device, req))), device.Key.Public().(ed25519.PublicKey))
	check("SyncRequest", gotReq, req, err)
	resp := &SyncResponse{LockID: thisLock, Counter: 8, Challenge: req.Challenge, ServerTime: wire(at),
		TimeZone: "Europe/Vienna", KeySet: ks, Revocations: *rcl, AckEntryNo: 41}
	gotResp, err := VerifySyncResponse(viaWire(must(SignSyncResponse(ksk, resp))), ks)
	check("SyncResponse", gotResp, resp, err)
}

// TestVerify_WrongType refuses a message presented as another kind, and a key set or device key
// that did not sign it.
func TestVerify_WrongType(t *testing.T) {
	ksk := signer("ksk-1")
	ks := keySetOf(ksk)
	rcl := must(SignRevocationList(ksk, &RevocationList{LockID: thisLock, SerialNo: 1}))
	if _, err := VerifyMobileKey(rcl, ks); !errors.Is(err, ErrFormat) {
		t.Errorf("a revocation list as a key: %v, want %v", err, ErrFormat)
	}
	if _, err := VerifyRevocationList(rcl, keySetOf(signer("ksk-2"))); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("unknown kid: %v, want %v", err, ErrUnknownKey)
	}
	impostor := Signer{KID: "ksk-1", Key: signer("other").Key} // the right kid, another key
	if _, err := VerifyRevocationList(must(SignRevocationList(impostor, &RevocationList{LockID: thisLock})), ks); !errors.Is(err, ErrSignature) {
		t.Errorf("key of the wrong signer: %v, want %v", err, ErrSignature)
	}
	device := signer(thisLock)
	forOther := syncRequest(time.Now())
	forOther.LockID = otherLock // signed by thisLock's device key, speaking for another lock
	if _, err := VerifySyncRequest(must(SignSyncRequest(device, forOther)), device.Key.Public().(ed25519.PublicKey)); err == nil {
		t.Errorf("a sync request for another lock than its signer verified")
	}
	if _, err := VerifyMobileKey(nil, ks); !errors.Is(err, ErrFormat) {
		t.Errorf("no envelope: %v, want %v", err, ErrFormat)
	}
}
