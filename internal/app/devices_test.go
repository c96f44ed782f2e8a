package app_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/client"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
)

// wantClientError fails t unless err is the API error with exactly this status and body.
func wantClientError(t *testing.T, err error, status int, code, message, details string) {
	t.Helper()
	var e *client.Error
	if !errors.As(err, &e) || e.Status != status || e.ErrorCode != code || e.ErrorMessage != message || e.ErrorDetails != details {
		t.Fatalf("err = %v, want %d %q %q %q", err, status, code, message, details)
	}
}

// TestDevices_Sync drives the device API as locks do, over the wire with their device keys: the
// first sync is anchored by the binding code, later ones are signed with a key the lock holds;
// replays, foreign signatures and unknown locks are refused with the seed's body; log entries and
// health readings land in the lock's account once however often they are relayed.
func TestDevices_Sync(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		relay := client.New(f.base, nil) // a phone relays without a token of its own
		l1, err := f.admin.BoundLock(ctx, f.ids["lock1"])
		f.must(err)
		lock := f.locks[l1.PhysicalLockID]

		req, env, err := lock.Request(nil, nil)
		f.must(err)
		answer, err := relay.SyncLock(ctx, env)
		f.must(err)
		if len(answer.Anchor) == 0 {
			t.Fatal("the first answer to a lock that holds no key set has no anchor")
		}
		resp, err := lock.State.ApplySync(req, answer)
		f.must(err)
		if resp.TimeZone != "Europe/Vienna" || !lock.State.KeySet.Holds("ksk-1") || resp.Revocations.SerialNo != 0 || resp.AckEntryNo != 0 ||
			time.Since(resp.ServerTime.Time).Abs() > time.Minute {
			t.Fatalf("first sync answered %+v", resp)
		}

		t.Run("ReplayIsRefused", func(t *testing.T) {
			_, err := relay.SyncLock(ctx, env)
			wantClientError(t, err, 400, "SyncReplayed", "The lock's request was taken already.",
				`lock "`+l1.PhysicalLockID+`" sent counter 1, which is not above the last one accepted`)
		})
		t.Run("OtherLocksKeyIsRefused", func(t *testing.T) {
			_, other := lockproto.NewDeviceKey()
			forged := apitest.NewLock(l1.PhysicalLockID, other, "")
			forged.Counter = 100
			_, env, err := forged.Request(nil, nil)
			f.must(err)
			_, err = relay.SyncLock(ctx, env)
			wantClientError(t, err, 401, "DeviceAuthenticationFailed", "The lock's request is not signed by a registered lock.",
				`the request is not signed with the device key of a lock registered as "`+l1.PhysicalLockID+`"`)
		})
		t.Run("UnknownLockIsRefusedAlike", func(t *testing.T) {
			unknown := lockproto.EncodeLockID([]byte{9, 9, 9, 9, 9, 9})
			_, key := lockproto.NewDeviceKey()
			_, env, err := apitest.NewLock(unknown, key, "").Request(nil, nil)
			f.must(err)
			_, err = relay.SyncLock(ctx, env)
			wantClientError(t, err, 401, "DeviceAuthenticationFailed", "The lock's request is not signed by a registered lock.",
				`the request is not signed with the device key of a lock registered as "`+unknown+`"`)
		})
		t.Run("OtherMessageTypeIsRefused", func(t *testing.T) {
			bad := *env
			bad.Typ = lockproto.TypeMobileKey
			_, err := relay.SyncLock(ctx, &bad)
			wantClientError(t, err, 400, "", "The request is invalid.",
				`the envelope is format version 1, type "MobileKey"; this server takes version 1, type "SyncRequest"`)
		})

		t.Run("SignedPayloadThatIsNoSyncRequest", func(t *testing.T) {
			details := `payload: the lock signed a payload that is not a SyncRequest for lock "` + l1.PhysicalLockID + `", the envelope's kid (docs/lock-protocol.md)`
			for name, payload := range map[string][]byte{
				"NotJSON":    []byte("not json"),
				"OtherLock":  []byte(`{"lockId":"` + lockproto.EncodeLockID([]byte{1, 2}) + `","counter":500}`),
				"WrongTypes": []byte(`{"lockId":"` + l1.PhysicalLockID + `","counter":"many"}`),
			} {
				env := &lockproto.Envelope{V: lockproto.FormatVersion, Typ: lockproto.TypeSyncRequest, KID: l1.PhysicalLockID, Payload: payload}
				env.Sig = ed25519.Sign(lock.Device.Key, lockproto.SigningInput(env.V, env.Typ, env.KID, env.Payload))
				_, err := relay.SyncLock(ctx, env)
				t.Run(name, func(t *testing.T) { wantClientError(t, err, 400, "", "The request is invalid.", details) })
			}
		})
		t.Run("UploadsAreStoredOnce", func(t *testing.T) {
			at := keyward.NewTime(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
			entries := []lockproto.LogEntry{
				{EntryNo: 1, LockTimestamp: at, LogType: lockproto.LogTypeCommand, Command: lockproto.CommandTriggerLock,
					Result: lockproto.ResultAllowed, Reason: lockproto.ReasonAllowed, GrantID: apitest.Ptr("g-1"), ContactID: apitest.Ptr(f.ids["guest"])},
				{EntryNo: 2, LockTimestamp: at, LogType: lockproto.LogTypeCommand, Command: lockproto.CommandTriggerLock,
					Result: lockproto.ResultDenied, Reason: lockproto.ReasonOutsideRestriction, GrantID: apitest.Ptr("g-1")},
			}
			health := []lockproto.HealthReport{{MeasuredAt: keyward.NewTime(time.Now()), BatteryVoltage: 2.9, BatteryWarning: lockproto.BatteryLow, Temperature: 21.5}}
			resp, err := lock.SyncOnce(ctx, relay, entries, health)
			f.must(err)
			if resp.AckEntryNo != 2 {
				t.Fatalf("ackEntryNo = %d, want 2", resp.AckEntryNo)
			}
			// the answer was lost: the lock sends the same entries again with its next request
			resp, err = lock.SyncOnce(ctx, relay, entries, nil)
			f.must(err)
			if resp.AckEntryNo != 2 {
				t.Fatalf("ackEntryNo of the retry = %d, want 2", resp.AckEntryNo)
			}
			logs, err := f.admin.BoundLockLogEntries(ctx, f.ids["lock1"], &client.Query{Select: []string{"entryNo", "result", "reason", "grantId", "contactId", "lockTimestamp"}})
			f.must(err)
			got, _ := json.Marshal(logs)
			want := `[{"id":"","entryNo":1,"lockTimestamp":"2026-11-30T09:00:00.000Z","receivedAt":"0001-01-01T00:00:00.000Z","boundLockId":"","boundCardId":null,"contactId":"` + f.ids["guest"] +
				`","logType":"","command":"","result":"Allowed","reason":"Allowed","grantId":"g-1"},` +
				`{"id":"","entryNo":2,"lockTimestamp":"2026-11-30T09:00:00.000Z","receivedAt":"0001-01-01T00:00:00.000Z","boundLockId":"","boundCardId":null,"contactId":null,` +
				`"logType":"","command":"","result":"Denied","reason":"OutsideTimeRestriction","grantId":"g-1"}]`
			if string(got) != want {
				t.Fatalf("log entries\n got %s\nwant %s", got, want)
			}
			l, err := f.admin.BoundLock(ctx, f.ids["lock1"], keyward.ExpandHealthStatuses)
			f.must(err)
			var byType = map[string]float64{}
			for _, h := range l.HealthStatuses {
				if h.ValueStatus != keyward.HealthValueOk {
					t.Errorf("health %+v is not Ok", h)
				}
				byType[h.Type] = h.Value
			}
			if len(byType) != 3 || byType[keyward.HealthBatteryVoltage] != 2.9 || byType[keyward.HealthTemperature] != 21.5 ||
				byType[keyward.HealthBatteryWarningLevel] != keyward.BatteryWarningLow {
				t.Fatalf("health statuses = %+v", l.HealthStatuses)
			}
		})
	})
}

