package app

import (
	"context"
	"time"

	"github.com/keyward/keyward/internal/metrics"
	"github.com/keyward/keyward/internal/service"
	"github.com/keyward/keyward/internal/sqlstore"
)

// serviceConfig is the service's configuration, reporting log ingestion to the metrics when the
// server has them.
func (m *Main) serviceConfig() service.Config {
	cfg := service.Config{Plans: m.Plans, Now: m.Now}
	if m.Metrics != nil {
		cfg.ObserveLogEntries = m.Metrics.ObserveLogEntries
	}
	return cfg
}

// observeConflicts counts the store's transaction conflicts in the metrics, when the server has
// them.
func (m *Main) observeConflicts() {
	if m.Metrics == nil {
		return
	}
	m.Store.ObserveConflicts(func(c sqlstore.Conflict) { m.Metrics.ObserveConflict(c.SQLState, c.Retried) })
}

// collectPropagation has the metrics read the propagation backlog from the database at each
// scrape: right on every node, whichever node made the changes.
func (m *Main) collectPropagation() {
	if m.Metrics == nil {
		return
	}
	m.Metrics.CollectPropagation(func(ctx context.Context) (metrics.Propagation, error) {
		b, err := m.Service.PropagationBacklog(ctx)
		if err != nil {
			return metrics.Propagation{}, err
		}
		p := metrics.Propagation{PendingRevocations: b.PendingRevocations, PendingCardWrites: b.PendingCardWrites}
		if b.OldestPendingSince != nil {
			p.OldestAge = max(0, m.Now().Sub(b.OldestPendingSince.Time)).Truncate(time.Millisecond)
		}
		return p, nil
	})
}

// collectReadCache has the metrics report the read cache's counts at each scrape, when the
// server has them.
func (m *Main) collectReadCache() {
	if m.Metrics == nil {
		return
	}
	m.Metrics.CollectReadCache(func() metrics.ReadCache {
		s := m.ReadCache.Stats()
		return metrics.ReadCache{Hits: s.Hits, Misses: s.Misses, Evictions: s.Evictions, Bytes: s.Bytes}
	})
}

// collectStanding has the metrics report the standing cache's counts and whether the node is
// alone on its database, at each scrape.
func (m *Main) collectStanding() {
	if m.Metrics == nil || m.Store.Engine() != sqlstore.Postgres {
		return
	}
	m.Metrics.CollectStanding(func() metrics.Standing {
		s := m.Store.StandingStats()
		return metrics.Standing{Hits: s.Hits, Misses: s.Misses, Alone: s.Alone}
	})
}
