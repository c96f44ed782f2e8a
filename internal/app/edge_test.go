package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/app"
	"github.com/keyward/keyward/internal/app/apptest"
	"github.com/keyward/keyward/internal/config"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/sqlstore"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

// headerTransport adds the headers of set to every request it carries; a test changes set
// between requests.
type headerTransport struct{ set http.Header }

func (h *headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for k, v := range h.set {
		r.Header[k] = v
	}
	return http.DefaultTransport.RoundTrip(r)
}

// edgeServer runs a server on SQLite with cfg's issuer and trusted proxies, its log in logs.
func edgeServer(t *testing.T, cfg config.Config, logs *apitest.Output) *app.Main {
	t.Helper()
	cfg.Addr, cfg.DB = "127.0.0.1:0", sqltest.DSN(t, sqlstore.SQLite)
	return apptest.Start(t, cfg, logs, &apitest.Output{})
}

// send sends one request with the given headers to the server's address (not its issuer,
// which may be an https URL nobody serves in a test) and returns the response, body closed.
func send(t *testing.T, m *app.Main, method, path string, header http.Header, form url.Values) *http.Response {
	t.Helper()
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req, err := http.NewRequest(method, "http://"+m.Addr()+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

// everyTree is one request into each tree the server routes, and a path none does.
var everyTree = []struct{ method, path string }{
	{"GET", "/api/v1/Owners"}, {"GET", "/api/v1/openapi.yaml"}, {"POST", "/connect/token"},
	{"GET", "/.well-known/openid-configuration"}, {"GET", "/account/login"}, {"GET", "/healthz"}, {"GET", "/no/such/tree"},
}

// TestRequestID: every response of every tree carries X-Request-Id. A sane incoming id (one
// header, 1–128 characters of [A-Za-z0-9._:-]) comes back as it is; anything else is replaced
// by a fresh 26-character id.
func TestRequestID(t *testing.T) {
	m := edgeServer(t, config.Config{}, &apitest.Output{})
	for _, tree := range everyTree {
		for _, tt := range []struct {
			name string
			sent []string
			echo bool
		}{
			{"None", nil, false},
			{"Sane", []string{"0f8fad5b-d9cb-469f-a165-70867728950e"}, true},
			{"SaneMax", []string{strings.Repeat("a.b_c:d-", 16)}, true},
			{"TooLong", []string{strings.Repeat("a", 129)}, false},
			{"BadChar", []string{"abc def"}, false},
			{"Comma", []string{"a,b"}, false},
			{"Empty", []string{""}, false},
			{"Two", []string{"one", "two"}, false},
		} {
			t.Run(strings.TrimPrefix(tree.path, "/")+"/"+tt.name, func(t *testing.T) {
				res := send(t, m, tree.method, tree.path, http.Header{"X-Request-Id": tt.sent}, nil)
				got := res.Header.Values("X-Request-Id")
				switch {
				case len(got) != 1:
					t.Fatalf("X-Request-Id = %q, want one", got)
				case tt.echo && got[0] != tt.sent[0]:
					t.Fatalf("X-Request-Id = %q, want the sane incoming %q", got[0], tt.sent[0])
				case !tt.echo && (len(got[0]) != 26 || slices.Contains(tt.sent, got[0])):
					t.Fatalf("X-Request-Id = %q, want a fresh 26-character id instead of %q", got[0], tt.sent)
				}
			})
		}
	}
	a := send(t, m, "GET", "/healthz", nil, nil).Header.Get("X-Request-Id")
	b := send(t, m, "GET", "/healthz", nil, nil).Header.Get("X-Request-Id")
	if a == b {
		t.Fatalf("two requests got the same fresh id %q", a)
	}
}

// TestRequestID_InEveryLogLine: every line the server logs while it serves a request names that
// request's id, on every tree: the API's access line of a refused request, a failed client
// authentication at /connect/token, a refused and a successful sign-in on the account pages.
func TestRequestID_InEveryLogLine(t *testing.T) {
	logs := &apitest.Output{}
	m := edgeServer(t, config.Config{}, logs)
	if _, err := m.Service.CreateUser(asOperator(context.Background()),
		keyward.UserCreate{Email: patEmail, PasswordHash: patHash(), Verified: true}); err != nil {
		t.Fatal(err)
	}
	// Run logs "keyward listening" on its own goroutine; the lines to check come after it.
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(logs.String(), `"msg":"keyward listening"`); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the server did not log that it listens")
		}
	}
	before := len(logs.String())

	id := func(v string) http.Header { return http.Header{"X-Request-Id": {v}} }
	send(t, m, "GET", "/api/v1/Owners", http.Header{"X-Request-Id": {"api-1"}, "Authorization": {"Bearer nope"}}, nil)
	send(t, m, "POST", "/connect/token", id("connect-1"), url.Values{"grant_type": {"client_credentials"}, "client_id": {"nobody"}, "client_secret": {"x"}})
	send(t, m, "GET", "/.well-known/jwks.json", id("wellknown-1"), nil)
	send(t, m, "GET", "/healthz", id("healthz-1"), nil)

	tr := &headerTransport{set: id("login-get")}
	b := apitest.NewBrowser(t, "http://"+m.Addr())
	b.Client.Transport = tr
	form := b.Do(t, "GET", "/account/login", nil).Form(t, "login")
	for _, try := range []struct{ id, password string }{{"login-wrong", "not the password"}, {"login-right", patPassword}} {
		tr.set = id(try.id)
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		f.Set("email", patEmail)
		f.Set("password", try.password)
		b.Do(t, "POST", "/account/login", f)
	}

	want := map[string]string{ // a message each request must have logged, by request id
		"api-1": "http request", "connect-1": "oauth: client authentication failed",
		"login-wrong": "account: sign-in refused", "login-right": "account: user signed in",
	}
	var recs []map[string]any
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		recs = logRecordsAfter(t, logs.String(), before)
		if hasAll(recs, want) || time.Now().After(deadline) {
			break
		}
	}
	if !hasAll(recs, want) {
		t.Fatalf("log lacks one of %v:\n%s", want, logs.String()[before:])
	}
	sent := map[string]bool{"api-1": true, "connect-1": true, "wellknown-1": true, "healthz-1": true, "login-get": true, "login-wrong": true, "login-right": true}
	for _, rec := range recs {
		if id, _ := rec["request_id"].(string); !sent[id] {
			t.Errorf("log line without the id of its request: %v", rec)
		}
	}
}