// TestDevices_Revocation: a grant whose key left the server is RevocationPending until the lock
// confirms the list that names it, and the list stays the physical lock's when it is bound to
// another account: the old account's keys are still refused there.
func TestDevices_Revocation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		relay := client.New(f.base, nil)
		f.createGrant(t, "held", f.contactGrant("lock1", "guest"))
		f.syncLock(t, "lock1") // the key reached a phone, then the lock synced
		if _, err := f.admin.RevokeGrant(ctx, f.ids["held"], false); err != nil {
			t.Fatal(err)
		}
		state := func() string {
			g, err := f.admin.Grant(ctx, f.ids["held"])
			f.must(err)
			return g.State
		}
		if s := state(); s != keyward.GrantRevocationPending {
			t.Fatalf("state after revoking a delivered grant = %s", s)
		}
		l1, err := f.admin.BoundLock(ctx, f.ids["lock1"])
		f.must(err)
		lock := f.locks[l1.PhysicalLockID]
		p, err := f.admin.LockPropagation(ctx, f.ids["lock1"])
		f.must(err)
		if p.UpToDate || len(p.PendingRevocations) != 1 || p.PendingRevocations[0].GrantID != f.ids["held"] ||
			apitest.Deref(p.PendingRevocations[0].ContactID) != f.ids["guest"] || p.OldestPendingSince == nil ||
			*p.OldestPendingSince != p.PendingRevocations[0].RevokedAt || apitest.Deref(p.OldestPendingAge) < 0 ||
			p.PendingRevocations[0].ExposureEndsAt == nil ||
			p.PendingRevocations[0].ExposureEndsAt.Sub(p.PendingRevocations[0].RevokedAt.Time) != lockproto.MaxKeyValidity ||
			p.RclSerialNo != 1 || apitest.Deref(p.LastSeenRclSerialNo) != 0 || p.LastSyncDate == nil {
			t.Fatalf("propagation before the lock confirmed = %s", apitest.JSON(p))
		}
		// One sync: the lock gets the list (serial 1 naming the grant) and confirms it at once.
		resp, err := lock.Sync(ctx, relay, nil, nil)
		f.must(err)
		if resp.Revocations.SerialNo != 1 || len(resp.Revocations.GrantIDs) != 1 || resp.Revocations.GrantIDs[0] != f.ids["held"] {
			t.Fatalf("revocation list = %+v", resp.Revocations)
		}
		if s := state(); s != keyward.GrantRevoked {
			t.Fatalf("state after the lock confirmed = %s", s)
		}
		p, err = f.admin.LockPropagation(ctx, f.ids["lock1"])
		f.must(err)
		if !p.UpToDate || len(p.PendingRevocations) != 0 || p.OldestPendingSince != nil || p.OldestPendingAge != nil || apitest.Deref(p.LastSeenRclSerialNo) != 1 {
			t.Fatalf("propagation after the lock confirmed = %s", apitest.JSON(p))
		}
		l1, err = f.admin.BoundLock(ctx, f.ids["lock1"])
		f.must(err)
		if l1.RclSerialNo != 1 || apitest.Deref(l1.LastSeenRclSerialNo) != 1 {
			t.Fatalf("lock after the confirmation: rclSerialNo %d, lastSeenRclSerialNo %v", l1.RclSerialNo, l1.LastSeenRclSerialNo)
		}

		// Unbind and bind to o2: the new binding's list starts above the old one and still
		// names the old account's grant.
		f.must(f.admin.UnbindLock(ctx, f.ids["lock1"]))
		oscar, err := f.m.Store.FindUserByEmail(ctx, "oscar@example.com")
		f.must(err)
		rebound, err := f.m.Service.BindLock(asUser(ctx, oscar), f.ids["o2"],
			keyward.BindLockRequest{PhysicalLockID: l1.PhysicalLockID, BindingCode: lock.State.BindingCode})
		f.must(err)
		if rebound.RclSerialNo != 2 {
			t.Fatalf("the new binding starts at serial %d, want 2", rebound.RclSerialNo)
		}
		resp, err = lock.Sync(ctx, relay, nil, nil)
		f.must(err)
		if resp.Revocations.SerialNo != 2 || len(resp.Revocations.GrantIDs) != 1 || resp.Revocations.GrantIDs[0] != f.ids["held"] {
			t.Fatalf("revocation list after rebinding = %+v", resp.Revocations)
		}
	})
}

