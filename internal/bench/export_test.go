package bench

import (
	"os"
	"slices"
	"testing"

	"github.com/keyward/keyward/internal/sqlstore"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

// Engines are the databases the benchmark's tests run on: "" for a temporary SQLite file, and the
// PostgreSQL server of KEYWARD_TEST_POSTGRES when sqltest.Engines includes it (which fails the
// test when PostgreSQL is required and not set). The runs make their own databases on it.
func Engines(t *testing.T) []string {
	list := []string{""}
	if slices.Contains(sqltest.Engines(t), sqlstore.Postgres) {
		list = append(list, os.Getenv("KEYWARD_TEST_POSTGRES"))
	}
	return list
}

// FreshDatabaseForTest makes a fresh database on the PostgreSQL server of dsn.
func FreshDatabaseForTest(t *testing.T, dsn string) (string, func()) {
	d, drop, err := freshDatabase(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return d, drop
}