// logRecordsAfter parses the JSON log lines written after offset.
func logRecordsAfter(t *testing.T, log string, offset int) []map[string]any {
	t.Helper()
	var recs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(log[offset:]), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		recs = append(recs, rec)
	}
	return recs
}

// hasAll reports whether, for each id, a record with that request id has its message.
func hasAll(recs []map[string]any, want map[string]string) bool {
	for id, msg := range want {
		found := false
		for _, rec := range recs {
			found = found || rec["request_id"] == id && rec["msg"] == msg
		}
		if !found {
			return false
		}
	}
	return true
}

// TestTrustedProxies: only behind a trusted proxy does X-Forwarded-For name the client, and
// then its rightmost untrusted address is what the sign-up limit counts and what a refused
// sign-in names; without --trusted-proxies the header changes nothing.
func TestTrustedProxies(t *testing.T) {
	const client = "198.51.100.7"
	for _, tt := range []struct {
		name, proxies, network string // network: what the server counts the requests by
	}{
		{"Untrusted", "", "127.0.0.1"},
		{"Trusted", "127.0.0.0/8, 10.0.0.0/8", client},
	} {
		t.Run(tt.name, func(t *testing.T) {
			logs := &apitest.Output{}
			m := edgeServer(t, config.Config{TrustedProxies: tt.proxies}, logs)
			ctx := context.Background()
			for range 10 { // the sign-up limit of tt.network is spent
				if err := m.Store.Direct().RecordSignupAttempt(ctx, tt.network, keyward.NewTime(time.Now())); err != nil {
					t.Fatal(err)
				}
			}
			tr := &headerTransport{set: http.Header{"X-Forwarded-For": {"6.6.6.6, " + client + ", 10.1.1.1"}}}
			b := apitest.NewBrowser(t, "http://"+m.Addr())
			b.Client.Transport = tr
			submit := func(page, formID, id string, fields url.Values) {
				t.Helper()
				tr.set.Set("X-Request-Id", id+"-get")
				form := b.Do(t, "GET", page, nil).Form(t, formID)
				for k, v := range fields {
					form[k] = v
				}
				tr.set.Set("X-Request-Id", id)
				b.Do(t, "POST", page, form)
			}
			submit("/account/signup", "signup", "signup", url.Values{"email": {"sam@example.com"}, "password": {"sam's password"}})
			submit("/account/login", "login", "login", url.Values{"email": {"nobody@example.com"}, "password": {"whatever it is"}})
			want := map[string]string{
				"signup": "There were too many sign-ups from this network; try again later: 10 sign-up attempts from " + tt.network + " within 1h0m0s",
				"login":  "The e-mail address or the password is wrong: wrong address or password for nobody@example.com (from " + tt.network + ")",
			}
			for _, rec := range logRecordsAfter(t, logs.String(), 0) {
				if id, _ := rec["request_id"].(string); want[id] != "" && rec["error"] != nil {
					if rec["error"] != want[id] {
						t.Errorf("%s: logged %q, want %q", id, rec["error"], want[id])
					}
					delete(want, id)
				}
			}
			if len(want) > 0 {
				t.Errorf("no refusal logged for %v:\n%s", want, logs.String())
			}
		})
	}
}

