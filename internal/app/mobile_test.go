package app_test

import (
	"cmp"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/client"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
	"github.com/keyward/keyward/internal/oauth"
	"github.com/keyward/keyward/internal/service"
)

// phoneScopes are the scopes of the mobile API.
var phoneScopes = []string{keyward.ScopeReadUser, keyward.ScopeRegisterMobiles, keyward.ScopeHandleKeys}

// bearerClient is the Go client sending one access token.
func bearerClient(base, token string) *client.Client {
	return client.New(base, oauth2.NewClient(context.Background(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token})))
}

// phoneToken is an access token of the token-exchange client "phone" for the acme.idp user sub.
func (e *authEnv) phoneToken(t *testing.T, sub, scope string) string {
	t.Helper()
	now := time.Now()
	jwt := signJWT(t, e.idpKey, "JWT", map[string]any{"iss": idpIssuer, "aud": "tapkey_api", "sub": sub, "iat": now.Unix(),
		"exp": now.Add(time.Hour).Unix(), oauth.ExchangeClientIDClaim: e.clientIDs["phone"]})
	res := e.postToken(t, url.Values{"grant_type": {keyward.GrantTokenExchange}, "client_id": {e.clientIDs["phone"]}, "provider": {"acme.idp"},
		"subject_token": {jwt}, "subject_token_type": {"jwt"}, "scope": {scope}}, "")
	if res.status != 200 {
		t.Fatalf("token exchange for %s: %d %s", sub, res.status, res.body)
	}
	return jsonField(t, res.body, "access_token")
}

// phoneGrants gives the acme.idp user sub two grants: one on lock1 in o1, one in o2 on a group
// of lock2 and a new lock; and one in o1, on the fixture's free lock, that starts in 30 days,
// too far ahead for a key. It returns
// the grants and the physical lock ids of the group, sorted.
func (e *authEnv) phoneGrants(t *testing.T, sub string) (onLock, onGroup, later *keyward.Grant, groupLocks []string) {
	t.Helper()
	ctx := context.Background()
	e.ownerToken(t, "o2")
	o1, o2 := e.admin, e.account("owner", "o2")
	idp, ipUser := "acme.idp", sub
	person := keyward.ContactCreate{IPID: &idp, IPUserID: &ipUser}
	c1, err := o1.CreateContact(ctx, person)
	e.must(err)
	c2, err := o2.CreateContact(ctx, person)
	e.must(err)
	phys3, code3 := e.register(ctx, true)
	lock3, err := o2.BindLock(ctx, keyward.BindLockRequest{PhysicalLockID: phys3.ID, BindingCode: code3})
	e.must(err)
	group, err := o2.CreateLockGroup(ctx, keyward.LockGroupCreate{Title: "Shop"})
	e.must(err)
	for _, l := range []string{e.ids["lock2"], lock3.ID} {
		_, err := o2.AddLockGroupMember(ctx, group.ID, l)
		e.must(err)
	}
	month := keyward.NewTime(time.Now().Add(30 * 24 * time.Hour))
	onLock, err = o1.CreateGrant(ctx, keyward.GrantCreate{BoundLockID: e.ids["lock1"], ContactID: &c1.ID, ValidBefore: &month})
	e.must(err)
	onGroup, err = o2.CreateGrant(ctx, keyward.GrantCreate{BoundLockID: group.ID, ContactID: &c2.ID})
	e.must(err)
	free, err := o1.BindLock(ctx, keyward.BindLockRequest{PhysicalLockID: e.freeLockID, BindingCode: e.freeCode})
	e.must(err)
	later, err = o1.CreateGrant(ctx, keyward.GrantCreate{BoundLockID: free.ID, ContactID: &c1.ID, ValidFrom: &month})
	e.must(err)
	groupLocks = []string{e.ids["phys2"], phys3.ID}
	slices.Sort(groupLocks)
	return onLock, onGroup, later, groupLocks
}

