// Package metrics is Keyward's Prometheus adapter: the registry of the server's metrics and the
// handler that exposes them. The other packages report through the plain functions they are
// handed (httpapi's request observer), so that none of them depends on Prometheus.
package metrics

import (
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
	reg      *prometheus.Registry
	requests *prometheus.HistogramVec
	tokens   *prometheus.CounterVec
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
	}
	m.reg.MustRegister(m.requests, m.tokens, collectors.NewDBStatsCollector(db, "keyward"),
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

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}