// TestDevices_Cards: a card grant waits for a card write; the lock gets the card's image at its
// sync, writes it when the card is held to it, decides offline, and reports the write; revoking
// the grant puts it on the lock's list, and the next write takes it off the card.
func TestDevices_Cards(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		relay := client.New(f.base, nil)
		pc, err := f.m.Service.RegisterCard(asOperator(ctx), 2)
		f.must(err)
		card, err := f.admin.BindCard(ctx, keyward.BindCardRequest{PhysicalCardID: &pc.ID})
		f.must(err)
		f.ids["card"] = card.ID
		f.createGrant(t, "cg", f.cardGrant("lock1", "card"))
		cardState := func() (string, string) {
			g, err := f.admin.Grant(ctx, f.ids["cg"])
			f.must(err)
			return g.State, apitest.Deref(g.CardWriteState)
		}
		if st, cs := cardState(); st != keyward.GrantOk || cs != keyward.CardWritePending {
			t.Fatalf("a new card grant is %s/%s, want Ok/WritePending", st, cs)
		}
		p, err := f.admin.LockPropagation(ctx, f.ids["lock1"])
		f.must(err)
		if p.UpToDate || len(p.PendingCardWrites) != 1 || p.PendingCardWrites[0].BoundCardID != card.ID ||
			len(p.PendingCardWrites[0].GrantIDs) != 1 || p.PendingCardWrites[0].GrantIDs[0] != f.ids["cg"] {
			t.Fatalf("propagation with a card to write = %s", apitest.JSON(p))
		}

		l1, err := f.admin.BoundLock(ctx, f.ids["lock1"])
		f.must(err)
		lock := f.locks[l1.PhysicalLockID]
		resp, err := lock.Sync(ctx, relay, nil, nil)
		f.must(err)
		if len(resp.CardWrites) != 1 || len(lock.State.PendingCards) != 1 {
			t.Fatalf("the sync brought %d card images (pending %d), want 1", len(resp.CardWrites), len(lock.State.PendingCards))
		}
		now := time.Now()
		onCard, d := lock.State.PresentCard(card.UID, nil, now)
		if !d.Allowed || d.Key.GrantID != f.ids["cg"] {
			t.Fatalf("the card at the lock = %+v", d)
		}
		if d := lock.State.DecideCard("AAAAAAAAAA==", onCard, now); d.Allowed || d.Reason != lockproto.ReasonWrongCard {
			t.Fatalf("the image copied to another card = %+v", d)
		}
		if _, err := lock.Sync(ctx, relay, nil, nil); err != nil { // reports the write
			t.Fatal(err)
		}
		if st, cs := cardState(); st != keyward.GrantOk || cs != keyward.CardWritten {
			t.Fatalf("after the write the card grant is %s/%s, want Ok/Written", st, cs)
		}
		if p, err := f.admin.LockPropagation(ctx, f.ids["lock1"]); err != nil || !p.UpToDate {
			t.Fatalf("propagation after the write = %s, %v", apitest.JSON(p), err)
		}

		// Lost card: revoke. The image reached the lock, so the card may hold the grant.
		if _, err := f.admin.RevokeBoundCardGrants(ctx, card.ID); err != nil {
			t.Fatal(err)
		}
		if st, cs := cardState(); st != keyward.GrantRevocationPending || cs != keyward.CardWritePending {
			t.Fatalf("the revoked card grant is %s/%s, want RevocationPending/WritePending", st, cs)
		}
		resp, err = lock.Sync(ctx, relay, nil, nil)
		f.must(err)
		if len(resp.Revocations.CardGrantIDs) != 1 || resp.Revocations.CardGrantIDs[0] != f.ids["cg"] {
			t.Fatalf("the lock's list = %+v", resp.Revocations)
		}
		if st, _ := cardState(); st != keyward.GrantRevoked {
			t.Fatalf("after the lock confirmed its list the card grant is %s", st)
		}
		if d := lock.State.DecideCard(card.UID, onCard, now); d.Allowed || d.Reason != lockproto.ReasonRevoked {
			t.Fatalf("the old image at the lock after the revocation = %+v", d)
		}
		onCard, d = lock.State.PresentCard(card.UID, onCard, now) // the lock writes the card without the grant
		if d.Allowed || d.Reason != lockproto.ReasonWrongLock {
			t.Fatalf("the rewritten card = %+v", d)
		}
		img, err := lockproto.VerifyCardImage(onCard, lock.State.KeySet)
		f.must(err)
		if len(img.Keys) != 0 || img.Version != 2 {
			t.Fatalf("the card holds %+v, want version 2 without keys", img)
		}
		if _, err := lock.Sync(ctx, relay, nil, nil); err != nil {
			t.Fatal(err)
		}
		if _, cs := cardState(); cs != keyward.CardWritten {
			t.Fatalf("after the second write the card grant's write state is %s", cs)
		}
		resp, err = lock.Sync(ctx, relay, nil, nil)
		f.must(err)
		if len(resp.Revocations.CardGrantIDs) != 0 || len(resp.CardWrites) != 0 {
			t.Fatalf("the card no longer holds the grant, yet the lock gets %+v and %d images", resp.Revocations, len(resp.CardWrites))
		}
	})
}