// TestMobileAPI: a phone of an identity-provider user, signed in by token exchange, registers
// itself and fetches the keys of its user's grants in two owner accounts; each key verifies with
// the key set its locks got at their sync and opens them; a poll with the ETag is 304 until a
// revocation, after which the key is gone and the lock refuses it from its next sync on.
func TestMobileAPI(t *testing.T) {
	forEachAuthEnv(t, func(t *testing.T, e *authEnv) {
		ctx := context.Background()
		e.addClient(t, keyward.ClientCreate{Name: "Phone", Public: true, GrantTypes: []string{keyward.GrantTokenExchange}, Scopes: phoneScopes})
		phone := bearerClient(e.base, e.phoneToken(t, "acme-user-9", "read:user register:mobiles handle:keys"))
		me, err := phone.Me(ctx)
		e.must(err)
		if want := (keyward.Me{ID: me.ID, IPID: "acme.idp", IPUserID: apitest.Ptr("acme-user-9"), Kind: keyward.UserExternal}); !gocmp.Equal(*me, want) || me.ID == "" {
			t.Fatalf("Me = %+v, want %+v", me, want)
		}
		pub, priv, err := ed25519.GenerateKey(nil)
		e.must(err)
		m, err := phone.RegisterMobile(ctx, keyward.MobileCreate{PublicKey: pub, Name: "Pixel 9", Platform: keyward.PlatformAndroid})
		e.must(err)
		again, err := phone.RegisterMobile(ctx, keyward.MobileCreate{PublicKey: pub, Name: "Renamed", Platform: keyward.PlatformOther})
		e.must(err)
		list, err := phone.FindMobiles(ctx)
		e.must(err)
		if !gocmp.Equal(again, m) || len(list) != 1 || !gocmp.Equal(list[0], m) || m.Name != "Pixel 9" || !slices.Equal(m.PublicKey, pub) {
			t.Fatalf("registered %+v, again %+v, listed %+v", m, again, list)
		}

		onLock, onGroup, later, groupLocks := e.phoneGrants(t, "acme-user-9")
		keys, etag, notModified, err := phone.FetchKeys(ctx, m.ID, "")
		e.must(err)
		if notModified || etag == "" || len(keys.Keys) != 2 {
			t.Fatalf("fetch: %d keys, ETag %q, notModified %v; want 2 keys and an ETag", len(keys.Keys), etag, notModified)
		}
		lock1, err := e.admin.BoundLock(ctx, e.ids["lock1"])
		e.must(err)
		checkIssued(t, keys.Keys[0], keyward.IssuedKey{GrantID: onLock.ID, OwnerAccountID: e.ids["o1"], ContactID: *onLock.ContactID,
			BoundLockID: &onLock.BoundLockID, PhysicalLockIDs: []string{lock1.PhysicalLockID}})
		checkIssued(t, keys.Keys[1], keyward.IssuedKey{GrantID: onGroup.ID, OwnerAccountID: e.ids["o2"], ContactID: *onGroup.ContactID,
			LockGroupID: &onGroup.BoundLockID, PhysicalLockIDs: groupLocks})

		relay := client.New(e.base, nil) // a phone relays the locks' syncs
		for _, k := range keys.Keys {
			for _, id := range k.PhysicalLockIDs {
				_, err := e.locks[id].Sync(ctx, relay, nil, nil)
				e.must(err)
			}
		}
		for _, k := range keys.Keys {
			for _, id := range k.PhysicalLockIDs {
				opens(t, e.locks[id], k, priv, pub, lockproto.ReasonAllowed)
			}
		}
		opens(t, e.locks[groupLocks[0]], keys.Keys[0], priv, pub, lockproto.ReasonWrongLock)

		t.Run("PollIsNotModified", func(t *testing.T) {
			keys, tag, notModified, err := phone.FetchKeys(ctx, m.ID, etag)
			e.must(err)
			if !notModified || keys != nil || tag != etag {
				t.Fatalf("poll: notModified %v, keys %v, ETag %q; want 304 with ETag %q", notModified, keys, tag, etag)
			}
		})
		t.Run("RevocationEndsTheKey", func(t *testing.T) {
			revoked, err := e.admin.RevokeGrant(ctx, onLock.ID, false)
			e.must(err)
			if revoked.State != keyward.GrantRevocationPending {
				t.Fatalf("a fetched grant revokes to %s, want RevocationPending", revoked.State)
			}
			never, err := e.admin.RevokeGrant(ctx, later.ID, false)
			e.must(err)
			if never.State != keyward.GrantRevoked {
				t.Fatalf("a grant whose key was never fetched revokes to %s, want Revoked", never.State)
			}
			after, tag, notModified, err := phone.FetchKeys(ctx, m.ID, etag)
			e.must(err)
			if notModified || tag == etag || len(after.Keys) != 1 || after.Keys[0].GrantID != onGroup.ID {
				t.Fatalf("after the revocation: notModified %v, ETag %q (was %q), keys %+v; want the group's key only", notModified, tag, etag, after)
			}
			lock := e.locks[keys.Keys[0].PhysicalLockIDs[0]]
			_, err = lock.Sync(ctx, relay, nil, nil)
			e.must(err)
			opens(t, lock, keys.Keys[0], priv, pub, lockproto.ReasonRevoked)
		})
		t.Run("OtherUsersMobileIsNotFound", func(t *testing.T) {
			other := bearerClient(e.base, e.phoneToken(t, "acme-user-10", "register:mobiles handle:keys"))
			_, _, _, err := other.FetchKeys(ctx, m.ID, "")
			wantClientError(t, err, 404, "", "The resource was not found.", `the caller has no mobile "`+m.ID+`"`)
			wantClientError(t, other.RemoveMobile(ctx, m.ID), 404, "", "The resource was not found.", `the caller has no mobile "`+m.ID+`"`)
		})
		t.Run("WrongScopes", func(t *testing.T) {
			narrow := bearerClient(e.base, e.phoneToken(t, "acme-user-9", "read:user"))
			_, _, _, err := narrow.FetchKeys(ctx, m.ID, "")
			wantClientError(t, err, 401, "", "The access token lacks a required scope.", `the operation requires the scope "handle:keys"`)
			_, err = narrow.FindMobiles(ctx)
			wantClientError(t, err, 401, "", "The access token lacks a required scope.", `the operation requires the scope "register:mobiles"`)
		})
		t.Run("ServiceUserIsRefused", func(t *testing.T) {
			res := e.do("GET", "/api/v1/Me", e.token("admin"), "", nil)
			want := `{"ErrorCode":"","ErrorMessage":"The caller has no permission for this operation.","ErrorDetails":"a token of client \"{adminClient}\" for user \"` +
				e.serviceUserID(t, "admin") + `\" cannot read the caller's user; only a person or an identity-provider user (never a client's service user) can","UserErrorMessage":""}`
			if res.status != 403 {
				t.Fatalf("GET /Me as a service user: %d %s", res.status, res.body)
			}
			checkJSON(t, res.body, e.expand(want))
		})
		t.Run("RemovedMobileGetsNoKeys", func(t *testing.T) {
			e.must(phone.RemoveMobile(ctx, m.ID))
			_, _, _, err := phone.FetchKeys(ctx, m.ID, etag)
			wantClientError(t, err, 404, "", "The resource was not found.", `the caller has no mobile "`+m.ID+`"`)
			if list, err := phone.FindMobiles(ctx); err != nil || len(list) != 0 {
				t.Fatalf("mobiles after the removal: %v, %v", list, err)
			}
		})
	})
}

