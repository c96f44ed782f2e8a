package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/sqlstore"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

// standingFixture is one account with an owner, a client and a token family on a fresh
// PostgreSQL database, and the token checks a request of that user makes.
type standingFixture struct {
	dsn    string
	db     *sqlstore.DB // with the standing cache
	direct *sqlstore.DB // without it: what the statement reads
	owner  string
	user   *keyward.User
	perm   string
	family keyward.TokenCheck // a token of the family, on the account
	bare   keyward.TokenCheck // a token without a family (client credentials), by its jti
}

func newStandingFixture(t *testing.T) *standingFixture {
	t.Helper()
	ctx := context.Background()
	f := &standingFixture{dsn: sqltest.DSN(t, sqlstore.Postgres)}
	var err error
	if f.db, err = sqlstore.Open(ctx, f.dsn); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.db.Close() })
	if f.direct, err = sqlstore.OpenPool(ctx, f.dsn, sqlstore.Pool{NoStandingCache: true}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.direct.Close() })
	d := f.db.Direct()
	f.user = &keyward.User{ID: "u1", Email: "ada@example.com", Kind: keyward.UserPerson, Verified: true, CreatedAt: keyward.TimeFromMillis(1000)}
	noErr(t, d.CreateUser(ctx, f.user))
	noErr(t, d.CreateClient(ctx, &keyward.Client{ID: "web", Name: "web", GrantTypes: []string{keyward.GrantAuthorizationCode},
		Scopes: []string{"openid", "read:core:entities"}, RedirectURIs: []string{"https://web.example/cb"}, AllowedOrigins: []string{},
		CreatedAt: keyward.TimeFromMillis(1000)}))
	noErr(t, d.CreateTokenFamily(ctx, &keyward.TokenFamily{ID: "fam", ClientID: "web", UserID: f.user.ID, CreatedAt: keyward.TimeFromMillis(1000)}))
	f.owner, f.perm = "o1", "p1"
	noErr(t, f.db.InNewOwnerTx(ctx, &keyward.Owner{ID: f.owner, Name: "One", Active: true, CreatedAt: keyward.TimeFromMillis(1000)}, func(tx keyward.OwnerTx) error {
		id := "ADA@example.com"
		if err := tx.CreateContact(ctx, &keyward.Contact{ID: "c1", OwnerID: f.owner, IPID: keyward.IPTapkey, Identifier: &id, CreatedAt: keyward.TimeFromMillis(1000)}); err != nil {
			return err
		}
		return tx.CreatePermission(ctx, &keyward.Permission{ID: f.perm, OwnerAccountID: f.owner, ContactID: "c1", Role: keyward.RoleAdmin, CreatedAt: keyward.TimeFromMillis(1000)})
	}))
	f.family = keyward.TokenCheck{UserID: f.user.ID, ClientID: "web", Family: "fam", JTI: "j1", OwnerID: f.owner}
	f.bare = keyward.TokenCheck{UserID: f.user.ID, ClientID: "web", JTI: "j2", OwnerID: f.owner}
	waitFor(t, "the store to find itself alone on the database", func() bool { return f.db.StandingStats().Alone })
	return f
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// check runs CheckAccessToken on the cached store and reports whether it was a hit, and what
// the statement reads now.
func (f *standingFixture) check(t *testing.T, tc keyward.TokenCheck) (got, want *keyward.TokenStanding, hit bool) {
	t.Helper()
	ctx := context.Background()
	before := f.db.StandingStats().Hits
	got, err := f.db.CheckAccessToken(ctx, tc)
	if err != nil {
		t.Fatalf("CheckAccessToken(%+v): %v", tc, err)
	}
	hit = f.db.StandingStats().Hits == before+1
	if want, err = f.direct.CheckAccessToken(ctx, tc); err != nil {
		t.Fatalf("CheckAccessToken(%+v) without the cache: %v", tc, err)
	}
	return got, want, hit
}

