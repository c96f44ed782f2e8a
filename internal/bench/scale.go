package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/keyward/keyward/internal/app"
	"github.com/keyward/keyward/internal/client"
	"github.com/keyward/keyward/internal/config"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/sqlstore"
)

// ScaleConfig is one scale-out run (`keyward bench scale`).
type ScaleConfig struct {
	DB          string        // a PostgreSQL database, seeded (bench seed) or empty (a small dataset is seeded)
	Nodes       int           // serve processes (default 3)
	Duration    time.Duration // per phase: one node, then all (default 2m)
	Concurrency int           // clients of the load generator (default 8 per node of the larger phase)
	DBMaxConns  int           // --db-max-conns of each node (0: serve's default)
	Serve       func(args ...string) *exec.Cmd
	Progress    io.Writer
}

// ScaleRow is one endpoint's figures on one node and on all.
type ScaleRow struct {
	Endpoint       string
	Rate1, RateN   float64 // requests/s
	P99One, P99N   float64 // ms
	Refused1, RefN int     // expected refusals (Duplicate, plan limit)
}

// ScaleReport is what a scale run measured and checked.
type ScaleReport struct {
	Machine                string
	Nodes, Concurrency     int
	Duration               time.Duration
	DBMaxConns             int
	Rows                   []ScaleRow
	Total1, TotalN         float64
	ServerErrors           int      // 5xx answers, must be 0
	CacheHits, CacheMisses float64  // of the nodes' read caches, over both phases
	Invariants             []string // what was checked afterwards, and held
	Failures               []string
}

// scaleLimit is the smartphone-user limit of the plan the limited account has.
const scaleLimit = 3

// Scale runs the scale-out measure: Nodes `keyward serve` processes on one PostgreSQL database
// under a mixed load, first on one node then on all, and checks the invariants afterwards.
func Scale(ctx context.Context, cfg ScaleConfig) (*ScaleReport, error) {
	if cfg.Nodes < 1 {
		cfg.Nodes = 3
	}
	if cfg.Duration <= 0 {
		cfg.Duration = 2 * time.Minute
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 8 * cfg.Nodes
	}
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
	if cfg.Serve == nil {
		cfg.Serve = (&Config{}).serveDefault()
	}
	engine, _, err := sqlstore.ParseDSN(cfg.DB)
	if err != nil {
		return nil, err
	}
	if engine != sqlstore.Postgres {
		return nil, fmt.Errorf("bench scale: nodes share one PostgreSQL database; %q is %s", cfg.DB, engine)
	}
	s := &scaleRun{cfg: cfg, rep: &ScaleReport{Machine: Machine(), Nodes: cfg.Nodes, Concurrency: cfg.Concurrency, Duration: cfg.Duration, DBMaxConns: cfg.DBMaxConns},
		http: &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 4 * cfg.Concurrency, DisableCompression: true}}}
	dir, err := os.MkdirTemp("", "keyward-scale-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	s.plans = filepath.Join(dir, "plans.json")
	if err := os.WriteFile(s.plans, []byte(fmt.Sprintf(`{"default": "unlimited", "plans": [{"name": "unlimited", "smartphoneUserLimit": 0,
		"features": ["timeRestrictions", "lockGroups", "identityProviders"]}, {"name": "limited", "smartphoneUserLimit": %d, "features": []}]}`, scaleLimit)), 0o600); err != nil {
		return nil, err
	}
	fmt.Fprintln(cfg.Progress, "bench scale: setting up")
	if err := s.setup(ctx); err != nil {
		return nil, err
	}
	fmt.Fprintf(cfg.Progress, "bench scale: starting %d nodes\n", cfg.Nodes)
	stop, err := s.startNodes(ctx)
	defer stop()
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(cfg.Progress, "bench scale: 1 node")
	one := s.phase(ctx, s.nodes[:1])
	fmt.Fprintf(cfg.Progress, "bench scale: %d nodes\n", cfg.Nodes)
	all := s.phase(ctx, s.nodes)
	s.report(one, all)
	s.check(ctx)
	s.checkReads(ctx)
	return s.rep, nil
}

