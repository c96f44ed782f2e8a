// Package sqltest opens fresh, migrated Keyward databases for tests on every engine the machine
// offers: SQLite always, PostgreSQL when KEYWARD_TEST_POSTGRES holds a server DSN. With
// KEYWARD_REQUIRE_POSTGRES=1 (as in CI) a missing PostgreSQL fails the test instead of skipping.
package sqltest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/keyward/keyward/internal/sqlstore"
)

// Engines returns the engines to test on.
func Engines(t testing.TB) []sqlstore.Engine {
	t.Helper()
	engines := []sqlstore.Engine{sqlstore.SQLite}
	if os.Getenv("KEYWARD_TEST_POSTGRES") != "" {
		return append(engines, sqlstore.Postgres)
	}
	if os.Getenv("KEYWARD_REQUIRE_POSTGRES") == "1" {
		t.Fatal("KEYWARD_REQUIRE_POSTGRES=1 but KEYWARD_TEST_POSTGRES is empty: set it to a PostgreSQL server DSN")
	}
	return engines
}

// DSN creates an empty database on engine, dropped when the test ends, and returns its Keyward
// address (sqlite:... or postgres://...).
func DSN(t testing.TB, engine sqlstore.Engine) string {
	t.Helper()
	if engine == sqlstore.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "keyward.db")
	}
	server := os.Getenv("KEYWARD_TEST_POSTGRES")
	if server == "" {
		Engines(t) // fails the test under KEYWARD_REQUIRE_POSTGRES=1
		t.Skip("KEYWARD_TEST_POSTGRES is not set")
	}
	admin, err := sqlstore.OpenAdmin(server)
	if err != nil {
		t.Fatalf("connect to %s: %v", redact(server), err)
	}
	t.Cleanup(func() { admin.Close() })
	name := "kw_test_" + randomHex(8)
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("parse KEYWARD_TEST_POSTGRES: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// Open returns a migrated store on a fresh database, closed when the test ends. On PostgreSQL,
// the engine that runs a transaction again after a conflict, its transactions run twice, the
// first run rolled back (sqlstore.Pool.RunTwice), so that every test on it also checks that
// what a transaction's function does besides its statements happens once.
func Open(t testing.TB, engine sqlstore.Engine) *sqlstore.DB {
	t.Helper()
	return open(t, engine, sqlstore.Pool{RunTwice: true})
}

// OpenOnce is Open with transactions that run once, for the tests of the store's own
// transactions: its locks, its batches and its runs after a conflict.
func OpenOnce(t testing.TB, engine sqlstore.Engine) *sqlstore.DB {
	t.Helper()
	return open(t, engine, sqlstore.Pool{})
}

func open(t testing.TB, engine sqlstore.Engine, pool sqlstore.Pool) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.OpenPool(context.Background(), DSN(t, engine), pool)
	if err != nil {
		t.Fatalf("open %s store: %v", engine, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable DSN)"
	}
	return u.Redacted()
}