// checkIssued compares a fetched key's fields, but its envelope, with want; notAfter must lie
// six to seven days ahead.
func checkIssued(t *testing.T, got, want keyward.IssuedKey) {
	t.Helper()
	left := time.Until(got.NotAfter.Time)
	want.NotAfter, want.Key = got.NotAfter, got.Key
	if diff := gocmp.Diff(want, got); diff != "" || left < 6*24*time.Hour || left > lockproto.MaxKeyValidity {
		t.Errorf("key of grant %s (-want +got):\n%s\nnotAfter in %s", want.GrantID, diff, left)
	}
}

// opens presents the key to the lock as the phone does (the key and a holder proof for the
// lock's challenge) a minute from now and checks the lock's decision.
func opens(t *testing.T, lock *apitest.Lock, k keyward.IssuedKey, phone ed25519.PrivateKey, pub ed25519.PublicKey, want string) {
	t.Helper()
	var env lockproto.Envelope
	if err := json.Unmarshal(k.Key, &env); err != nil {
		t.Fatal(err)
	}
	key, err := lockproto.VerifyMobileKey(&env, lock.State.KeySet)
	if err != nil {
		t.Fatalf("the key of grant %s does not verify with the key set of lock %s: %v", k.GrantID, lock.State.LockID, err)
	}
	challenge := lockproto.NewChallenge()
	if !slices.Equal(key.PhonePublicKey, pub) || key.GrantID != k.GrantID || !lockproto.VerifyHolder(key, lock.State.LockID, challenge,
		lockproto.ProveHolder(phone, lock.State.LockID, challenge)) {
		t.Fatalf("the key of grant %s is not bound to the phone: %+v", k.GrantID, key)
	}
	if d := lockproto.Decide(&env, &lock.State, time.Now().Add(time.Minute)); d.Reason != want {
		t.Errorf("lock %s decides %s (%s) on the key of grant %s, want %s", lock.State.LockID, d.Reason, d.Detail, k.GrantID, want)
	}
}

// serviceUserID is the id of a client-credentials client's service user.
func (f *fixture) serviceUserID(t *testing.T, client string) string {
	t.Helper()
	u, err := f.m.Store.FindUserByEmail(context.Background(), keyward.ServiceUserEmail(f.ids[client+"Client"]))
	f.must(err)
	return u.ID
}

