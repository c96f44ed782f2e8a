package sqlstore

import (
	"io/fs"
	"strings"
	"testing"
)

// TestMigrationFiles checks the history's naming: numbered files, and every engine override
// ("0007_x.sqlite.sql") has the common file it replaces ("0007_x.sql").
func TestMigrationFiles(t *testing.T) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, e := range entries {
		names[e.Name()] = true
	}
	for name := range names {
		base, engine, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), ".")
		if !ok {
			continue
		}
		if engine != string(SQLite) && engine != string(Postgres) {
			t.Errorf("%s: unknown engine %q", name, engine)
		}
		if !names[base+".sql"] {
			t.Errorf("%s overrides %s.sql, which does not exist", name, base)
		}
	}
	for _, engine := range []Engine{SQLite, Postgres} {
		list, err := migrations(engine)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range list {
			if m.version != i+1 {
				t.Errorf("%s: migration %s has version %d, want %d (no gaps)", engine, m.name, m.version, i+1)
			}
		}
	}
}
