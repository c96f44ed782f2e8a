package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/keyward/keyward/internal/sqlstore"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

// logKeyVersion is the migration that keys a log entry by its bound lock and the lock's account.
const logKeyVersion = 14

// TestLogEntryKey, on each engine: the migration that keys log entries by (account, bound lock)
// keeps every entry as it was, and afterwards the database refuses an entry whose bound lock is
// not there or belongs to another account than the entry names. The store checks the lock
// before it writes a log; this is the rule that holds whatever code writes.
func TestLogEntryKey(t *testing.T) {
	ctx := context.Background()
	for _, engine := range sqltest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			db, err := sqlstore.OpenNoMigrate(ctx, sqltest.DSN(t, engine))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := sqlstore.MigrateTo(ctx, db, logKeyVersion-1); err != nil {
				t.Fatal(err)
			}
			execAll(t, db.SQL(),
				`INSERT INTO owners (id, name, active, created_at) VALUES ('owner-a', 'A', TRUE, 0), ('owner-b', 'B', TRUE, 0)`,
				`INSERT INTO physical_locks (id, lock_type_id, protocol_version, binding_code_hash, time_zone, time_restriction_support, created_at)
					VALUES ('phys', 'TK.Td30', 3, 'h', 'UTC', TRUE, 0)`,
				`INSERT INTO bound_locks (id, owner_id, physical_lock_id, title, description, bind_date, active, created_at)
					VALUES ('lock-a', 'owner-a', 'phys', 'A', '', 0, TRUE, 0)`,
				`INSERT INTO log_entries (id, owner_id, bound_lock_id, entry_no, lock_timestamp, received_at, bound_card_id, contact_id,
					log_type, command, result, reason, grant_id, seq, kind_seq, lock_kind_seq) VALUES
					('entry-1', 'owner-a', 'lock-a', 1, 10, 20, NULL, 'contact-1', 'Command', 'TriggerLock', 'Allowed', 'Allowed', 'grant-1', 1, 1, 1),
					('entry-2', 'owner-a', 'lock-a', 2, 11, 21, 'card-1', NULL, 'Other', '', NULL, NULL, NULL, 2, 1, 1)`)
			before := logRows(t, db.SQL())
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(before, logRows(t, db.SQL())); diff != "" || len(before) != 2 {
				t.Fatalf("the log after the migration (-before +after):\n%s", diff)
			}

			n := 2
			insert := func(owner, lock string) error { // numbered apart, so that only the keys can refuse it
				n++
				_, err := db.SQL().ExecContext(ctx, `INSERT INTO log_entries (id, owner_id, bound_lock_id, entry_no, lock_timestamp,
					received_at, log_type, command, seq, kind_seq, lock_kind_seq) VALUES ($1, $2, $3, $4, 0, 0, 'Command', 'TriggerLock', $4, $4, $4)`,
					fmt.Sprintf("entry-%d", n), owner, lock, n)
				return err
			}
			if err := insert("owner-a", "lock-a"); err != nil {
				t.Fatalf("an entry of the lock's account: %v", err)
			}
			for _, c := range []struct{ what, owner, lock string }{
				{"another account's lock", "owner-b", "lock-a"},
				{"a lock that is not there", "owner-a", "lock-x"},
				{"an account that is not there", "owner-x", "lock-a"},
			} {
				if err := insert(c.owner, c.lock); !sqlstore.IsForeignKeyViolation(err) {
					t.Errorf("an entry naming %s: got %v, want a foreign-key violation", c.what, err)
				}
			}
			if got := len(logRows(t, db.SQL())); got != 3 {
				t.Errorf("the log holds %d entries, want 3", got)
			}
		})
	}
}

func execAll(t *testing.T, db *sql.DB, queries ...string) {
	t.Helper()
	for _, q := range queries {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// logRows reads every column of every log entry, in the order of seq, NULL as "NULL".
func logRows(t *testing.T, db *sql.DB) [][]string {
	t.Helper()
	rows, err := db.Query(`SELECT id, owner_id, bound_lock_id, entry_no, lock_timestamp, received_at, bound_card_id, contact_id,
		log_type, command, result, reason, grant_id, seq, kind_seq, lock_kind_seq FROM log_entries ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		vals := make([]sql.NullString, 16)
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(vals))
		for i, v := range vals {
			row[i] = "NULL"
			if v.Valid {
				row[i] = v.String
			}
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
