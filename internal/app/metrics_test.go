package app_test

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/app/apptest"
	"github.com/keyward/keyward/internal/client"
	"github.com/keyward/keyward/internal/config"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
	"github.com/keyward/keyward/internal/sqlstore"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

// TestMetrics: with --metrics-addr the server counts API requests by route pattern and status
// and serves them, with the database pool's statistics, at /metrics on that address only; the
// API's address has no /metrics.
func TestMetrics(t *testing.T) {
	m := apptest.Start(t, config.Config{Addr: "127.0.0.1:0", MetricsAddr: "127.0.0.1:0", DB: sqltest.DSN(t, sqlstore.SQLite)},
		&apitest.Output{}, &apitest.Output{})
	get := func(url string) (int, string) {
		res, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	for range 3 {
		get(m.Config.Issuer + "/api/v1/Owners/o-1/BoundLocks") // no token: 401
	}
	get(m.Config.Issuer + "/api/v1/NoSuchThing")
	for _, form := range []url.Values{{"grant_type": {"client_credentials"}}, {"grant_type": {"password"}}} {
		res, err := http.PostForm(m.Config.Issuer+"/connect/token", form) // no client: invalid_client; password: unsupported
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	status, body := get("http://" + m.MetricsAddr() + "/metrics")
	if status != 200 {
		t.Fatalf("GET /metrics = %d", status)
	}
	for _, want := range []string{
		`keyward_http_request_duration_seconds_count{route="GET /api/v1/Owners/{ownerId}/BoundLocks",status="401"} 3`,
		`keyward_http_request_duration_seconds_count{route="unmatched",status="404"} 1`,
		`keyward_oauth_token_requests_total{grant_type="client_credentials",outcome="invalid_client"} 1`,
		`keyward_db_transaction_conflicts_total{outcome="retried",sqlstate="40P01"} 0`,
		`keyward_db_transaction_conflicts_total{outcome="failed",sqlstate="40001"} 0`,
		// refused before any read: the read cache was asked nothing
		`keyward_read_cache_requests_total{outcome="hit"} 0`,
		`keyward_read_cache_requests_total{outcome="miss"} 0`,
		`keyward_read_cache_evictions_total 0`,
		`keyward_read_cache_bytes 0`,
		`go_sql_max_open_connections{db_name="keyward"}`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if regexp.MustCompile(`NoSuchThing|grant_type="password"`).MatchString(body) {
		t.Error("an unmatched path or an unsupported grant type became a label")
	}
	if status, _ := get(m.Config.Issuer + "/metrics"); status != 404 {
		t.Fatalf("GET /metrics on the API's address = %d, want 404", status)
	}
}

// TestMetrics_Standing: on PostgreSQL a node reports whether it is alone on its database and
// what its standing cache answered: token checks of a read repeated while the process writes
// nothing are counted as hits. A second program's session on the database turns the gauge to 0
// at the next look.
func TestMetrics_Standing(t *testing.T) {
	f := newFixture(t, sqlstore.Postgres)
	cfg := f.m.Config
	cfg.Addr, cfg.MetricsAddr = "127.0.0.1:0", "127.0.0.1:0"
	node := apptest.Start(t, cfg, io.Discard, io.Discard) // this process's too: still alone
	scrape := func() string {
		res, err := http.Get("http://" + node.MetricsAddr() + "/metrics")
		f.must(err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	count := func(body, outcome string) float64 {
		m := regexp.MustCompile(`(?m)^keyward_token_standing_checks_total\{outcome="` + outcome + `"\} (\S+)$`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("/metrics lacks the %s count:\n%s", outcome, body)
		}
		n, err := strconv.ParseFloat(m[1], 64)
		f.must(err)
		return n
	}
	until := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("/metrics never showed %s:\n%s", what, scrape())
			}
		}
	}
	until("keyward_db_alone 1", func() bool { return strings.Contains(scrape(), "keyward_db_alone 1\n") })
	if body := scrape(); count(body, "hit") != 0 || count(body, "miss") != 0 {
		t.Errorf("token checks counted before any request:\n%s", body)
	}
	token := f.token("admin")
	read := "http://" + node.Addr() + "/api/v1/Owners/" + f.ids["o1"] + "/BoundLocks/" + f.ids["lock1"]
	until("a token check answered from memory", func() bool {
		if res := apitest.Do(t, nil, "GET", read, "", http.Header{"Authorization": {"Bearer " + token}}); res.Status != 200 {
			t.Fatalf("GET %s: %d %s", read, res.Status, res.Body)
		}
		body := scrape()
		return count(body, "hit") >= 1 && count(body, "miss") >= 1
	})
	other, err := sql.Open("pgx", cfg.DB)
	f.must(err)
	defer other.Close()
	f.must(other.Ping())
	until("keyward_db_alone 0", func() bool { return strings.Contains(scrape(), "keyward_db_alone 0\n") })
}

// TestMetrics_PropagationAndLogIngestion: the propagation gauges are read from the database at
// each scrape, so a node reports what another node changed: a revocation the lock has not
// confirmed, a card waiting for its write, the age of the oldest. The log counter counts what
// the node's device API stored and the duplicates of a resent upload.
func TestMetrics_PropagationAndLogIngestion(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		cfg := f.m.Config
		cfg.Addr, cfg.MetricsAddr = "127.0.0.1:0", "127.0.0.1:0"
		node := apptest.Start(t, cfg, io.Discard, io.Discard)
		scrape := func() map[string]float64 {
			t.Helper()
			res, err := http.Get("http://" + node.MetricsAddr() + "/metrics")
			f.must(err)
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			got := map[string]float64{}
			for _, name := range []string{"keyward_pending_revocations", "keyward_pending_card_writes", "keyward_oldest_pending_change_age_seconds",
				`keyward_lock_log_entries_total{outcome="stored"}`, `keyward_lock_log_entries_total{outcome="duplicate"}`} {
				m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` (\S+)$`).FindStringSubmatch(string(body))
				if m == nil {
					t.Fatalf("/metrics lacks %s:\n%s", name, body)
				}
				got[name], err = strconv.ParseFloat(m[1], 64)
				f.must(err)
			}
			return got
		}
		want := func(got map[string]float64, revocations, cards, stored, duplicates float64, oldest func(float64) bool) {
			t.Helper()
			if got["keyward_pending_revocations"] != revocations || got["keyward_pending_card_writes"] != cards ||
				got[`keyward_lock_log_entries_total{outcome="stored"}`] != stored || got[`keyward_lock_log_entries_total{outcome="duplicate"}`] != duplicates ||
				!oldest(got["keyward_oldest_pending_change_age_seconds"]) {
				t.Fatalf("metrics = %v, want %v revocations, %v card writes, %v stored, %v duplicates", got, revocations, cards, stored, duplicates)
			}
		}
		zero := func(age float64) bool { return age == 0 }
		want(scrape(), 0, 0, 0, 0, zero)

		start := time.Now()
		f.createGrant(t, "held", f.contactGrant("lock1", "guest"))
		f.syncLock(t, "lock1") // on the fixture's node: the key is out, the lock synced
		_, err := f.admin.RevokeGrant(ctx, f.ids["held"], false)
		f.must(err)
		pc, err := f.m.Service.RegisterCard(asOperator(ctx), 2)
		f.must(err)
		card, err := f.admin.BindCard(ctx, keyward.BindCardRequest{PhysicalCardID: &pc.ID})
		f.must(err)
		f.ids["card"] = card.ID
		f.createGrant(t, "cg", f.cardGrant("lock1", "card"))
		group, err := f.admin.CreateLockGroup(ctx, keyward.LockGroupCreate{Title: "Doors"})
		f.must(err)
		_, err = f.admin.AddLockGroupMember(ctx, group.ID, f.ids["lock1"])
		f.must(err)
		f.ids["group"] = group.ID
		pc2, err := f.m.Service.RegisterCard(asOperator(ctx), 3)
		f.must(err)
		card2, err := f.admin.BindCard(ctx, keyward.BindCardRequest{PhysicalCardID: &pc2.ID})
		f.must(err)
		f.ids["card2"] = card2.ID
		f.createGrant(t, "groupCard", f.cardGrant("group", "card2")) // through the group
		time.Sleep(20 * time.Millisecond)
		want(scrape(), 1, 2, 0, 0, func(age float64) bool { return age >= 0.02 && age <= time.Since(start).Seconds() })

		// The lock syncs through the other node with two entries, then resends them.
		l1, err := f.admin.BoundLock(ctx, f.ids["lock1"])
		f.must(err)
		relay := client.New("http://"+node.Addr(), nil)
		at := keyward.NewTime(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
		entries := []lockproto.LogEntry{
			{EntryNo: 1, LockTimestamp: at, LogType: lockproto.LogTypeCommand, Command: lockproto.CommandTriggerLock, Result: lockproto.ResultAllowed, Reason: lockproto.ReasonAllowed},
			{EntryNo: 2, LockTimestamp: at, LogType: lockproto.LogTypeCommand, Command: lockproto.CommandTriggerLock, Result: lockproto.ResultDenied, Reason: lockproto.ReasonOutsideRestriction},
		}
		for range 2 {
			_, err := f.locks[l1.PhysicalLockID].SyncOnce(ctx, relay, entries, nil)
			f.must(err)
		}
		// the lock confirmed its list; the cards are written only when they are held to the lock
		want(scrape(), 0, 2, 2, 2, func(age float64) bool { return age > 0 })

		// An unbound lock waits for nothing: its cards' grants end, and no other lock takes them.
		f.must(f.admin.UnbindLock(ctx, f.ids["lock1"]))
		want(scrape(), 0, 0, 2, 2, zero)
	})
}
