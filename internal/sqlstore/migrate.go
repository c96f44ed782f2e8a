package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one schema version. A file "0007_x.sql" serves both engines; "0007_x.sqlite.sql"
// or "0007_x.postgres.sql" replaces it for one engine.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the history for engine, in version order.
func migrations(engine Engine) ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	byVersion := map[int]migration{}
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".sql")
		base, suffix, hasSuffix := strings.Cut(name, ".")
		if hasSuffix && suffix != string(engine) {
			continue
		}
		prefix, _, _ := strings.Cut(base, "_")
		v, err := strconv.Atoi(prefix)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: migration %q has no numeric version", e.Name())
		}
		if _, seen := byVersion[v]; seen && !hasSuffix {
			continue // an engine override already took this version
		}
		text, err := fs.ReadFile(migrationFS, "migrations/"+e.Name())
		if err != nil {
			return nil, err
		}
		byVersion[v] = migration{version: v, name: base, sql: string(text)}
	}
	list := make([]migration, 0, len(byVersion))
	for _, m := range byVersion {
		list = append(list, m)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].version < list[j].version })
	return list, nil
}

// Migrate applies every migration not yet recorded in schema_migrations, each in its own
// transaction. On PostgreSQL an advisory lock keeps nodes that start together from racing.
func (db *DB) Migrate(ctx context.Context) error { return db.migrate(ctx, LatestVersion()) }

// migrate applies the migrations up to version upTo; the tests of a migration stop before it to
// write the rows it must carry over.
func (db *DB) migrate(ctx context.Context, upTo int) error {
	list, err := migrations(db.d.engine)
	if err != nil {
		return err
	}
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sqlstore: migrate: %w", err)
	}
	defer conn.Close()
	if db.d.engine == Postgres {
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7265706)`); err != nil {
			return fmt.Errorf("sqlstore: migrate: advisory lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(7265706)`)
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("sqlstore: migrate: %w", err)
	}
	if err := refuseNewer(ctx, conn, list[len(list)-1].version); err != nil {
		return err
	}
	for _, m := range list {
		if m.version > upTo {
			break
		}
		if err := applyMigration(ctx, conn, m); err != nil {
			return err
		}
	}
	return nil
}

// ErrSchemaNewer is a database whose schema a newer Keyward migrated: this build does not know
// what the newer migrations mean, so it neither serves nor migrates it.
var ErrSchemaNewer = errors.New("sqlstore: the database's schema is newer than this build")

// refuseNewer fails with ErrSchemaNewer when schema_migrations records a version above latest,
// the newest this build knows. An older node that kept serving such a database would write
// rows without the columns, constraints and meanings the newer schema gave them.
func refuseNewer(ctx context.Context, conn *sql.Conn, latest int) error {
	var newest sql.NullInt64
	if err := conn.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&newest); err != nil {
		return fmt.Errorf("sqlstore: migrate: %w", err)
	}
	if int(newest.Int64) > latest {
		return fmt.Errorf("%w: it is at version %d, this build knows versions up to %d; run a Keyward release that knows version %d", ErrSchemaNewer, newest.Int64, latest, newest.Int64)
	}
	return nil
}

// applyMigration runs m unless it is recorded already; the check and the run share a transaction.
func applyMigration(ctx context.Context, conn *sql.Conn, m migration) error {
	defer beginWrite()()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: migrate %s: %w", m.name, err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = $1`, m.version).Scan(&n); err != nil {
		return fmt.Errorf("sqlstore: migrate %s: %w", m.name, err)
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("sqlstore: migrate %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
		m.version, m.name, time.Now().UnixMilli()); err != nil {
		return fmt.Errorf("sqlstore: migrate %s: %w", m.name, err)
	}
	return tx.Commit()
}

// SchemaVersion returns the newest applied migration version, 0 for an empty database.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	err := db.sql.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: schema version: %w", err)
	}
	return int(v.Int64), nil
}

// LatestVersion is the newest schema version this build knows.
func LatestVersion() int {
	list, err := migrations(SQLite)
	if err != nil || len(list) == 0 {
		return 0
	}
	return list[len(list)-1].version
}
