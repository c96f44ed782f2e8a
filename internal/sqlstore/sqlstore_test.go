package sqlstore_test

import (
	"testing"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/sqlstore"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
	"github.com/keyward/keyward/internal/sqlstore/storetest"
)

func TestStore(t *testing.T) {
	for _, engine := range sqltest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) keyward.Store { return sqltest.Open(t, engine) })
		})
	}
}

func TestParseDSN(t *testing.T) {
	tests := []struct {
		dsn, engine, driver, err string
	}{
		{"sqlite:keyward.db", "sqlite", "file:keyward.db?_pragma=busy_timeout%2810000%29&_pragma=journal_mode%28WAL%29&_pragma=foreign_keys%281%29&_pragma=synchronous%28NORMAL%29&_txlock=immediate", ""},
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
