package bench

import "testing"

// FreshDatabaseForTest makes a fresh database on the PostgreSQL server of dsn.
func FreshDatabaseForTest(t *testing.T, dsn string) (string, func()) {
	d, drop, err := freshDatabase(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return d, drop
}