func (c *Config) serveDefault() func(args ...string) *exec.Cmd {
	c.defaults()
	return c.Serve
}

// scaleRun is one scale run's state.
type scaleRun struct {
	cfg     ScaleConfig
	rep     *ScaleReport
	http    *http.Client
	plans   string
	nodes   []string // base URLs
	metrics []string // the nodes' /metrics URLs
	r       *runner  // for the HTTP helpers

	big, scale, limited string   // accounts: the seeded largest, the load's own, the limited one
	bigLocks            []string // bound locks of big
	scaleLocks          []string
	devices             []*client.DeviceLock // the scale account's locks as devices, one mutex each
	deviceMu            []sync.Mutex
	next                []uint64 // each device's next entry number
	dupContact          string   // a contact of scale holding a grant on scaleLocks[0]
	revocable           []string // delivered active lock grants of big
	revokeNext          atomic.Int64
	revoked             sync.Map // grant ids revoked with 200
	bigTok, scaleTok    string
	limitedTok          string
	limitedLock         string
	admin               credentials
}

// setup seeds a small dataset into an empty database, then makes, in process, what the load
// needs: the load's account with locks as devices, the limited account, clients and tokens.
func (s *scaleRun) setup(ctx context.Context) error {
	db, err := sqlstore.Open(ctx, s.cfg.DB)
	if err != nil {
		return err
	}
	var owners int
	err = db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM owners`).Scan(&owners)
	db.Close()
	if err != nil {
		return err
	}
	if owners == 0 {
		fmt.Fprintln(s.cfg.Progress, "bench scale: the database is empty; seeding a small dataset")
		if _, err := SeedDatabase(ctx, s.cfg.DB, sqlstore.SeedSpec{Owners: 4, Contacts: 2000, Locks: 200, Grants: 20000, LogEntries: 20000}); err != nil {
			return err
		}
	}
	mctx, cancel := context.WithCancel(ctx)
	m := &app.Main{Config: config.Config{Addr: "127.0.0.1:0", DB: s.cfg.DB, Plans: s.plans}, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), Console: io.Discard}
	if err := m.Open(mctx); err != nil {
		cancel()
		return err
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(mctx) }()
	defer closeMain(m, cancel, done)
	s.r = &runner{m: m, http: s.http, rep: &Report{}}
	if err := s.r.healthy(ctx, m.Config.Issuer, 30*time.Second); err != nil {
		return err
	}
	sql := m.Store.SQL()
	if err := sql.QueryRowContext(ctx, `SELECT o.id FROM owners o JOIN bound_locks b ON b.owner_id = o.id
		GROUP BY o.id ORDER BY COUNT(*) DESC, o.id LIMIT 1`).Scan(&s.big); err != nil {
		return err
	}
	if s.bigLocks, err = queryStrings(ctx, m, `SELECT id FROM bound_locks WHERE owner_id = $1 AND active = TRUE ORDER BY id LIMIT 1000`, s.big); err != nil {
		return err
	}
	if s.revocable, err = queryStrings(ctx, m, `SELECT id FROM grants WHERE owner_id = $1 AND active = TRUE AND delivered = TRUE
		AND target_type = 'Lock' ORDER BY id LIMIT 100000`, s.big); err != nil {
		return err
	}
	stamp := time.Now().UnixNano()
	op := asOperator(ctx)
	svc := m.Service
	mk := func(name string) (string, *keyward.User, error) {
		u, err := svc.CreateUser(op, keyward.UserCreate{Email: fmt.Sprintf("%s-%d@scale.example", name, stamp), Verified: true})
		if err != nil {
			return "", nil, err
		}
		o, err := svc.RegisterOwner(op, keyward.OwnerRegistration{Name: name, OwnerEmail: u.Email})
		if err != nil {
			return "", nil, err
		}
		return o.ID, u, nil
	}
	scaleOwner, su, err := mk("scale")
	if err != nil {
		return err
	}
	s.scale = scaleOwner
	var lu *keyward.User
	if s.limited, lu, err = mk("limited"); err != nil {
		return err
	}
	if err := svc.SetOwnerPlan(op, s.limited, "limited"); err != nil {
		return err
	}
	ll, _, err := bindLock(keyward.NewContextWithPrincipal(op, keyward.SessionPrincipal(lu)), svc, s.limited, "Limited door")
	if err != nil {
		return err
	}
	s.limitedLock = ll.ID
	as := keyward.NewContextWithPrincipal(op, keyward.SessionPrincipal(su))
	for i := range 16 {
		l, dev, err := bindLock(as, svc, s.scale, fmt.Sprintf("Scale door %d", i))
		if err != nil {
			return err
		}
		s.scaleLocks, s.devices = append(s.scaleLocks, l.ID), append(s.devices, dev)
	}
	s.deviceMu, s.next = make([]sync.Mutex, len(s.devices)), make([]uint64, len(s.devices))
	for i := range s.next {
		s.next[i] = 1
	}
	email := "duplicate@scale.example"
	c, err := svc.CreateContact(as, s.scale, keyward.ContactCreate{Identifier: &email})
	if err != nil {
		return err
	}
	if _, err := svc.CreateGrant(as, s.scale, keyward.GrantCreate{BoundLockID: s.scaleLocks[0], ContactID: &c.ID}); err != nil {
		return err
	}
	s.dupContact = c.ID
	scopes := []string{keyward.ScopeWriteCoreEntities, keyward.ScopeWriteGrants, keyward.ScopeReadLogs}
	tok := func(owner string) (string, credentials, error) {
		cr, err := s.r.client(ctx, keyward.ClientCreate{Name: "scale " + owner, GrantTypes: []string{keyward.GrantClientCredentials}, Scopes: scopes, AdminOf: owner})
		if err != nil {
			return "", cr, err
		}
		t, err := s.r.clientToken(ctx, m.Config.Issuer, cr)
		return t, cr, err
	}
	if s.bigTok, _, err = tok(s.big); err != nil {
		return err
	}
	if s.scaleTok, s.admin, err = tok(s.scale); err != nil {
		return err
	}
	s.limitedTok, _, err = tok(s.limited)
	return err
}

func queryStrings(ctx context.Context, m *app.Main, q string, a ...any) ([]string, error) {
	rows, err := m.Store.SQL().QueryContext(ctx, q, a...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// startNodes starts the serve processes, all with one issuer (as behind a load balancer, so that
// a token of one node is valid on every other), and waits until each is healthy.
func (s *scaleRun) startNodes(ctx context.Context) (func(), error) {
	var nodes []*node
	stop := func() {
		for _, n := range nodes {
			n.stop()
		}
	}
	for range s.cfg.Nodes {
		n, err := s.startNode()
		if err != nil {
			return stop, err
		}
		nodes = append(nodes, n)
		s.nodes = append(s.nodes, n.base)
		s.metrics = append(s.metrics, n.metrics)
	}
	for _, n := range nodes {
		if err := s.r.healthy(ctx, n.base, time.Minute); err != nil {
			return stop, err
		}
	}
	return stop, nil
}

// node is one `keyward serve` process of the run.
type node struct {
	cmd           *exec.Cmd
	base, metrics string // the API's base URL; the metrics' address
}

// startNode starts a `keyward serve` on the run's database with the run's issuer, plans and
// pool, its metrics on an address of their own, and the extra flags; it does not wait for it.
func (s *scaleRun) startNode(extra ...string) (*node, error) {
	var addrs []string
	for range 2 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		addrs = append(addrs, l.Addr().String())
		l.Close()
	}
	args := []string{"--addr", addrs[0], "--metrics-addr", addrs[1], "--db", s.cfg.DB, "--issuer", s.r.m.Config.Issuer, "--plans", s.plans}
	if s.cfg.DBMaxConns > 0 {
		args = append(args, "--db-max-conns", fmt.Sprint(s.cfg.DBMaxConns))
	}
	cmd := s.cfg.Serve(append(args, extra...)...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &node{cmd: cmd, base: "http://" + addrs[0], metrics: "http://" + addrs[1] + "/metrics"}, nil
}

// stop ends the process and waits for it.
func (n *node) stop() {
	n.cmd.Process.Signal(os.Interrupt)
	n.cmd.Wait()
}

// endpoints are the load's request kinds, each with its share of every 20 requests.
var endpoints = []struct {
	name  string
	share int
}{
	{"GET BoundLock", 5}, {"GET BoundLocks ($top=100)", 2}, {"GET Grants ($top=100)", 2},
	{"PUT Grant (inline contact)", 3}, {"PUT Grant (Duplicate)", 1}, {"PUT Grant (plan limit)", 1},
	{"POST Grant Revoke", 2}, {"device sync (100 entries)", 1}, {"POST /connect/token", 3},
}

// tally is one phase's figures for one endpoint.
type tally struct {
	mu       sync.Mutex
	lat      []time.Duration
	refused  int
	e5xx     int
	failures []string
}

// phase drives the mixed load across nodes for the duration and returns the tallies by endpoint
// and the phase's wall time.
func (s *scaleRun) phase(ctx context.Context, nodes []string) phaseResult {
	var kinds []int
	for i, e := range endpoints {
		for range e.share {
			kinds = append(kinds, i)
		}
	}
	tallies := make([]*tally, len(endpoints))
	for i := range tallies {
		tallies[i] = &tally{}
	}
	res := drive(ctx, s.cfg.Concurrency, s.cfg.Duration, func(ctx context.Context, w int, i int64) error {
		k := kinds[int(i)%len(kinds)]
		node := nodes[int(i/int64(len(kinds)))%len(nodes)]
		t0 := time.Now()
		status, refused, err := s.request(ctx, k, node, w, i)
		t := tallies[k]
		t.mu.Lock()
		defer t.mu.Unlock()
		if status >= 500 {
			t.e5xx++
		}
		if err != nil {
			if len(t.failures) < 3 {
				t.failures = append(t.failures, err.Error())
			}
			return err
		}
		if refused {
			t.refused++
		}
		t.lat = append(t.lat, time.Since(t0))
		return nil
	})
	for _, t := range tallies {
		slices.Sort(t.lat)
	}
	return phaseResult{tallies: tallies, elapsed: res.elapsed, errors: res.errors}
}

type phaseResult struct {
	tallies []*tally
	elapsed time.Duration
	errors  int
}

// request sends one request of kind k to node and says whether it was an expected refusal.
func (s *scaleRun) request(ctx context.Context, k int, node string, w int, i int64) (int, bool, error) {
	api := node + "/api/v1/Owners/"
	switch endpoints[k].name {
	case "GET BoundLock":
		return s.send(ctx, http.MethodGet, api+s.big+"/BoundLocks/"+s.bigLocks[int(i)%len(s.bigLocks)], s.bigTok, nil, "")
	case "GET BoundLocks ($top=100)":
		return s.send(ctx, http.MethodGet, api+s.big+"/BoundLocks?$top=100", s.bigTok, nil, "")
	case "GET Grants ($top=100)":
		return s.send(ctx, http.MethodGet, api+s.big+"/Grants?$top=100", s.bigTok, nil, "")
	case "PUT Grant (inline contact)":
		return s.send(ctx, http.MethodPut, api+s.scale+"/Grants", s.scaleTok, map[string]any{"boundLockId": s.scaleLocks[int(i)%len(s.scaleLocks)],
			"contact": map[string]any{"identifier": fmt.Sprintf("guest-%d-%d@scale.example", time.Now().UnixNano(), i)}}, "")
	case "PUT Grant (Duplicate)":
		return s.send(ctx, http.MethodPut, api+s.scale+"/Grants", s.scaleTok, map[string]any{"boundLockId": s.scaleLocks[0], "contactId": s.dupContact}, "Duplicate")
	case "PUT Grant (plan limit)":
		return s.send(ctx, http.MethodPut, api+s.limited+"/Grants", s.limitedTok, map[string]any{"boundLockId": s.limitedLock,
			"contact": map[string]any{"identifier": fmt.Sprintf("phone-%d-%d@scale.example", time.Now().UnixNano(), i)}}, "InsufficientSmartphoneUserContingent")
	case "POST Grant Revoke":
		n := s.revokeNext.Add(1) - 1
		if int(n) >= len(s.revocable) {
			return s.send(ctx, http.MethodGet, api+s.big+"/BoundLocks/"+s.bigLocks[0], s.bigTok, nil, "")
		}
		id := s.revocable[n]
		status, refused, err := s.send(ctx, http.MethodPost, api+s.big+"/Grants/"+id+"/Revoke", s.bigTok, nil, "")
		if err == nil {
			s.revoked.Store(id, true)
		}
		return status, refused, err
	case "device sync (100 entries)":
		d := w % len(s.devices)
		s.deviceMu[d].Lock()
		defer s.deviceMu[d].Unlock()
		resp, err := s.devices[d].SyncOnce(ctx, client.New(node, s.http), Entries(s.next[d], 100), nil)
		if err != nil {
			return statusOf(err), false, err
		}
		if resp.AckEntryNo != s.next[d]+99 {
			return 200, false, fmt.Errorf("the sync acknowledged entry %d, want %d", resp.AckEntryNo, s.next[d]+99)
		}
		s.next[d] += 100
		return 200, false, nil
	default:
		t, err := s.r.clientToken(ctx, node, s.admin)
		if err == nil && t == "" {
			err = fmt.Errorf("no access token")
		}
		return map[bool]int{true: 200, false: 0}[err == nil], false, err
	}
}

// statusOf finds an HTTP status in a client error's text, 0 when there is none.
func statusOf(err error) int {
	var status int
	if i := strings.Index(err.Error(), "status "); i >= 0 {
		fmt.Sscanf(err.Error()[i+7:], "%d", &status)
	}
	return status
}

// send sends one JSON request; an answer with the error code refusal counts as an expected
// refusal, anything else but 2xx is an error.
func (s *scaleRun) send(ctx context.Context, method, target, tok string, body any, refusal string) (int, bool, error) {
	var b []byte
	if body != nil {
		b, _ = json.Marshal(body)
	}
	status, answer, err := s.r.do(ctx, method, target, string(b), func(req *http.Request) {
		req.Header.Set("Authorization", "Bearer "+tok)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
	})
	if err != nil {
		return status, false, err
	}
	if refusal != "" && status/100 == 4 {
		var e struct{ ErrorCode string }
		if json.Unmarshal(answer, &e) == nil && e.ErrorCode == refusal {
			return status, true, nil
		}
	}
	return status, false, expectOK(status, answer)
}

// report turns the two phases into the report's rows.
func (s *scaleRun) report(one, all phaseResult) {
	ms := func(t *tally) float64 {
		if len(t.lat) == 0 {
			return 0
		}
		return toMs(t.lat[min(len(t.lat)-1, int(0.99*float64(len(t.lat))))])
	}
	for i, e := range endpoints {
		a, b := one.tallies[i], all.tallies[i]
		row := ScaleRow{Endpoint: e.name, Rate1: float64(len(a.lat)) / one.elapsed.Seconds(), RateN: float64(len(b.lat)) / all.elapsed.Seconds(),
			P99One: ms(a), P99N: ms(b), Refused1: a.refused, RefN: b.refused}
		s.rep.Rows = append(s.rep.Rows, row)
		s.rep.Total1 += row.Rate1
		s.rep.TotalN += row.RateN
		s.rep.ServerErrors += a.e5xx + b.e5xx
		for _, f := range append(a.failures, b.failures...) {
			s.rep.Failures = append(s.rep.Failures, e.name+": "+f)
		}
	}
	if s.rep.ServerErrors > 0 {
		s.rep.Failures = append(s.rep.Failures, fmt.Sprintf("%d answers were 5xx", s.rep.ServerErrors))
	}
}

// check verifies the invariants on the database after the load, with read-only queries.
func (s *scaleRun) check(ctx context.Context) {
	db, err := sqlstore.OpenNoMigrate(ctx, s.cfg.DB)
	if err != nil {
		s.rep.Failures = append(s.rep.Failures, "check: "+err.Error())
		return
	}
	defer db.Close()
	count := func(q string, a ...any) int {
		var n int
		if err := db.SQL().QueryRowContext(ctx, q, a...).Scan(&n); err != nil {
			s.rep.Failures = append(s.rep.Failures, fmt.Sprintf("check %q: %v", q, err))
			return -1
		}
		return n
	}
	var dups, limits int
	for _, r := range s.rep.Rows {
		switch r.Endpoint {
		case "PUT Grant (Duplicate)":
			dups = r.Refused1 + r.RefN
		case "PUT Grant (plan limit)":
			limits = r.Refused1 + r.RefN
		}
	}
	var revoked []string
	s.revoked.Range(func(k, _ any) bool { revoked = append(revoked, k.(string)); return true })
	checks := []struct {
		what string
		ok   bool
	}{
		{fmt.Sprintf("no two active grants per lock and grantee (%d Duplicate refusals under load)",
			dups), count(`SELECT COUNT(*) FROM (SELECT 1 FROM grants WHERE active = TRUE GROUP BY target_id, grantee_key HAVING COUNT(*) > 1) d`) == 0 && dups > 0},
		{fmt.Sprintf("the limited account has at most %d smartphone users (%d refusals under load)", scaleLimit, limits),
			count(`SELECT COUNT(DISTINCT contact_id) FROM grants WHERE owner_id = $1 AND active = TRUE AND contact_id IS NOT NULL`, s.limited) == scaleLimit && limits > 0},
		{fmt.Sprintf("each of the %d delivered grants revoked under load is RevocationPending, listed on its lock, whose lock has not synced since",
			len(revoked)), len(revoked) > 0 && count(`SELECT COUNT(*) FROM grants g JOIN bound_locks b ON b.id = g.target_id
				JOIN lock_revocations r ON r.grant_id = g.id AND r.physical_lock_id = b.physical_lock_id
				WHERE g.state = 'RevocationPending' AND b.last_sync_seq <= g.revoked_seq AND g.owner_id = $1 AND g.revoked_at >= $2`,
			s.big, time.Now().Add(-3*s.cfg.Duration-time.Hour).UnixMilli()) == len(revoked)},
		{"no RevocationPending grant that was never delivered", count(`SELECT COUNT(*) FROM grants WHERE state = 'RevocationPending' AND delivered = FALSE`) == 0},
		{"every device sync's entries are stored once", count(`SELECT COUNT(*) FROM log_entries WHERE owner_id = $1`, s.scale) == s.ingested()},
	}
	for _, c := range checks {
		if c.ok {
			s.rep.Invariants = append(s.rep.Invariants, c.what)
		} else {
			s.rep.Failures = append(s.rep.Failures, "invariant: "+c.what)
		}
	}
}

// ingested is how many entries the devices' syncs delivered.
func (s *scaleRun) ingested() int {
	n := 0
	for _, next := range s.next {
		n += int(next - 1)
	}
	return n
}

// WriteTable prints the report.
func (rep *ScaleReport) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "machine: %s\nnodes: %d, clients: %d, %s per phase, db-max-conns %d per node\n\n", rep.Machine, rep.Nodes, rep.Concurrency, rep.Duration, rep.DBMaxConns)
	fmt.Fprintf(w, "| endpoint | 1 node req/s | %d nodes req/s | ratio | p99 1 node | p99 %d nodes | refusals (1 / %d) |\n|---|---|---|---|---|---|---|\n", rep.Nodes, rep.Nodes, rep.Nodes)
	for _, r := range rep.Rows {
		fmt.Fprintf(w, "| %s | %.1f | %.1f | %.2f | %.1f ms | %.1f ms | %d / %d |\n", r.Endpoint, r.Rate1, r.RateN, ratio(r.RateN, r.Rate1), r.P99One, r.P99N, r.Refused1, r.RefN)
	}
	fmt.Fprintf(w, "| **total** | %.1f | %.1f | %.2f | | | |\n\n5xx answers: %d\n", rep.Total1, rep.TotalN, ratio(rep.TotalN, rep.Total1), rep.ServerErrors)
	fmt.Fprintf(w, "read caches: %.0f hits, %.0f misses\n", rep.CacheHits, rep.CacheMisses)
	for _, i := range rep.Invariants {
		fmt.Fprintf(w, "held: %s\n", i)
	}
	for _, f := range rep.Failures {
		fmt.Fprintf(w, "FAILED: %s\n", f)
	}
	return nil
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
