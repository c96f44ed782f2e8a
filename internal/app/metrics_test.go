package app_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/app/apptest"
	"github.com/keyward/keyward/internal/config"
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