// TestDevices_KeyRotation: after a rotation a lock is answered with the key it holds, learns the
// new one from that answer, and is answered with the new one from then on.
func TestDevices_KeyRotation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		relay := client.New(f.base, nil)
		l1, err := f.admin.BoundLock(ctx, f.ids["lock1"])
		f.must(err)
		lock := f.locks[l1.PhysicalLockID]
		signedWith := func() (string, []string) {
			req, env, err := lock.Request(nil, nil)
			f.must(err)
			answer, err := relay.SyncLock(ctx, env)
			f.must(err)
			if _, err := lock.State.ApplySync(req, answer); err != nil {
				t.Fatal(err)
			}
			return answer.KID, lock.State.KeySet.KIDs()
		}
		if kid, set := signedWith(); kid != "ksk-1" || !slices.Equal(set, []string{"ksk-1"}) {
			t.Fatalf("before the rotation: signed with %s, set %v", kid, set)
		}
		kid, err := f.m.Service.RotateKeySigningKey(asOperator(ctx))
		f.must(err)
		if kid != "ksk-2" {
			t.Fatalf("rotation made %s, want ksk-2", kid)
		}
		if kid, set := signedWith(); kid != "ksk-1" || !slices.Equal(set, []string{"ksk-1", "ksk-2"}) {
			t.Fatalf("the first sync after the rotation: signed with %s, set %v; want ksk-1, [ksk-1 ksk-2]", kid, set)
		}
		if kid, _ := signedWith(); kid != "ksk-2" {
			t.Fatalf("once the lock holds ksk-2 it is signed for with %s", kid)
		}
	})
}

