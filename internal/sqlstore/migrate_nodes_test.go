package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
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

// TestMigrate_RefusesNewerSchema: a database a newer release migrated (a version above this
// build's latest is recorded) is refused, by serving and by migrating, and nothing is written.
func TestMigrate_RefusesNewerSchema(t *testing.T) {
	for _, engine := range sqltest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			dsn := sqltest.DSN(t, engine)
			db, err := sqlstore.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			newer := sqlstore.LatestVersion() + 1
			if _, err := db.SQL().Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'from_a_newer_release', 0)`, newer); err != nil {
				t.Fatal(err)
			}
			db.Close()

			_, err = sqlstore.Open(ctx, dsn)
			want := fmt.Sprintf("sqlstore: the database's schema is newer than this build: it is at version %d, this build knows versions up to %d; run a Keyward release that knows version %d",
				newer, newer-1, newer)
			if !errors.Is(err, sqlstore.ErrSchemaNewer) || err.Error() != want {
				t.Fatalf("opening the newer database: %v\nwant: %s", err, want)
			}
			raw, err := sqlstore.OpenNoMigrate(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			if err := raw.Migrate(ctx); !errors.Is(err, sqlstore.ErrSchemaNewer) {
				t.Fatalf("migrating the newer database: %v, want ErrSchemaNewer", err)
			}
			if v, err := raw.SchemaVersion(ctx); err != nil || v != newer {
				t.Fatalf("schema version after the refusals: %d (%v), want %d", v, err, newer)
			}
		})
	}
}
