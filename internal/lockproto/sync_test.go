package lockproto

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

func TestCheckCounter(t *testing.T) {
	for _, tt := range []struct {
		last, got uint64
		ok        bool
	}{{0, 1, true}, {5, 6, true}, {5, 90, true}, {5, 5, false}, {5, 4, false}, {0, 0, false}} {
		if err := CheckCounter(tt.last, tt.got); (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrReplay)) {
			t.Errorf("CheckCounter(%d, %d) = %v, want ok %v", tt.last, tt.got, err, tt.ok)
		}
	}
}

// TestApplySync: a lock takes the answer to its pending request once, and refuses answers to
// other requests, older revocation lists and other locks' lists.
func TestApplySync(t *testing.T) {
	ksk := signer("ksk-1")
	now := time.Date(2026, 3, 30, 7, 0, 0, 0, time.UTC)
	answer := func(req *SyncRequest, change func(r *SyncResponse)) *Envelope {
		r := &SyncResponse{LockID: req.LockID, Counter: req.Counter, Challenge: req.Challenge, ServerTime: wire(now),
			TimeZone: "Europe/Berlin", KeySet: keySetOf(ksk, signer("ksk-2")),
			Revocations: RevocationList{LockID: thisLock, SerialNo: 5, GrantIDs: []string{"g-0", "g-1"}}, AckEntryNo: 41}
		if change != nil {
			change(r)
		}
		return must(SignSyncResponse(ksk, r))
	}
	t.Run("OK", func(t *testing.T) {
		s, req := lockState(), syncRequest(now)
		resp, err := s.ApplySync(req, answer(req, nil))
		if err != nil || resp.AckEntryNo != 41 {
			t.Fatalf("ApplySync = %+v, %v", resp, err)
		}
		if s.Revocations.SerialNo != 5 || !s.Revocations.Revokes("g-1") || len(s.KeySet.Keys) != 2 || s.Location.String() != "Europe/Berlin" {
			t.Fatalf("state after the sync: %+v", s)
		}
	})
	t.Run("ReplayAfterTheRequestWasAnswered", func(t *testing.T) {
		s, req := lockState(), syncRequest(now)
		env := answer(req, nil)
		if _, err := s.ApplySync(req, env); err != nil {
			t.Fatal(err)
		}
		next := syncRequest(now) // the lock's next request has a new challenge and counter
		next.Counter++
		if _, err := s.ApplySync(next, env); !errors.Is(err, ErrReplay) {
			t.Fatalf("the old answer to the next request: %v, want %v", err, ErrReplay)
		}
		if _, err := s.ApplySync(nil, env); !errors.Is(err, ErrReplay) {
			t.Fatalf("an answer with no request pending: %v, want %v", err, ErrReplay)
		}
	})
	for name, change := range map[string]func(r *SyncResponse){
		"OtherChallenge": func(r *SyncResponse) { r.Challenge = NewChallenge() },
		"OtherCounter":   func(r *SyncResponse) { r.Counter++ },
		"OtherLock":      func(r *SyncResponse) { r.LockID = otherLock },
		"OlderList":      func(r *SyncResponse) { r.Revocations.SerialNo = 2 },
		"OtherLocksList": func(r *SyncResponse) { r.Revocations.LockID = otherLock },
	} {
		t.Run(name, func(t *testing.T) {
			s, req := lockState(), syncRequest(now)
			if _, err := s.ApplySync(req, answer(req, change)); !errors.Is(err, ErrReplay) {
				t.Fatalf("ApplySync = %v, want %v", err, ErrReplay)
			}
			if s.Revocations.SerialNo != 3 || len(s.KeySet.Keys) != 1 {
				t.Fatalf("a refused sync changed the state: %+v", s)
			}
		})
	}
	t.Run("NoKeySet", func(t *testing.T) {
		s, req := lockState(), syncRequest(now)
		if _, err := s.ApplySync(req, answer(req, func(r *SyncResponse) { r.KeySet = KeySet{} })); err == nil || len(s.KeySet.Keys) != 1 {
			t.Fatalf("a sync without keys was taken: %v", err)
		}
	})
	t.Run("ForgedBySomeoneElse", func(t *testing.T) {
		s, req := lockState(), syncRequest(now)
		forged := must(SignSyncResponse(Signer{KID: "ksk-1", Key: phone.Key}, &SyncResponse{LockID: thisLock, Counter: req.Counter,
			Challenge: req.Challenge, TimeZone: "UTC", KeySet: keySetOf(phone), Revocations: RevocationList{LockID: thisLock, SerialNo: 9}}))
		if _, err := s.ApplySync(req, forged); !errors.Is(err, ErrSignature) {
			t.Fatalf("a phone's own sync response: %v, want %v", err, ErrSignature)
		}
	})
}

