package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/app"
	"github.com/keyward/keyward/internal/config"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/sqlstore"
)

// smallDataset is the short form of the dataset the tests seed.
var smallDataset = sqlstore.SeedSpec{Owners: 3, Contacts: 600, Locks: 60, Grants: 5000, LogEntries: 3000}

// TestSeed seeds the short dataset on each engine, checks the rows against the schema's rules,
// and runs a server on it: the lists answer with the seeded rows, a grant can be created, and
// the seeded person with a phone fetches the keys of their grants.
func TestSeed(t *testing.T) {
	for _, base := range Engines(t) {
		t.Run(map[bool]string{true: "sqlite", false: "postgres"}[base == ""], func(t *testing.T) {
			ctx := context.Background()
			dsn, drop, err := freshDatabase(base)
			if err != nil {
				t.Fatal(err)
			}
			defer drop()
			res, err := SeedDatabase(ctx, dsn, smallDataset)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]int{"owners": 3, "contacts": 600, "bound_locks": 60, "physical_locks": 60, "grants": 5000, "log_entries": 3000}
			for table, n := range want {
				if res.Rows[table] != n {
					t.Errorf("%s: wrote %d rows, want %d", table, res.Rows[table], n)
				}
			}
			if _, err := SeedDatabase(ctx, dsn, smallDataset); err == nil {
				t.Error("seeding a seeded database succeeded; want a refusal")
			}
			checkSeededRows(t, dsn)
			checkServerOnSeed(t, dsn, res)
		})
	}
}