// TestMobileAPI_Person: a person signed in through the authorization-code flow is known as a
// contact by the address, in any casing, and gets that contact's key.
func TestMobileAPI_Person(t *testing.T) {
	forEachAuthEnv(t, func(t *testing.T, e *authEnv) {
		ctx := context.Background()
		const cb = "http://127.0.0.1:8766/cb"
		e.addClient(t, keyward.ClientCreate{Name: "Pocket", Public: true, GrantTypes: []string{keyward.GrantAuthorizationCode},
			Scopes: phoneScopes, RedirectURIs: []string{cb}})
		cfg := &oauth2.Config{ClientID: e.clientIDs["pocket"], Scopes: phoneScopes, RedirectURL: cb,
			Endpoint: oauth2.Endpoint{AuthURL: e.base + "/connect/authorize", TokenURL: e.base + "/connect/token", AuthStyle: oauth2.AuthStyleInParams}}
		verifier := oauth2.GenerateVerifier()
		q := e.browser(t).authorize(cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)))
		tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
		e.must(err)
		phone := bearerClient(e.base, tok.AccessToken)
		me, err := phone.Me(ctx)
		e.must(err)
		if me.Email == nil || *me.Email != patEmail || me.IPID != keyward.IPTapkey || me.IPUserID != nil || me.Kind != keyward.UserPerson {
			t.Fatalf("Me = %+v", me)
		}
		g, err := e.admin.CreateGrant(ctx, e.inlineGrant("lock1", "PAT@Example.com"))
		e.must(err)
		m, err := phone.RegisterMobile(ctx, keyward.MobileCreate{PublicKey: make([]byte, 32), Name: "Pat's", Platform: keyward.PlatformIOS})
		e.must(err)
		keys, _, _, err := phone.FetchKeys(ctx, m.ID, "")
		e.must(err)
		if len(keys.Keys) != 1 || keys.Keys[0].GrantID != g.ID {
			t.Fatalf("keys %+v, want the key of grant %s", keys, g.ID)
		}
	})
}

// TestMobileAPI_Limit: a user holds at most service.MaxMobiles mobiles. Registrations racing on
// two nodes past the limit end with exactly the limit, the others refused with a 400 that says
// what to do; the same key again is still its mobile, and a removed mobile makes room.
func TestMobileAPI_Limit(t *testing.T) {
	forEachAuthEnv(t, func(t *testing.T, e *authEnv) {
		ctx := context.Background()
		e.addClient(t, keyward.ClientCreate{Name: "Phone", Public: true, GrantTypes: []string{keyward.GrantTokenExchange}, Scopes: phoneScopes})
		token := e.phoneToken(t, "acme-user-9", "read:user register:mobiles")
		nodes := []*client.Client{bearerClient(e.base, token), bearerClient(e.secondNode(t), token)}
		me, err := nodes[0].Me(ctx)
		e.must(err)
		register := func(c *client.Client) (*keyward.Mobile, error) {
			pub, _, err := ed25519.GenerateKey(nil)
			e.must(err)
			return c.RegisterMobile(ctx, keyward.MobileCreate{PublicKey: pub, Name: "Phone", Platform: keyward.PlatformOther})
		}
		var first *keyward.Mobile
		for i := range service.MaxMobiles - 5 {
			m, err := register(nodes[i%2])
			e.must(err)
			first = cmp.Or(first, m)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		counts := map[string]int{}
		var refusal *client.Error
		for i := range 15 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := register(nodes[i%2])
				mu.Lock()
				defer mu.Unlock()
				counts[apitest.Outcome(err, 200)]++
				errors.As(err, &refusal)
			}()
		}
		wg.Wait()
		if counts["200"] != 5 || counts["400"] != 10 || len(counts) != 2 {
			t.Fatalf("answers %v, want 5×200 and 10×400", counts)
		}
		want := client.Error{Status: 400, ErrorMessage: "The request is invalid.", ErrorDetails: fmt.Sprintf(
			"user %q has %d mobiles registered, the most one user may have; remove one (DELETE /api/v1/Me/Mobiles/{id}) before registering another", me.ID, service.MaxMobiles)}
		if refusal == nil || *refusal != want {
			t.Fatalf("refusal %+v, want %+v", refusal, want)
		}
		again, err := nodes[1].RegisterMobile(ctx, keyward.MobileCreate{PublicKey: first.PublicKey, Name: "Phone", Platform: keyward.PlatformOther})
		e.must(err)
		if !gocmp.Equal(again, first) {
			t.Fatalf("the same key at the limit answered %+v, want %+v", again, first)
		}
		e.must(nodes[0].RemoveMobile(ctx, first.ID))
		if _, err := register(nodes[1]); err != nil {
			t.Fatalf("after a removal: %v", err)
		}
		list, err := nodes[0].FindMobiles(ctx)
		e.must(err)
		if len(list) != service.MaxMobiles {
			t.Fatalf("%d mobiles, want %d", len(list), service.MaxMobiles)
		}
	})
}