// TestLockSync_MalformedBodies: the sync route parses a lock's upload once, in the service, and
// says precisely what is wrong with a body it cannot read, as every JSON route does.
func TestLockSync_MalformedBodies(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		invalid := func(details string) string {
			return `{"ErrorCode":"","ErrorMessage":"The request is invalid.","ErrorDetails":` + details + `,"UserErrorMessage":""}`
		}
		var tests []scenario
		for _, tt := range []struct{ name, body, details string }{
			{"Empty", ``, `"the request body is empty; a JSON object is required"`},
			{"Truncated", `{"v":1`, `"malformed JSON after 6 bytes: unexpected end of JSON input"`},
			{"Array", `[]`, `"the request body must be a JSON object"`},
			{"Null", `null`, `"the request body must be a JSON object"`},
			{"VersionNotANumber", `{"v":"one"}`, `"field \"v\": expected number"`},
			{"InvalidUTF8InAnUnknownField", "{\"v\":1,\"note\":\"\xff\"}", `"the request body is not valid UTF-8 (at byte 15)"`},
			{"NULInAnUnknownField", `{"v":1,"note":"a\u0000"}`, `"field \"note\" contains a NUL character"`},
			{"PayloadNotBase64", `{"v":1,"typ":"SyncRequest","kid":"x","payload":"%%%","sig":""}`, `"invalid request body: illegal base64 data at input byte 0"`},
			{"OtherVersion", `{"v":2,"typ":"SyncRequest","kid":"x","payload":"","sig":""}`,
				`"the envelope is format version 2, type \"SyncRequest\"; this server takes version 1, type \"SyncRequest\""`},
		} {
			tests = append(tests, scenario{name: tt.name, method: "POST", path: "/api/v1/Devices/Locks/Sync", body: tt.body,
				header: map[string]string{"Content-Type": "application/json"}, wantStatus: 400, wantBody: invalid(tt.details)})
		}
		f.run(t, tests)
	})
}
