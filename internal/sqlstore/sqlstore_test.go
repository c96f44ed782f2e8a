package sqlstore_test

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/sqlstore"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
	"github.com/keyward/keyward/internal/sqlstore/storetest"
)

func TestStore(t *testing.T) {
	for _, engine := range sqltest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			// once: the contract's cases hold transactions open against each other
			storetest.Run(t, func(t *testing.T) keyward.Store { return sqltest.OpenOnce(t, engine) })
		})
	}
}

func TestParseDSN(t *testing.T) {
	tests := []struct {
		dsn, engine, driver, err string
	}{
		{"sqlite:keyward.db", "sqlite", "file:keyward.db?_pragma=busy_timeout%2810000%29&_pragma=journal_mode%28WAL%29&_pragma=foreign_keys%281%29&_pragma=synchronous%28NORMAL%29&_pragma=wal_autocheckpoint%280%29&_pragma=journal_size_limit%2867108864%29&_txlock=immediate", ""},
		{"postgres://u@h/db", "postgres", "postgres://u@h/db", ""},
		{"sqlite::memory:", "", "", `sqlstore: "sqlite::memory:": a SQLite database needs a file path (an in-memory database would differ per connection)`},
		{"mysql://x", "", "", `sqlstore: "mysql://x": the database address must start with sqlite: or postgres://`},
	}
	for _, tt := range tests {
		t.Run(tt.dsn, func(t *testing.T) {
			engine, driver, err := sqlstore.ParseDSN(tt.dsn)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err = %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil || string(engine) != tt.engine || driver != tt.driver {
				t.Fatalf("ParseDSN = %q, %q, %v; want %q, %q", engine, driver, err, tt.engine, tt.driver)
			}
		})
	}
}

// schema describes tables as "table: col col ..." and the index names, engine-neutrally.
func schema(t *testing.T, db *sqlstore.DB) (tables, indexes []string) {
	t.Helper()
	ctx := context.Background()
	colQuery := `SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid`
	idxQuery := `SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name`
	if db.Engine() == sqlstore.Postgres {
		colQuery = `SELECT table_name, column_name FROM information_schema.columns
			WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`
		idxQuery = `SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE '%_pkey' ORDER BY indexname`
	}
	rows, err := db.SQL().QueryContext(ctx, colQuery)
	if err != nil {
		t.Fatal(err)
	}
	byTable := map[string][]string{}
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			t.Fatal(err)
		}
		byTable[table] = append(byTable[table], col)
	}
	rows.Close()
	for table, cols := range byTable {
		tables = append(tables, table+": "+strings.Join(cols, " "))
	}
	sort.Strings(tables)
	rows, err = db.SQL().QueryContext(ctx, idxQuery)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		indexes = append(indexes, name)
	}
	return tables, indexes
}

// TestSchemaParity migrates both engines and compares their tables, columns and indexes.
func TestSchemaParity(t *testing.T) {
	if len(sqltest.Engines(t)) < 2 {
		t.Skip("KEYWARD_TEST_POSTGRES is not set")
	}
	lite, pg := sqltest.Open(t, sqlstore.SQLite), sqltest.Open(t, sqlstore.Postgres)
	liteTables, liteIdx := schema(t, lite)
	pgTables, pgIdx := schema(t, pg)
	if diff := cmp.Diff(liteTables, pgTables); diff != "" {
		t.Errorf("tables differ (-sqlite +postgres):\n%s", diff)
	}
	if diff := cmp.Diff(liteIdx, pgIdx); diff != "" {
		t.Errorf("indexes differ (-sqlite +postgres):\n%s", diff)
	}
	if len(liteTables) < 12 {
		t.Fatalf("only %d tables: %v", len(liteTables), liteTables)
	}
}

// TestQueryPlans checks on each engine that indexes serve every list's default page and the hot
// lookups (see sqlstore.CheckQueryPlans).
func TestQueryPlans(t *testing.T) {
	for _, engine := range sqltest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			sqlstore.CheckQueryPlans(t, sqltest.Open(t, engine))
		})
	}
}

// TestObserve: the observer sees every statement once it ran, inside transactions too, with its
// duration and the driver's error, so that statement timing and metrics attach in one place.
func TestObserve(t *testing.T) {
	for _, engine := range sqltest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := sqltest.Open(t, engine)
			var seen []sqlstore.Statement
			db.Observe(func(st sqlstore.Statement) { seen = append(seen, st) })
			t.Cleanup(func() { db.Observe(nil) })
			ctx := context.Background()
			u := &keyward.User{ID: "u1", Email: "ada@example.com", Kind: keyward.UserPerson, CreatedAt: keyward.TimeFromMillis(1)}
			if err := db.Direct().CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			err := db.InTx(ctx, func(tx keyward.Tx) error { return tx.CreateUser(ctx, u) })
			if !errors.Is(err, keyward.ErrEmailAddressInUse) {
				t.Fatalf("second CreateUser: %v, want ErrEmailAddressInUse", err)
			}
			var inserts []sqlstore.Statement
			for _, st := range seen {
				if strings.HasPrefix(st.Query, "INSERT INTO users") {
					inserts = append(inserts, st)
				}
			}
			if len(inserts) != 2 || inserts[0].Err != nil || inserts[1].Err == nil || inserts[0].Duration <= 0 {
				t.Fatalf("observed inserts %+v, want two, the second failed, with durations", inserts)
			}
			if inserts[0].Args[0] != "u1" {
				t.Fatalf("observed arguments %v, want the user's id first", inserts[0].Args)
			}
		})
	}
}