// TestApplyRevocationList: a phone may carry a newer list to the lock, never an older one.
func TestApplyRevocationList(t *testing.T) {
	ksk := signer("ksk-1")
	list := func(serial int64, grants ...string) *Envelope {
		return must(SignRevocationList(ksk, &RevocationList{LockID: thisLock, SerialNo: serial, GrantIDs: grants}))
	}
	s := lockState()
	if err := s.ApplyRevocationList(list(4, "g-0", "g-1")); err != nil || !s.Revocations.Revokes("g-1") {
		t.Fatalf("newer list: %v, state %+v", err, s.Revocations)
	}
	if err := s.ApplyRevocationList(list(3, "g-0")); !errors.Is(err, ErrReplay) || !s.Revocations.Revokes("g-1") {
		t.Fatalf("older list: %v, state %+v", err, s.Revocations)
	}
	if err := s.ApplyRevocationList(must(SignRevocationList(ksk, &RevocationList{LockID: otherLock, SerialNo: 9}))); !errors.Is(err, ErrReplay) {
		t.Fatalf("other lock's list: %v", err)
	}
	if err := s.ApplyRevocationList(must(SignRevocationList(signer("ksk-9"), &RevocationList{LockID: thisLock, SerialNo: 9}))); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("list of an unknown key: %v", err)
	}
}

// TestApplySync_Anchor: a lock that holds none of the server's keys takes a response whose
// anchor its own binding code verifies, and nothing else: no anchor, another code, a payload
// changed after the anchor was made, or an anchor over a key set that did not sign the response.
func TestApplySync_Anchor(t *testing.T) {
	const code = "ABCDE12345"
	now := time.Date(2026, 3, 30, 7, 0, 0, 0, time.UTC)
	ksk := signer("ksk-7")
	fresh := func() *LockState {
		return &LockState{LockID: thisLock, ProtocolVersion: ProtocolLatest, BindingCode: code,
			Revocations: RevocationList{LockID: thisLock}}
	}
	answer := func(req *SyncRequest, s Signer, ks KeySet, anchorCode string) *Envelope {
		env := must(SignSyncResponse(s, &SyncResponse{LockID: req.LockID, Counter: req.Counter, Challenge: req.Challenge,
			ServerTime: wire(now), TimeZone: "Europe/Vienna", KeySet: ks, Revocations: RevocationList{LockID: thisLock, SerialNo: 2}}))
		if anchorCode != "" {
			env.Anchor = must(AnchorMAC(HashBindingCode(anchorCode), env))
		}
		return env
	}
	t.Run("OK", func(t *testing.T) {
		s, req := fresh(), syncRequest(now)
		if _, err := s.ApplySync(req, answer(req, ksk, keySetOf(ksk), code)); err != nil {
			t.Fatal(err)
		}
		if !s.KeySet.Holds("ksk-7") || s.Revocations.SerialNo != 2 {
			t.Fatalf("state after the anchored sync: %+v", s)
		}
	})
	for name, tt := range map[string]struct {
		env  func(req *SyncRequest) *Envelope
		want error
	}{
		"NoAnchor":    {func(req *SyncRequest) *Envelope { return answer(req, ksk, keySetOf(ksk), "") }, ErrUnknownKey},
		"OtherCode":   {func(req *SyncRequest) *Envelope { return answer(req, ksk, keySetOf(ksk), "ZZZZZ99999") }, ErrSignature},
		"ForeignKeys": {func(req *SyncRequest) *Envelope { return answer(req, ksk, keySetOf(signer("ksk-8")), code) }, ErrUnknownKey},
		"Tampered": {func(req *SyncRequest) *Envelope {
			env := answer(req, ksk, keySetOf(ksk), code)
			env.Payload = bytes.Replace(env.Payload, []byte(`"serialNo":2`), []byte(`"serialNo":9`), 1)
			return env
		}, ErrSignature},
	} {
		t.Run(name, func(t *testing.T) {
			s, req := fresh(), syncRequest(now)
			if _, err := s.ApplySync(req, tt.env(req)); !errors.Is(err, tt.want) {
				t.Fatalf("ApplySync = %v, want %v", err, tt.want)
			}
			if len(s.KeySet.Keys) != 0 {
				t.Fatalf("the lock installed a key set it could not trust: %+v", s.KeySet)
			}
		})
	}
}
