package sqlstore

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// changesRows finds a statement that changes rows; raisesVersions, the raise of the accounts'
// versions that must come with it (design.md, the read cache).
var (
	changesRows    = regexp.MustCompile(`(?im)^\s*(UPDATE|DELETE\s+FROM|INSERT\s+INTO)\b`)
	raisesVersions = regexp.MustCompile(`(?i)UPDATE\s+owners\s+SET\s+version\s*=\s*version\s*\+\s*1`)
)

// TestMigrationFiles checks the history's naming (numbered files, and every engine override
// "0007_x.sqlite.sql" has the common file it replaces, "0007_x.sql"), its versions, and that a
// migration that changes rows also raises the versions of the accounts, as every write on their
// data does.
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
			if changesRows.MatchString(m.sql) && !raisesVersions.MatchString(m.sql) {
				t.Errorf("%s: migration %s changes rows without raising the accounts' versions; the read caches of the nodes still serving would keep answers of the data it changed", engine, m.name)
			}
		}
	}
}