// TestTrustedProxies_IPv6Network: a forwarded IPv6 client counts for its /64, like a direct one.
func TestTrustedProxies_IPv6Network(t *testing.T) {
	m := edgeServer(t, config.Config{TrustedProxies: "127.0.0.1"}, &apitest.Output{})
	b := apitest.NewBrowser(t, "http://"+m.Addr())
	b.Client.Transport = &headerTransport{set: http.Header{"X-Forwarded-For": {"2001:db8:1:2:aaaa::9"}}}
	form := b.Do(t, "GET", "/account/signup", nil).Form(t, "signup")
	form.Set("email", "sam@example.com")
	form.Set("password", "sam's password")
	if p := b.Do(t, "POST", "/account/signup", form); p.Status != http.StatusOK {
		t.Fatalf("sign-up: %d\n%s", p.Status, p.Body)
	}
	ctx := context.Background()
	for network, want := range map[string]int{"2001:db8:1:2::/64": 1, "127.0.0.1": 0} {
		n, err := m.Store.Direct().CountSignupAttempts(ctx, network, keyward.NewTime(time.Now().Add(-time.Hour)))
		if err != nil || n != want {
			t.Errorf("sign-up attempts of %s = %d, %v; want %d", network, n, err, want)
		}
	}
}

// TestHSTS: under an https issuer every response of every tree carries
// Strict-Transport-Security, except one a trusted proxy says it received over plain http (RFC
// 6797 §7.2); an untrusted X-Forwarded-Proto is not believed. Cookies follow the issuer alone:
// Secure and __Host- prefixed whatever X-Forwarded-Proto says. Under an http issuer there is no
// HSTS.
func TestHSTS(t *testing.T) {
	for _, tt := range []struct {
		name, issuer, proxies, proto, want string
	}{
		{"HTTPSIssuer", "https://keyward.example", "", "", hsts},
		{"UntrustedProtoHTTP", "https://keyward.example", "", "http", hsts},
		{"TrustedProtoHTTPS", "https://keyward.example", "127.0.0.0/8", "https", hsts},
		{"TrustedProtoHTTP", "https://keyward.example", "127.0.0.0/8", "http", ""},
		{"HTTPIssuer", "", "127.0.0.0/8", "https", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := edgeServer(t, config.Config{Issuer: tt.issuer, TrustedProxies: tt.proxies}, &apitest.Output{})
			header := http.Header{}
			if tt.proto != "" {
				header.Set("X-Forwarded-Proto", tt.proto)
			}
			for _, tree := range everyTree {
				res := send(t, m, tree.method, tree.path, header, nil)
				if got := strings.Join(res.Header.Values("Strict-Transport-Security"), " | "); got != tt.want {
					t.Errorf("%s %s: Strict-Transport-Security = %q, want %q", tree.method, tree.path, got, tt.want)
				}
				if tree.path != "/account/login" {
					continue
				}
				cookie := res.Header.Get("Set-Cookie")
				if secure := tt.issuer != ""; secure != (strings.HasPrefix(cookie, "__Host-kw_presession=") && strings.Contains(cookie, "; Secure")) {
					t.Errorf("Set-Cookie = %q with issuer %q", cookie, tt.issuer)
				}
			}
		})
	}
}

const hsts = "max-age=31536000"

// TestMaxHeaderBytes: a request head beyond the server's limit is refused with 431 before any
// handler runs; one within it is served.
func TestMaxHeaderBytes(t *testing.T) {
	m := edgeServer(t, config.Config{}, &apitest.Output{})
	for size, want := range map[int]int{32 << 10: http.StatusOK, 128 << 10: http.StatusRequestHeaderFieldsTooLarge} {
		if res := send(t, m, "GET", "/healthz", http.Header{"X-Padding": {strings.Repeat("p", size)}}, nil); res.StatusCode != want {
			t.Errorf("GET /healthz with %d KiB of headers = %d, want %d", size>>10, res.StatusCode, want)
		}
	}
}
