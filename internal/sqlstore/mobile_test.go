package sqlstore_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
	"github.com/keyward/keyward/internal/service"
	"github.com/keyward/keyward/internal/sqlstore"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

// keyUser is a user with n grants and a phone: the context of the phone's token and its mobile.
type keyUser struct {
	phone    context.Context
	mobileID string
}

// seedKeyUser gives Ada n grants in one account, the first on a lock and the others on groups
// holding that lock, and registers her phone.
func seedKeyUser(tb testing.TB, s *service.Service, n int) keyUser {
	tb.Helper()
	op := keyward.NewContextWithPrincipal(context.Background(), keyward.Operator())
	u := apitest.Check(s.CreateUser(op, keyward.UserCreate{Email: "ada@example.com", Verified: true}))(tb)
	owner := apitest.Check(s.CreateUser(op, keyward.UserCreate{Email: "olga@example.com", Verified: true}))(tb)
	acct := apitest.Check(s.RegisterOwner(op, keyward.OwnerRegistration{Name: "Office", OwnerEmail: owner.Email}))(tb)
	as := keyward.NewContextWithPrincipal(op, keyward.SessionPrincipal(owner))
	phys, code := apitest.Check2(s.RegisterLock(op, keyward.PhysicalLockCreate{DevicePublicKey: apitest.DeviceKey(), LockTypeID: "TK.Td30",
		ProtocolVersion: lockproto.ProtocolLatest, TimeZone: "Europe/Vienna", TimeRestrictionSupport: true}))(tb)
	lock := apitest.Check(s.BindLock(as, acct.ID, keyward.BindLockRequest{PhysicalLockID: phys.ID, BindingCode: code}))(tb)
	contact := apitest.Check(s.CreateContact(as, acct.ID, keyward.ContactCreate{Identifier: &u.Email}))(tb)
	targets := []string{lock.ID}
	for i := 1; i < n; i++ {
		g := apitest.Check(s.CreateLockGroup(as, acct.ID, keyward.LockGroupCreate{Title: fmt.Sprint("Group ", i)}))(tb)
		apitest.Check(s.AddLockGroupMember(as, acct.ID, g.ID, keyward.LockGroupMemberRequest{BoundLockID: lock.ID}))(tb)
		targets = append(targets, g.ID)
	}
	for _, target := range targets {
		apitest.Check(s.CreateGrant(as, acct.ID, keyward.GrantCreate{BoundLockID: target, ContactID: &contact.ID}))(tb)
	}
	phone := keyward.NewContextWithPrincipal(op, keyward.TokenPrincipal(u, "mobile-app",
		[]string{keyward.ScopeRegisterMobiles, keyward.ScopeHandleKeys}))
	m := apitest.Check(s.RegisterMobile(phone, keyward.MobileCreate{PublicKey: bytes.Repeat([]byte{7}, 32), Name: "Pixel", Platform: keyward.PlatformAndroid}))(tb)
	return keyUser{phone: phone, mobileID: m.ID}
}

// TestKeyFetchStatements fetches the keys of a user with 1 grant and of one with 50: the first
// fetch (which marks the grants delivered), a poll with the ETag (304) and one without must run
// the same statements for both, and a poll that brings nothing new writes nothing.
func TestKeyFetchStatements(t *testing.T) {
	for _, engine := range sqltest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			one, fifty := keyFetchStatements(t, engine, 1), keyFetchStatements(t, engine, 50)
			if diff := cmp.Diff(one, fifty); diff != "" {
				t.Fatalf("the statements for 1 grant (-) and for 50 (+) differ:\n%s", diff)
			}
			for _, poll := range []string{"poll", "poll without ETag"} {
				for _, q := range one[poll] {
					if !strings.HasPrefix(strings.TrimSpace(q), "SELECT") {
						t.Errorf("a %s runs %s", poll, q)
					}
				}
			}
		})
	}
}

