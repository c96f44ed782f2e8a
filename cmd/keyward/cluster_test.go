package main_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/client"
	kw "github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
	"github.com/keyward/keyward/internal/sqlstore"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

// sharedAccount creates, through the CLI on dsn, the verified user ada@example.com and the
// owner account "Shared" she owns (with the extra flags of owner create), and returns the account.
func sharedAccount(t *testing.T, dsn string, ownerFlags ...string) struct{ ID string } {
	t.Helper()
	var user, owner struct{ ID string }
	keyward(t, &user, "admin", "user", "create", "--db", dsn, "--email", "ada@example.com", "--password", "correct horse", "--verified", "--json")
	keyward(t, &owner, append(append([]string{"admin", "owner", "create", "--db", dsn}, ownerFlags...),
		"--name", "Shared", "--owner-email", "ada@example.com", "--json")...)
	return owner
}

// TestTwoServersOnePostgres runs two `keyward serve` processes on one PostgreSQL database and
// sends 50 concurrent grant requests alternately to both: the Duplicate rule and the plan's
// smartphone-user limit hold across processes, because the database enforces them.
func TestTwoServersOnePostgres(t *testing.T) {
	dsn := sqltest.DSN(t, sqlstore.Postgres) // skips without PostgreSQL, fails if it is required
	plans := filepath.Join(t.TempDir(), "plans.json")
	err := os.WriteFile(plans, []byte(`{"default":"three","plans":[{"name":"three","smartphoneUserLimit":3,"features":["timeRestrictions","lockGroups"]}]}`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	owner := sharedAccount(t, dsn, "--plans", plans)
	var creds apiCreds
	keyward(t, &creds, "admin", "client", "create", "--db", dsn, "--name", "sync", "--scopes", "write:core:entities write:grants", "--admin-of", owner.ID, "--json")
	var lock struct{ PhysicalLockID, BindingCode string }
	keyward(t, &lock, "admin", "lock", "register", "--db", dsn, "--json")

	a, b := serve(t, dsn, "--plans", plans), serve(t, dsn, "--plans", plans)
	nodes := []*client.Account{creds.account(a, owner.ID), creds.account(b, owner.ID)}
	ctx := context.Background()
	bound, err := nodes[0].BindLock(ctx, kw.BindLockRequest{PhysicalLockID: lock.PhysicalLockID, BindingCode: lock.BindingCode})
	if err != nil {
		t.Fatal(err)
	}
	contact, err := nodes[1].CreateContact(ctx, kw.ContactCreate{Identifier: apitest.Ptr("guest@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	dup := apitest.FireGrants(nodes, 50, func(int) kw.GrantCreate { return kw.GrantCreate{BoundLockID: bound.ID, ContactID: &contact.ID} })
	if dup["200"] != 1 || dup["400 Duplicate"] != 49 {
		t.Fatalf("identical grants: %v, want 1×200 and 49×400 Duplicate", dup)
	}
	// The guest is one smartphone user already; two more fit into the plan's three.
	limit := apitest.FireGrants(nodes, 50, func(i int) kw.GrantCreate {
		return kw.GrantCreate{BoundLockID: bound.ID, Contact: &kw.GrantContact{Identifier: apitest.Ptr(fmt.Sprintf("user%02d@example.com", i))}}
	})
	if limit["200"] != 2 || limit["402 InsufficientSmartphoneUserContingent"] != 48 {
		t.Fatalf("new smartphone users: %v, want 2×200 and 48×402", limit)
	}
	a.stop(t)
	b.stop(t)
}

// apiCreds are the credentials of a client_credentials client that `keyward admin client create`
// printed.
type apiCreds struct{ ClientID, ClientSecret string }

// account is an owner account served by s, through the Go client with a token source of the
// real OAuth client library.
func (c apiCreds) account(s *server, ownerID string) *client.Account {
	cc := clientcredentials.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, TokenURL: s.base + "/connect/token"}
	return client.New(s.base, cc.Client(context.Background())).Account(ownerID)
}

// TestTwoServersRaceDependentMutations races, across two `keyward serve` processes on one
// PostgreSQL database, every mutation with the ones that depend on what it removes: the account
// stays consistent because the rule is kept in the database, not in one process.
func TestTwoServersRaceDependentMutations(t *testing.T) {
	dsn := sqltest.DSN(t, sqlstore.Postgres) // skips without PostgreSQL, fails if it is required
	owner := sharedAccount(t, dsn)
	var creds apiCreds
	keyward(t, &creds, "admin", "client", "create", "--db", dsn, "--name", "sync", "--scopes", "write:core:entities write:grants", "--admin-of", owner.ID, "--json")
	var nodes []*client.Account
	for range 2 {
		nodes = append(nodes, creds.account(serve(t, dsn), owner.ID))
	}
	contact, err := nodes[0].CreateContact(context.Background(), kw.ContactCreate{Identifier: apitest.Ptr("guest@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	apitest.RaceDependentMutations(t, apitest.RaceEnv{
		Nodes:     nodes,
		ContactID: contact.ID,
		NewLock: func(t testing.TB) (string, string) {
			var lock struct{ PhysicalLockID, BindingCode string }
			keyward(t, &lock, "admin", "lock", "register", "--db", dsn, "--json")
			return lock.PhysicalLockID, lock.BindingCode
		},
		Rounds: 10,
	})
}

// TestTwoServersOneLockSync relays each signed sync request of a lock to two `keyward serve`
// processes on one PostgreSQL database at the same moment, as two phones in reach would: one
// node takes it, the other answers 400 SyncReplayed, and every log entry is stored once.
func TestTwoServersOneLockSync(t *testing.T) {
	dsn := sqltest.DSN(t, sqlstore.Postgres) // skips without PostgreSQL, fails if it is required
	owner := sharedAccount(t, dsn)
	var creds apiCreds
	keyward(t, &creds, "admin", "client", "create", "--db", dsn, "--name", "sync", "--scopes", "write:core:entities read:logs", "--admin-of", owner.ID, "--json")
	var reg struct{ PhysicalLockID, BindingCode, DeviceKeySeed string }
	keyward(t, &reg, "admin", "lock", "register", "--db", dsn, "--json")

	a, b := serve(t, dsn), serve(t, dsn)
	ctx := context.Background()
	acct := creds.account(a, owner.ID)
	bound, err := acct.BindLock(ctx, kw.BindLockRequest{PhysicalLockID: reg.PhysicalLockID, BindingCode: reg.BindingCode})
	if err != nil {
		t.Fatal(err)
	}
	seed, err := base64.StdEncoding.DecodeString(reg.DeviceKeySeed)
	if err != nil {
		t.Fatal(err)
	}
	lock := apitest.NewLock(reg.PhysicalLockID, ed25519.NewKeyFromSeed(seed), reg.BindingCode)
	relays := []*client.Client{client.New(a.base, nil), client.New(b.base, nil)}
	const rounds, perRound = 20, 5
	for round := range rounds {
		entries := make([]lockproto.LogEntry, perRound)
		for i := range entries {
			no := uint64(round*perRound + i + 1)
			entries[i] = lockproto.LogEntry{EntryNo: no, LockTimestamp: kw.NewTime(time.Now()), LogType: lockproto.LogTypeCommand,
				Command: lockproto.CommandTriggerLock, Result: lockproto.ResultDenied, Reason: lockproto.ReasonExpired}
		}
		req, env, err := lock.Request(entries, nil)
		if err != nil {
			t.Fatal(err)
		}
		answers := make([]*lockproto.Envelope, 2)
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, relay := range relays {
			wg.Go(func() { answers[i], errs[i] = relay.SyncLock(ctx, env) })
		}
		wg.Wait()
		var taken *lockproto.Envelope
		for i := range relays {
			var e *client.Error
			switch {
			case errs[i] == nil && taken == nil:
				taken = answers[i]
			case errors.As(errs[i], &e) && e.Status == 400 && e.ErrorCode == "SyncReplayed":
			default:
				t.Fatalf("round %d, node %d: %v (the other answered too)", round, i, errs[i])
			}
		}
		if taken == nil {
			t.Fatalf("round %d: neither node took the request: %v", round, errs)
		}
		if _, err := lock.State.ApplySync(req, taken); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
	logs, err := acct.BoundLockLogEntries(ctx, bound.ID, &client.Query{Select: []string{"entryNo"}, Top: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(logs) != rounds*perRound {
		t.Fatalf("%d log entries stored, want %d", len(logs), rounds*perRound)
	}
	for i, e := range logs {
		if e.EntryNo != int64(i+1) {
			t.Fatalf("entry %d has number %d", i, e.EntryNo)
		}
	}
	a.stop(t)
	b.stop(t)
}
