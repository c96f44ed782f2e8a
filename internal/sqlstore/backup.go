package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"os"
)

// ErrBackupEngine is a backup asked of a PostgreSQL store: its server's own tools (pg_dump,
// base backups with WAL archiving) make consistent copies, and docs/operations.md says how.
var ErrBackupEngine = errors.New("sqlstore: backup copies SQLite databases; back PostgreSQL up with pg_dump or a base backup")

// Backup writes a consistent copy of a SQLite database to path, a file that must not exist yet,
// while servers go on writing: VACUUM INTO reads one snapshot of the database (one read
// transaction in WAL mode, so writers are not blocked) and writes it as a new, compact database.
// The copy holds every transaction committed before the snapshot and none after.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.d.engine != SQLite {
		return ErrBackupEngine
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("sqlstore: backup: %s exists; give a new file", path)
	}
	if _, err := db.sql.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("sqlstore: backup to %s: %w", path, err)
	}
	return nil
}