// keyFetchStatements seeds a user with n grants on a fresh database and returns the statements
// each of three fetches ran, after checking what they answered.
func keyFetchStatements(t *testing.T, engine sqlstore.Engine, n int) map[string][]string {
	db := sqltest.Open(t, engine)
	s := service.New(db, service.Config{})
	u := seedKeyUser(t, s, n)
	statements := sqlstore.ObserveStatements(t, db)
	ran := map[string][]string{}
	var tag string
	for _, step := range []struct {
		name  string
		known []string
		want  int // keys answered; -1 for a 304
	}{{"first", nil, n}, {"poll", []string{"<tag>"}, -1}, {"poll without ETag", nil, n}} {
		before := len(statements())
		known := step.known
		if known != nil {
			known = []string{tag}
		}
		keys, got, err := s.FetchKeys(u.phone, u.mobileID, known)
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if (step.want < 0) != (keys == nil) || (keys != nil && len(keys.Keys) != step.want) || (tag != "" && got != tag) {
			t.Fatalf("%s: keys %v, tag %q (first %q); want %d keys", step.name, keys, got, tag, step.want)
		}
		tag = got
		for _, st := range statements()[before:] {
			ran[step.name] = append(ran[step.name], st.Query)
		}
	}
	return ran
}

// BenchmarkKeyFetch prints how long a phone of a user with 1000 grants waits for its keys (a
// fetch that signs every key) and for a poll answered 304, beside a reference program measured
// in the same run: signing the same 1000 keys with lockproto alone, without the store, the
// grants' lookup or the answer's assembly. The fetch/reference ratio is what Keyward adds to the
// signing work a fetch cannot avoid.
func BenchmarkKeyFetch(b *testing.B) {
	for _, engine := range sqltest.Engines(b) {
		b.Run(string(engine), func(b *testing.B) {
			s := service.New(sqltest.Open(b, engine), service.Config{})
			u := seedKeyUser(b, s, 1000)
			first, tag, err := s.FetchKeys(u.phone, u.mobileID, nil)
			if err != nil {
				b.Fatal(err)
			}
			var fetch, poll, ref time.Duration
			b.Run("Fetch", func(b *testing.B) {
				fetch = timeLoop(b, func() {
					if keys, _, err := s.FetchKeys(u.phone, u.mobileID, nil); err != nil || len(keys.Keys) != 1000 {
						b.Fatalf("fetch: %v", err)
					}
				})
			})
			b.Run("NotModified", func(b *testing.B) {
				poll = timeLoop(b, func() {
					if keys, _, err := s.FetchKeys(u.phone, u.mobileID, []string{tag}); err != nil || keys != nil {
						b.Fatalf("poll: %v", err)
					}
				})
			})
			b.Run("Reference", func(b *testing.B) {
				keys := referenceKeys(b, first)
				signer := lockproto.Signer{KID: "ksk-ref", Key: ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))}
				ref = timeLoop(b, func() {
					for _, k := range keys {
						if _, err := lockproto.SignMobileKey(signer, k); err != nil {
							b.Fatal(err)
						}
					}
				})
			})
			fmt.Printf("%s: key fetch of 1000 grants %v, poll answered 304 %v; reference (signing the same 1000 keys) %v; fetch/reference %.2f\n",
				engine, fetch, poll, ref, float64(fetch)/float64(ref))
		})
	}
}

// timeLoop runs fn in the benchmark's loop and returns the mean time of one run.
func timeLoop(b *testing.B, fn func()) time.Duration {
	start, n := time.Now(), 0
	for b.Loop() {
		fn()
		n++
	}
	return time.Since(start) / time.Duration(max(n, 1))
}

// referenceKeys are the keys a fetch answered, decoded, for the reference to sign again.
func referenceKeys(b *testing.B, fetched *keyward.MobileKeys) []*lockproto.MobileKey {
	keys := make([]*lockproto.MobileKey, len(fetched.Keys))
	for i, k := range fetched.Keys {
		var env lockproto.Envelope
		if err := json.Unmarshal(k.Key, &env); err != nil {
			b.Fatal(err)
		}
		keys[i] = new(lockproto.MobileKey)
		if err := json.Unmarshal(env.Payload, keys[i]); err != nil {
			b.Fatal(err)
		}
	}
	return keys
}
