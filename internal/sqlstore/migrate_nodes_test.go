package sqlstore_test

import (
	"context"
	"sync"
	"testing"

	"github.com/keyward/keyward/internal/sqlstore"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

// TestMigrate_NodesStartingTogether: several servers started at once on one empty database (a
// cluster's rollout) all open it, and each migration ran exactly once. On PostgreSQL an advisory
// lock serializes them; on SQLite the database's write lock and the busy timeout do.
func TestMigrate_NodesStartingTogether(t *testing.T) {
	for _, engine := range sqltest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			dsn := sqltest.DSN(t, engine)
			const nodes = 4
			var wg sync.WaitGroup
			errs := make([]error, nodes)
			dbs := make([]*sqlstore.DB, nodes)
			start := make(chan struct{})
			for i := range nodes {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					dbs[i], errs[i] = sqlstore.Open(context.Background(), dsn)
				}()
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("node %d: %v", i, err)
					continue
				}
				defer dbs[i].Close()
			}
			if t.Failed() {
				return
			}
			var applied, distinct int
			if err := dbs[0].SQL().QueryRow(`SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations`).Scan(&applied, &distinct); err != nil {
				t.Fatal(err)
			}
			if v, err := dbs[0].SchemaVersion(context.Background()); err != nil || v != sqlstore.LatestVersion() || applied != v || distinct != v {
				t.Fatalf("schema version %d (%v), %d migrations recorded (%d distinct), want %d each", v, err, applied, distinct, sqlstore.LatestVersion())
			}
		})
	}
}