// checkSeededRows queries the shapes the generator promises.
func checkSeededRows(t *testing.T, dsn string) {
	db, err := sqlstore.OpenNoMigrate(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, c := range []struct {
		what, query string
		ok          func(n int) bool
	}{
		{"active grants", `SELECT COUNT(*) FROM grants WHERE active = TRUE`, func(n int) bool { return n > 3000 && n < 5000 }},
		{"card grants", `SELECT COUNT(*) FROM grants WHERE bound_card_id IS NOT NULL`, func(n int) bool { return n > 0 }},
		{"iCal grants", `SELECT COUNT(*) FROM grants WHERE time_restriction_ical IS NOT NULL`, func(n int) bool { return n >= 400 }},
		{"revocation-pending grants with their lock's list entry", `SELECT COUNT(*) FROM grants g JOIN lock_revocations r ON r.grant_id = g.id WHERE g.state = 'RevocationPending'`, func(n int) bool { return n > 0 }},
		{"revocation-pending grants without one", `SELECT COUNT(*) FROM grants g WHERE g.state = 'RevocationPending' AND NOT EXISTS (SELECT 1 FROM lock_revocations r WHERE r.grant_id = g.id)`, func(n int) bool { return n == 0 }},
		{"undelivered active grants", `SELECT COUNT(*) FROM grants WHERE active = TRUE AND delivered = FALSE`, func(n int) bool { return n > 0 }},
		{"group grants", `SELECT COUNT(*) FROM grants WHERE target_type = 'Group'`, func(n int) bool { return n > 0 }},
		{"locks with log entries", `SELECT COUNT(DISTINCT bound_lock_id) FROM log_entries`, func(n int) bool { return n > 30 }},
		{"months the log spans", `SELECT CAST((MAX(lock_timestamp) - MIN(lock_timestamp)) / 2592000000 AS INTEGER) FROM log_entries`, func(n int) bool { return n >= 5 }},
		{"contacts of the largest account", `SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM contacts GROUP BY owner_id) c`, func(n int) bool { return n > 300 }},
		{"contacts of the smallest account", `SELECT MIN(n) FROM (SELECT COUNT(*) AS n FROM contacts GROUP BY owner_id) c`, func(n int) bool { return n < 100 }},
	} {
		var n int
		if err := db.SQL().QueryRow(c.query).Scan(&n); err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		if !c.ok(n) {
			t.Errorf("%s: %d", c.what, n)
		}
	}
}

// checkServerOnSeed runs Keyward on the seeded database and uses it over the API.
func checkServerOnSeed(t *testing.T, dsn string, res *sqlstore.SeedResult) {
	ctx, cancel := context.WithCancel(context.Background())
	m := &app.Main{Config: config.Config{Addr: "127.0.0.1:0", DB: dsn}, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), Console: io.Discard}
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	defer closeMain(m, cancel, done)
	r := &runner{m: m, rep: &Report{}, http: &http.Client{Timeout: time.Minute}}
	if err := r.healthy(ctx, m.Config.Issuer, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	big := res.Owners[0]
	admin, err := r.client(ctx, keyward.ClientCreate{Name: "seed admin", GrantTypes: []string{keyward.GrantClientCredentials},
		Scopes: []string{keyward.ScopeWriteCoreEntities, keyward.ScopeWriteGrants, keyward.ScopeReadLogs}, AdminOf: big.ID})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := r.clientToken(ctx, m.Config.Issuer, admin)
	if err != nil {
		t.Fatal(err)
	}
	api := m.Config.Issuer + "/api/v1/Owners/" + big.ID
	var locks []keyward.BoundLock
	getJSON(t, r, api+"/BoundLocks", tok, &locks)
	if len(locks) != big.Locks {
		t.Errorf("BoundLocks lists %d locks, want %d", len(locks), big.Locks)
	}
	var grants []keyward.Grant
	getJSON(t, r, api+"/Grants?$top=50", tok, &grants)
	if len(grants) != 50 {
		t.Errorf("Grants?$top=50 lists %d grants, want 50", len(grants))
	}
	var contacts []keyward.Contact
	getJSON(t, r, api+"/Contacts", tok, &contacts)
	if len(contacts) != big.Contacts+1 { // and the admin client's service user
		t.Errorf("Contacts lists %d contacts, want %d", len(contacts), big.Contacts+1)
	}
	body, _ := json.Marshal(map[string]any{"boundLockId": locks[0].ID, "contact": map[string]any{"identifier": "new@seed.example"}})
	status, answer, err := r.do(ctx, http.MethodPut, api+"/Grants", string(body), func(req *http.Request) {
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
	})
	if err != nil || status != http.StatusOK {
		t.Errorf("create a grant: status %d, %v: %.300s", status, err, answer)
	}
	checkKeyFetch(t, r, res)
}

// checkKeyFetch fetches the seeded key user's keys with a token of theirs.
func checkKeyFetch(t *testing.T, r *runner, res *sqlstore.SeedResult) {
	ctx := context.Background()
	var err error
	if r.app, err = r.client(ctx, keyward.ClientCreate{Name: "seed app", GrantTypes: []string{keyward.GrantAuthorizationCode, keyward.GrantRefreshToken},
		RedirectURIs: []string{"http://127.0.0.1/callback"}, Scopes: []string{keyward.ScopeOfflineAccess, keyward.ScopeRegisterMobiles, keyward.ScopeHandleKeys}}); err != nil {
		t.Fatal(err)
	}
	u, err := r.m.Store.Direct().FindUserByEmail(ctx, res.KeyUserEmail)
	if err != nil {
		t.Fatalf("the key user %q: %v", res.KeyUserEmail, err)
	}
	rt, err := r.refreshToken(ctx, u, keyward.ScopeRegisterMobiles, keyward.ScopeHandleKeys)
	if err != nil {
		t.Fatal(err)
	}
	tk, err := r.tokenRequest(ctx, r.m.Config.Issuer, r.app, url.Values{"grant_type": {keyward.GrantRefreshToken}, "refresh_token": {rt}})
	if err != nil {
		t.Fatal(err)
	}
	body, err := r.get(ctx, r.m.Config.Issuer+"/api/v1/Me/Mobiles/"+res.KeyMobileID+"/Keys", tk.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(body, []byte(`"key"`)); n < 10 {
		t.Errorf("the key user's phone got %d keys; the user holds %d active grants", n, res.KeyGrants)
	}
}

func getJSON(t *testing.T, r *runner, target, tok string, out any) {
	t.Helper()
	body, err := r.get(context.Background(), target, tok)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	if err := json.Unmarshal(body, out); err != nil {
		t.Fatalf("GET %s: %v: %.200s", target, err, body)
	}
}