// TestStandingCache_AnswersWhatIsCommitted: while the store is alone on its database, a second
// check of a token is answered from memory, and after each kind of write that changes what the
// check reads (a revocation by jti and by family, the client's scopes, the role, the account's
// version, the user, the client's deletion), the next check answers what the database holds.
func TestStandingCache_AnswersWhatIsCommitted(t *testing.T) {
	f := newStandingFixture(t)
	ctx := context.Background()
	d := f.db.Direct()
	writes := []struct {
		name    string
		write   func() error
		changed func(before, after *keyward.TokenStanding) bool // true once a check shows the write
		// everyCheck: both tokens' checks must show it (a change of the account, the role or the
		// client), not only one (a revocation by jti or by family)
		everyCheck bool
	}{
		{"RevokeAccessToken", func() error { return d.RevokeAccessToken(ctx, "j2", keyward.TimeFromMillis(1<<50)) },
			func(_, st *keyward.TokenStanding) bool { return st.Revoked }, false},
		{"UpdateClientScopes", func() error {
			return d.UpdateClient(ctx, "web", keyward.ClientUpdate{Scopes: []string{"openid"}})
		}, func(_, st *keyward.TokenStanding) bool { return cmp.Equal(st.ClientScopes, []string{"openid"}) }, true},
		{"UpdateOwner", func() error {
			return f.db.InOwnerTx(ctx, f.owner, func(tx keyward.OwnerTx) error {
				return tx.UpdateOwner(ctx, keyward.OwnerUpdate{Name: apitest.Ptr("Renamed")})
			})
		}, func(before, st *keyward.TokenStanding) bool { return *st.AccountVersion > *before.AccountVersion }, true},
		{"DeletePermission", func() error {
			return f.db.InOwnerTx(ctx, f.owner, func(tx keyward.OwnerTx) error { return tx.DeletePermission(ctx, f.perm) })
		}, func(_, st *keyward.TokenStanding) bool { return st.Role == "" }, true},
		{"SetUserVerified", func() error {
			return f.db.InTx(ctx, func(tx keyward.Tx) error { return tx.SetUserVerified(ctx, f.user.ID) })
		}, nil, false}, // already verified: a write that changes nothing still drops the answers
		{"RevokeTokenFamily", func() error { return d.RevokeTokenFamily(ctx, "fam", keyward.TimeFromMillis(5000)) },
			func(_, st *keyward.TokenStanding) bool { return st.FamilyRevokedAt != nil }, false},
		{"DeleteClient", func() error { return d.DeleteClient(ctx, "web") },
			func(_, st *keyward.TokenStanding) bool { return st.ClientScopes == nil }, true},
	}
	for _, w := range writes {
		for _, tc := range []keyward.TokenCheck{f.family, f.bare} {
			f.check(t, tc)
			if got, want, hit := f.check(t, tc); !hit || !cmp.Equal(got, want) {
				t.Fatalf("before %s: second check of %+v: hit %v, %+v; want a hit of %+v", w.name, tc, hit, got, want)
			}
		}
		_, before, _ := f.check(t, f.family)
		noErr(t, w.write())
		shown := w.changed == nil
		for _, tc := range []keyward.TokenCheck{f.family, f.bare} {
			got, want, hit := f.check(t, tc)
			if hit {
				t.Errorf("after %s: the check of %+v was answered from memory", w.name, tc)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("after %s: check of %+v (-statement +cached store):\n%s", w.name, tc, diff)
			}
			if w.changed != nil {
				this := w.changed(before, got)
				if w.everyCheck && !this {
					t.Errorf("after %s: the check of %+v does not show the write: %+v", w.name, tc, got)
				}
				shown = shown || this
			}
		}
		if !shown {
			t.Errorf("after %s: no check shows the write", w.name)
		}
	}
}

