package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/keyward/keyward/internal/app"
	"github.com/keyward/keyward/internal/config"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/oauth"
	"github.com/keyward/keyward/internal/sqlstore"
	"github.com/keyward/keyward/internal/token"
)

// runner is one run: the Keyward under test, what was seeded in it, and the report.
type runner struct {
	cfg    Config
	dsn    string
	engine sqlstore.Engine
	rep    *Report
	http   *http.Client

	m      *app.Main
	cancel context.CancelFunc
	done   <-chan error

	owner      string   // the account the management measures act on
	locks      []string // its 100 bound locks
	ownerUser  *keyward.User
	admin      credentials // client_credentials, every management scope, administers owner
	app        credentials // authorization_code + refresh_token, for people's tokens
	adminToken string
}

type credentials struct{ id, secret string }

func (r *runner) fail(format string, a ...any) {
	r.rep.Failures = append(r.rep.Failures, fmt.Sprintf(format, a...))
}

func (r *runner) add(rows ...Row) { r.rep.Rows = append(r.rep.Rows, rows...) }

// start measures start-up to healthy on the fresh database and then on the existing one, keeps
// the last server running, and seeds it.
func (r *runner) start(ctx context.Context) error {
	m, cancel, done, fresh, err := r.open(ctx)
	if err != nil {
		return err
	}
	closeMain(m, cancel, done)
	var existing []time.Duration
	for i := range 3 {
		var took time.Duration
		if m, cancel, done, took, err = r.open(ctx); err != nil {
			return err
		}
		existing = append(existing, took)
		if i < 2 {
			closeMain(m, cancel, done)
		}
	}
	r.m, r.cancel, r.done = m, cancel, done
	slices.Sort(existing)
	r.add(Row{Measure: "start-up to healthy, fresh database", Unit: "ms", Keyward: toMs(fresh)},
		Row{Measure: "start-up to healthy, existing database (median of 3)", Unit: "ms", Keyward: toMs(existing[1]),
			Target: "< 100 ms", OK: atMost(toMs(existing[1]), 100)})
	return r.seed(ctx)
}

// open opens a Keyward on the run's database, runs it, and returns the time from Open to the
// first /healthz answered 200.
func (r *runner) open(ctx context.Context) (*app.Main, context.CancelFunc, <-chan error, time.Duration, error) {
	return r.openWith(ctx, config.Config{Addr: "127.0.0.1:0", DB: r.dsn})
}

// openWith is open with the settings cfg.
func (r *runner) openWith(ctx context.Context, cfg config.Config) (*app.Main, context.CancelFunc, <-chan error, time.Duration, error) {
	mctx, cancel := context.WithCancel(ctx)
	m := &app.Main{Config: cfg, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), Console: io.Discard}
	start := time.Now()
	if err := m.Open(mctx); err != nil {
		cancel()
		m.Close()
		return nil, nil, nil, 0, err
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(mctx) }()
	if err := r.healthy(ctx, m.Config.Issuer, 30*time.Second); err != nil {
		closeMain(m, cancel, done)
		return nil, nil, nil, 0, err
	}
	return m, cancel, done, time.Since(start), nil
}

// healthy polls base's /healthz until it answers 200.
func (r *runner) healthy(ctx context.Context, base string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		status, _, err := r.do(ctx, http.MethodGet, base+"/healthz", "", nil)
		if err == nil && status == http.StatusOK {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("bench: %s/healthz did not answer 200 within %s (status %d, %v)", base, limit, status, err)
		}
		time.Sleep(time.Millisecond)
	}
}

func closeMain(m *app.Main, cancel context.CancelFunc, done <-chan error) {
	cancel()
	<-done
	m.Close()
}

func (r *runner) stop() {
	if r.m != nil {
		closeMain(r.m, r.cancel, r.done)
	}
}

// seed makes the account the management measures act on (100 bound locks), its clients and an
// access token of the administering client.
func (r *runner) seed(ctx context.Context) error {
	s, op := r.m.Service, asOperator(ctx)
	u, err := s.CreateUser(op, keyward.UserCreate{Email: "owner@bench.example", Verified: true})
	if err != nil {
		return err
	}
	o, err := s.RegisterOwner(op, keyward.OwnerRegistration{Name: "Bench", OwnerEmail: u.Email})
	if err != nil {
		return err
	}
	r.ownerUser, r.owner = u, o.ID
	as := keyward.NewContextWithPrincipal(op, keyward.SessionPrincipal(u))
	for i := range 100 {
		l, _, err := bindLock(as, s, o.ID, fmt.Sprintf("Door %03d", i))
		if err != nil {
			return err
		}
		r.locks = append(r.locks, l.ID)
	}
	if r.admin, err = r.client(ctx, keyward.ClientCreate{Name: "bench admin", GrantTypes: []string{keyward.GrantClientCredentials},
		Scopes: []string{keyward.ScopeWriteOwnerAccounts, keyward.ScopeWriteOwnerPermissions, keyward.ScopeWriteCoreEntities,
			keyward.ScopeWriteGrants, keyward.ScopeReadLogs}, AdminOf: o.ID}); err != nil {
		return err
	}
	if r.app, err = r.client(ctx, keyward.ClientCreate{Name: "bench app", GrantTypes: []string{keyward.GrantAuthorizationCode, keyward.GrantRefreshToken},
		RedirectURIs: []string{"http://127.0.0.1/callback"}, Scopes: []string{keyward.ScopeReadCoreEntities, keyward.ScopeOfflineAccess,
			keyward.ScopeRegisterMobiles, keyward.ScopeHandleKeys}}); err != nil {
		return err
	}
	r.adminToken, err = r.clientToken(ctx, r.m.Config.Issuer, r.admin)
	return err
}

