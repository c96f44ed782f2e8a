// Package metrics is Keyward's Prometheus adapter: the registry of the server's metrics and the
// handler that exposes them. The other packages report through the plain functions they are
// handed (httpapi's request observer), so that none of them depends on Prometheus.
package metrics

import (
	"context"
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds one server's metrics in a registry of its own, so that two servers in one
// process (tests) never share counters.
type Metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.HistogramVec
	tokens     *prometheus.CounterVec
	logEntries *prometheus.CounterVec
	conflicts  *prometheus.CounterVec
}

// New registers the request metrics, the database pool's statistics, and the Go runtime's and
// the process's collectors.
func New(db *sql.DB) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "keyward_http_request_duration_seconds",
			Help:    "Time to answer a request of the API, by route pattern (METHOD /path/{param}) and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "status"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "keyward_oauth_token_requests_total",
			Help: "Token requests by grant type and outcome: issued, or the OAuth error code.",
		}, []string{"grant_type", "outcome"}),
		logEntries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "keyward_lock_log_entries_total",
			Help: "Log entries that locks uploaded through the device API, by outcome: stored, or duplicate (the lock's log held it already).",
		}, []string{"outcome"}),
		conflicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "keyward_db_transaction_conflicts_total",
			Help: "Transactions PostgreSQL ended as a deadlock's victim (40P01) or for a serialization failure (40001), by SQLSTATE and outcome: retried (run again, unseen by the client), or failed (after the last run).",
		}, []string{"sqlstate", "outcome"}),
	}
	m.logEntries.WithLabelValues("stored")
	m.logEntries.WithLabelValues("duplicate")
	for _, code := range []string{"40P01", "40001"} {
		m.conflicts.WithLabelValues(code, "retried")
		m.conflicts.WithLabelValues(code, "failed")
	}
	m.reg.MustRegister(m.requests, m.tokens, m.logEntries, m.conflicts, collectors.NewDBStatsCollector(db, "keyward"),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ObserveRequest records one answered request. route is the matched route's pattern, "" for a
// request no route matched (kept apart so that unknown paths cannot grow the label set).
func (m *Metrics) ObserveRequest(route string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Observe(d.Seconds())
}

// ObserveToken records one token request of a supported grant type.
func (m *Metrics) ObserveToken(grantType, outcome string) {
	m.tokens.WithLabelValues(grantType, outcome).Inc()
}

// ObserveLogEntries records one committed upload of log entries.
func (m *Metrics) ObserveLogEntries(stored, duplicates int) {
	m.logEntries.WithLabelValues("stored").Add(float64(stored))
	m.logEntries.WithLabelValues("duplicate").Add(float64(duplicates))
}

// ObserveConflict records one transaction the database ended for what ran beside it; retried
// tells whether the store ran it again.
func (m *Metrics) ObserveConflict(sqlstate string, retried bool) {
	outcome := "failed"
	if retried {
		outcome = "retried"
	}
	m.conflicts.WithLabelValues(sqlstate, outcome).Inc()
}

// ReadCache is what the read cache did since the server started, and the memory it holds now.
type ReadCache struct {
	Hits, Misses, Evictions uint64
	Bytes                   int64
}

// CollectReadCache registers the read cache's counters and size, which fn reports at each
// scrape.
func (m *Metrics) CollectReadCache(fn func() ReadCache) {
	m.reg.MustRegister(readCacheCollector{read: fn})
}

var (
	readCacheRequestsDesc = prometheus.NewDesc("keyward_read_cache_requests_total",
		"Reads the read cache was asked for, by outcome: hit (answered from memory) or miss (computed, and kept when it may be).", []string{"outcome"}, nil)
	readCacheEvictionsDesc = prometheus.NewDesc("keyward_read_cache_evictions_total",
		"Answers the read cache dropped to stay within its size.", nil, nil)
	readCacheBytesDesc = prometheus.NewDesc("keyward_read_cache_bytes",
		"Memory the read cache's answers and keys take now.", nil, nil)
)

type readCacheCollector struct{ read func() ReadCache }

func (c readCacheCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- readCacheRequestsDesc
	ch <- readCacheEvictionsDesc
	ch <- readCacheBytesDesc
}

func (c readCacheCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.read()
	ch <- prometheus.MustNewConstMetric(readCacheRequestsDesc, prometheus.CounterValue, float64(s.Hits), "hit")
	ch <- prometheus.MustNewConstMetric(readCacheRequestsDesc, prometheus.CounterValue, float64(s.Misses), "miss")
	ch <- prometheus.MustNewConstMetric(readCacheEvictionsDesc, prometheus.CounterValue, float64(s.Evictions))
	ch <- prometheus.MustNewConstMetric(readCacheBytesDesc, prometheus.GaugeValue, float64(s.Bytes))
}

// Standing is what the standing cache did since the server started, and whether the node is
// alone on its PostgreSQL database now.
type Standing struct {
	Hits, Misses uint64
	Alone        bool
}

// CollectStanding registers the standing cache's counters and the alone gauge, which fn reports
// at each scrape.
func (m *Metrics) CollectStanding(fn func() Standing) {
	m.reg.MustRegister(standingCollector{read: fn})
}

var (
	standingRequestsDesc = prometheus.NewDesc("keyward_token_standing_checks_total",
		"Token checks by outcome: hit (answered from memory, the node alone on its database and nothing written since) or miss (read from the database).", []string{"outcome"}, nil)
	aloneDesc = prometheus.NewDesc("keyward_db_alone",
		"1 while this node is the only process connected to its PostgreSQL database, so that token standings may be answered from memory.", nil, nil)
)

type standingCollector struct{ read func() Standing }

func (c standingCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- standingRequestsDesc
	ch <- aloneDesc
}

func (c standingCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.read()
	alone := 0.0
	if s.Alone {
		alone = 1
	}
	ch <- prometheus.MustNewConstMetric(standingRequestsDesc, prometheus.CounterValue, float64(s.Hits), "hit")
	ch <- prometheus.MustNewConstMetric(standingRequestsDesc, prometheus.CounterValue, float64(s.Misses), "miss")
	ch <- prometheus.MustNewConstMetric(aloneDesc, prometheus.GaugeValue, alone)
}

// Propagation is what the locks of every account have yet to learn, as the store counts it.
type Propagation struct {
	PendingRevocations int           // per lock and revoked grant
	PendingCardWrites  int           // per card
	OldestAge          time.Duration // of the oldest pending change; 0 when nothing is pending
}

// CollectPropagation registers gauges of the propagation backlog that fn reads from the database
// on every scrape, so that every node reports the same, current totals whichever node made the
// changes. A scrape that cannot read them leaves the three gauges out (and the rest in).
func (m *Metrics) CollectPropagation(fn func(context.Context) (Propagation, error)) {
	m.reg.MustRegister(propagationCollector{read: fn})
}

var (
	pendingRevocationsDesc = prometheus.NewDesc("keyward_pending_revocations",
		"Revoked grants that a bound lock has not confirmed yet, counted once per lock, over all accounts.", nil, nil)
	pendingCardWritesDesc = prometheus.NewDesc("keyward_pending_card_writes",
		"Cards whose grants changed since a lock last wrote them, over all accounts.", nil, nil)
	oldestPendingDesc = prometheus.NewDesc("keyward_oldest_pending_change_age_seconds",
		"Age of the oldest pending revocation or card write; 0 when nothing is pending.", nil, nil)
)

// propagationTimeout bounds the database read of one scrape.
const propagationTimeout = 5 * time.Second

type propagationCollector struct {
	read func(context.Context) (Propagation, error)
}

func (c propagationCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- pendingRevocationsDesc
	ch <- pendingCardWritesDesc
	ch <- oldestPendingDesc
}

func (c propagationCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), propagationTimeout)
	defer cancel()
	p, err := c.read(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(pendingRevocationsDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(pendingRevocationsDesc, prometheus.GaugeValue, float64(p.PendingRevocations))
	ch <- prometheus.MustNewConstMetric(pendingCardWritesDesc, prometheus.GaugeValue, float64(p.PendingCardWrites))
	ch <- prometheus.MustNewConstMetric(oldestPendingDesc, prometheus.GaugeValue, p.OldestAge.Seconds())
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, ErrorHandling: promhttp.ContinueOnError})
}