// TestStandingCache_RevocationRace: with checks of many tokens running all the time, answered
// from memory between the revocations, a check that starts after a revocation returned finds
// the token revoked, every time.
func TestStandingCache_RevocationRace(t *testing.T) {
	f := newStandingFixture(t)
	ctx := context.Background()
	const tokens = 200
	var revoked [tokens]atomic.Bool
	check := func(i int) keyward.TokenCheck {
		return keyward.TokenCheck{UserID: f.user.ID, ClientID: "web", JTI: fmt.Sprint("race-", i), OwnerID: f.owner}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var stale atomic.Int64
	for r := range 4 {
		wg.Go(func() {
			for n := r; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				i := n % tokens
				was := revoked[i].Load()
				st, err := f.db.CheckAccessToken(ctx, check(i))
				if err != nil {
					t.Error(err)
					return
				}
				if was && !st.Revoked {
					stale.Add(1)
				}
			}
		})
	}
	for i := range tokens {
		noErr(t, f.db.Direct().RevokeAccessToken(ctx, check(i).JTI, keyward.TimeFromMillis(1<<50)))
		revoked[i].Store(true)
		if st, err := f.db.CheckAccessToken(ctx, check(i)); err != nil || !st.Revoked {
			t.Errorf("token %d: check right after its revocation: %+v, %v; want revoked", i, st, err)
		}
		// let the readers answer from memory between two revocations, so that the next one
		// lands on a warm cache
		hits := f.db.StandingStats().Hits
		for deadline := time.Now().Add(100 * time.Millisecond); f.db.StandingStats().Hits < hits+4 && time.Now().Before(deadline); {
			time.Sleep(100 * time.Microsecond)
		}
	}
	close(stop)
	wg.Wait()
	if n := stale.Load(); n > 0 {
		t.Errorf("%d checks that began after a revocation found the token standing", n)
	}
	if s := f.db.StandingStats(); s.Hits == 0 {
		t.Errorf("no check was answered from memory (%+v): the race did not exercise the cache", s)
	}
}

// TestStandingCache_OtherSessionsTurnItOff: a session of another program on the database turns
// the answers from memory off within a look, and a new connection of the store waits a lease
// before it is used while such a session is there.
func TestStandingCache_OtherSessionsTurnItOff(t *testing.T) {
	f := newStandingFixture(t)
	ctx := context.Background()
	other, err := sql.Open("pgx", f.dsn)
	noErr(t, err)
	defer other.Close()
	noErr(t, other.PingContext(ctx))
	waitFor(t, "the other session to be seen", func() bool { return !f.db.StandingStats().Alone })
	f.check(t, f.bare)
	if _, _, hit := f.check(t, f.bare); hit {
		t.Error("a check was answered from memory beside another program's session")
	}

	start := time.Now()
	late, err := sqlstore.Open(ctx, f.dsn)
	noErr(t, err)
	if took := time.Since(start); took < 500*time.Millisecond {
		t.Errorf("a store opened beside another program's session in %v, want it to wait the lease of 500ms", took)
	}
	late.Close()

	other.Close()
	waitFor(t, "the store to be alone again", func() bool { return f.db.StandingStats().Alone })
	f.check(t, f.bare)
	if _, _, hit := f.check(t, f.bare); !hit {
		t.Error("no answer from memory once the store was alone again")
	}
}

// standingHelperEnv makes the test binary a second program that revokes one jti on a database
// (TestStandingCache_AnotherProcessWrites).
const standingHelperEnv = "KEYWARD_STANDING_HELPER_DSN"

// TestStandingCache_AnotherProcessWrites: a store alone on its database answers from memory; a
// second process that opens a store on it and revokes a token at once is not missed: its first
// connection waits a lease (the second process checks that it did), by which time the first
// process has seen it, so the check right after the second process ended finds the token
// revoked.
func TestStandingCache_AnotherProcessWrites(t *testing.T) {
	if dsn := os.Getenv(standingHelperEnv); dsn != "" {
		start := time.Now()
		db, err := sqlstore.Open(context.Background(), dsn)
		noErr(t, err)
		defer db.Close()
		if took := time.Since(start); took < 500*time.Millisecond {
			t.Errorf("the store opened beside another process's sessions in %v, want it to wait the lease of 500ms", took)
		}
		noErr(t, db.Direct().RevokeAccessToken(context.Background(), "j2", keyward.TimeFromMillis(1<<50)))
		return
	}
	f := newStandingFixture(t)
	for range 3 {
		f.check(t, f.bare)
	}
	if _, _, hit := f.check(t, f.bare); !hit {
		t.Fatal("the check was not answered from memory before the other process wrote")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestStandingCache_AnotherProcessWrites$", "-test.count=1")
	cmd.Env = append(os.Environ(), standingHelperEnv+"="+f.dsn)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the other process: %v\n%s", err, out)
	}
	got, want, hit := f.check(t, f.bare)
	if hit || !got.Revoked {
		t.Errorf("check after another process revoked the token: hit %v, %+v; want a miss that finds it revoked (%+v)", hit, got, want)
	}
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