// client registers an OAuth client with a fresh secret.
func (r *runner) client(ctx context.Context, c keyward.ClientCreate) (credentials, error) {
	secret, hash := oauth.NewClientSecret()
	c.SecretHash = hash
	cl, _, err := r.m.Service.CreateClient(asOperator(ctx), c)
	if err != nil {
		return credentials{}, err
	}
	return credentials{id: cl.ID, secret: secret}, nil
}

// tokenAnswer is the part of a token response the benchmark reads.
type tokenAnswer struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

// clientToken asks base's token endpoint for a client_credentials token.
func (r *runner) clientToken(ctx context.Context, base string, c credentials) (string, error) {
	t, err := r.tokenRequest(ctx, base, c, url.Values{"grant_type": {keyward.GrantClientCredentials}})
	return t.AccessToken, err
}

// tokenRequest posts form to base's token endpoint as client c.
func (r *runner) tokenRequest(ctx context.Context, base string, c credentials, form url.Values) (tokenAnswer, error) {
	status, body, err := r.do(ctx, http.MethodPost, base+"/connect/token", form.Encode(), func(req *http.Request) {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(url.QueryEscape(c.id), url.QueryEscape(c.secret))
	})
	var t tokenAnswer
	if err == nil {
		err = expectOK(status, body)
	}
	if err == nil {
		err = json.Unmarshal(body, &t)
	}
	return t, err
}

// refreshToken stores a refresh token for user through the app client in a new token family, as
// an authorization would have issued it, and returns it.
func (r *runner) refreshToken(ctx context.Context, user *keyward.User, scopes ...string) (string, error) {
	raw, now := token.Random(32), time.Now()
	fam := &keyward.TokenFamily{ID: keyward.NewID(now), ClientID: r.app.id, UserID: user.ID, CreatedAt: keyward.NewTime(now)}
	rt := &keyward.RefreshToken{Hash: token.Hash(raw), FamilyID: fam.ID, ClientID: r.app.id, UserID: user.ID,
		Scopes: append(scopes, keyward.ScopeOfflineAccess), CreatedAt: keyward.NewTime(now), ExpiresAt: keyward.NewTime(now.Add(24 * time.Hour))}
	err := r.m.Store.InTx(ctx, func(tx keyward.Tx) error {
		if err := tx.CreateTokenFamily(ctx, fam); err != nil {
			return err
		}
		return tx.CreateRefreshToken(ctx, rt)
	})
	return raw, err
}

// do sends one request and reads the whole answer.
func (r *runner) do(ctx context.Context, method, target, body string, prepare func(*http.Request)) (int, []byte, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return 0, nil, err
	}
	if prepare != nil {
		prepare(req)
	}
	resp, err := r.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// get sends an authenticated GET and fails on anything but 200.
func (r *runner) get(ctx context.Context, target, bearer string) ([]byte, error) {
	status, body, err := r.do(ctx, http.MethodGet, target, "", func(req *http.Request) { req.Header.Set("Authorization", "Bearer "+bearer) })
	if err != nil {
		return nil, err
	}
	return body, expectOK(status, body)
}

// expectOK refuses an answer that is not 2xx, quoting the start of its body.
func expectOK(status int, body []byte) error {
	if status/100 == 2 {
		return nil
	}
	return fmt.Errorf("status %d: %.200s", status, body)
}

// serveReference serves h on a loopback port until stop is called and returns its base URL.
func serveReference(h http.Handler) (base string, stop func(), err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	go srv.Serve(l)
	return "http://" + l.Addr().String(), func() { srv.Close() }, nil
}

// load runs fn on c clients for the run's duration and records a failure for every measure
// that saw errors.
func (r *runner) load(ctx context.Context, name string, c int, fn op) result {
	return r.check(name, drive(ctx, c, r.cfg.Duration, fn))
}

// compare runs Keyward's op and its references' in alternation (see alternate), each for the
// run's duration in all, and checks each result as load does.
func (r *runner) compare(ctx context.Context, c int, names []string, ops ...op) []result {
	res := alternate(ctx, c, r.cfg.Duration, ops...)
	for i := range res {
		r.check(names[i], res[i])
	}
	return res
}

// check records a failure for a result with errors or without a completed request.
func (r *runner) check(name string, res result) result {
	if res.errors > 0 {
		r.fail("%s: %d of %d requests failed; the first: %v", name, res.errors, res.errors+len(res.latencies), res.firstErr)
	}
	if len(res.latencies) == 0 && res.errors == 0 {
		r.fail("%s: no request completed", name)
	}
	return res
}

// rateRow is a throughput row: Keyward's rate (times scale, e.g. entries per request) against
// the reference's, with Keyward's latencies.
func rateRow(measure, unit string, scale float64, kw result, refName string, ref *result) Row {
	row := Row{Measure: measure, Unit: unit, Keyward: kw.rate() * scale, P50Ms: toMs(kw.quantile(0.5)), P99Ms: toMs(kw.quantile(0.99))}
	if ref != nil {
		row.Reference, row.RefValue = refName, ref.rate()*scale
		if row.RefValue > 0 {
			row.Ratio = row.Keyward / row.RefValue
		}
	}
	return row
}

// withTarget sets a row's target and whether it was met.
func withTarget(row Row, target string, ok *bool) Row {
	row.Target, row.OK = target, ok
	return row
}
