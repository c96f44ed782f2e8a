package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/sqlstore/storetest"
)

// ObserveStatements records every statement the store runs, in transactions too, until the test
// ends, and returns what it recorded so far each time it is called. It is how tests watch the
// store's SQL; it must be set up before the store is used.
func ObserveStatements(t *testing.T, db *DB) func() []Statement {
	var mu sync.Mutex
	var seen []Statement
	db.Observe(func(st Statement) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, st)
	})
	t.Cleanup(func() { db.Observe(nil) })
	return func() []Statement {
		mu.Lock()
		defer mu.Unlock()
		return append([]Statement(nil), seen...)
	}
}

// planCase is one query the server runs often: every list's default page and the lookups made
// on every request or inside every grant's transaction.
type planCase struct {
	name string
	run  func(s *store) error
	// sorts allows a sort: the Owners list orders the few accounts a user administers, and the
	// statistics of listed groups sort the members they count.
	sorts bool
	// aggregates allows an aggregate on PostgreSQL, for the cases that count, rank or (the
	// Owners list, a user's few accounts) deduplicate the rows they find. Any other aggregate
	// reads every row its index finds: MAX() over a log that PostgreSQL has no statistics for is
	// planned that way, where a seek to the index's end reads one.
	aggregates bool
	// pending allows SQLite to read the whole of the partial indexes of migration 0013
	// (pendingIndexes), which hold only the rows waiting for a lock.
	pending bool
}

func planCases() []planCase {
	ctx, page := context.Background(), &keyward.Query{}
	o, id, yes := "owner-1", "x", true
	return []planCase{
		{name: "Owner list of a user", sorts: true, aggregates: true, run: func(s *store) error {
			_, err := s.FindOwners(ctx, keyward.OwnerFilter{AdminUserID: &id, Query: page})
			return err
		}},
		{name: "Permission list", run: func(s *store) error {
			_, err := s.FindPermissions(ctx, keyward.PermissionFilter{OwnerID: o, Query: page})
			return err
		}},
		{name: "BoundLock list", run: func(s *store) error {
			_, err := s.FindBoundLocks(ctx, keyward.BoundLockFilter{OwnerID: o, Query: page})
			return err
		}},
		{name: "BoundLock list of a group", run: func(s *store) error {
			_, err := s.FindBoundLocks(ctx, keyward.BoundLockFilter{OwnerID: o, LockGroupID: &id, Query: page})
			return err
		}},
		{name: "LockGroup list", run: func(s *store) error {
			_, err := s.FindLockGroups(ctx, keyward.LockGroupFilter{OwnerID: o, Query: page})
			return err
		}},
		{name: "Contact list", run: func(s *store) error {
			_, err := s.FindContacts(ctx, keyward.ContactFilter{OwnerID: o, Query: page})
			return err
		}},
		{name: "BoundCard list", run: func(s *store) error {
			_, err := s.FindBoundCards(ctx, keyward.BoundCardFilter{OwnerID: o, Query: page})
			return err
		}},
		{name: "Grant list", run: func(s *store) error {
			_, err := s.FindGrants(ctx, keyward.GrantFilter{OwnerID: o, Query: page})
			return err
		}},
		{name: "Grant list of a card", run: func(s *store) error {
			_, err := s.FindGrants(ctx, keyward.GrantFilter{OwnerID: o, BoundCardID: &id, Query: page})
			return err
		}},
		{name: "IPUser list", run: func(s *store) error {
			_, err := s.FindIPUsers(ctx, keyward.IPUserFilter{IPID: id, Query: page})
			return err
		}},
		{name: "LogEntry list", run: func(s *store) error {
			_, err := s.FindLogEntries(ctx, keyward.LogEntryFilter{OwnerID: o, Query: page})
			return err
		}},
		{name: "LogEntry list of a lock", run: func(s *store) error {
			_, err := s.FindLogEntries(ctx, keyward.LogEntryFilter{OwnerID: o, BoundLockID: &id, Query: page})
			return err
		}},
		{name: "log export page", run: func(s *store) error {
			_, err := s.FindLogEntries(ctx, keyward.LogEntryFilter{OwnerID: o, Query: storetest.ExportQuery(keyward.LogTypeCommand, keyward.CommandTriggerLock, 500, 500)})
			return err
		}},
		{name: "log export page of a lock", run: func(s *store) error {
			_, err := s.FindLogEntries(ctx, keyward.LogEntryFilter{OwnerID: o, BoundLockID: &id, Query: storetest.ExportQuery(keyward.LogTypeCommand, keyward.CommandTriggerLock, 500, 500)})
			return err
		}},
		{name: "role of the caller", aggregates: true, run: func(s *store) error {
			_, err := s.FindRole(ctx, o, id)
			return err
		}},
		{name: "active grants of a contact", aggregates: true, run: func(s *store) error {
			_, err := s.CountGrants(ctx, keyward.GrantFilter{OwnerID: o, ContactID: &id, Active: &yes})
			return err
		}},
		{name: "active grants on a target", run: func(s *store) error {
			_, err := s.FindGrants(ctx, keyward.GrantFilter{OwnerID: o, BoundLockID: &id, Active: &yes, Query: &keyward.Query{Top: apitest.Ptr(keyward.MaxTop)}})
			return err
		}},
		{name: "grants of a contact on a lock and its groups", run: func(s *store) error {
			_, err := s.FindGrants(ctx, keyward.GrantFilter{OwnerID: o, ContactID: &id, TargetIDs: []string{"a", "b"}})
			return err
		}},
		{name: "contacts a grant list embeds", run: func(s *store) error {
			_, err := s.FindContacts(ctx, keyward.ContactFilter{OwnerID: o, IDs: []string{"a", "b"}})
			return err
		}},
		{name: "locks a grant list embeds", run: func(s *store) error {
			_, err := s.FindBoundLocks(ctx, keyward.BoundLockFilter{OwnerID: o, IDs: []string{"a", "b"}})
			return err
		}},
		{name: "groups of a lock", run: func(s *store) error {
			_, err := s.FindLockGroups(ctx, keyward.LockGroupFilter{OwnerID: o, MemberLockID: &id})
			return err
		}},
		{name: "contact by identity", run: func(s *store) error {
			_, err := s.FindContacts(ctx, keyward.ContactFilter{OwnerID: o, NaturalKey: &id})
			return err
		}},
		{name: "smartphone users", aggregates: true, run: func(s *store) error {
			_, err := s.CountSmartphoneUsers(ctx, o)
			return err
		}},
		{name: "time-restriction support of the groups a list expands", run: func(s *store) error {
			_, err := s.LockGroupTimeRestrictionSupport(ctx, []string{"a", "b"})
			return err
		}},
		// it sorts the members of the listed groups by state, which it reads anyway
		{name: "statistics of the groups a list expands", sorts: true, aggregates: true, run: func(s *store) error {
			_, err := s.LockGroupStatistics(ctx, []string{"a", "b"})
			return err
		}},
		{name: "numbering of a lock's upload", run: func(s *store) error {
			e := &keyward.LogEntry{LogType: keyward.LogTypeCommand, Command: keyward.CommandTriggerLock}
			_, err := (&ownerStore{store: s, owner: o}).numberLogEntries(ctx, id, []*keyward.LogEntry{e, e})
			return err
		}},
		{name: "mobiles of a user", run: func(s *store) error {
			_, err := s.FindMobiles(ctx, id)
			return err
		}},
		{name: "standing of a token", aggregates: true, run: func(s *store) error {
			_, err := s.readStanding(ctx, keyward.TokenCheck{UserID: id, Family: id, OwnerID: o, ClientID: id})
			if errors.Is(err, keyward.ErrNotFound) { // no such user: the statement ran
				err = nil
			}
			return err
		}},
		// it orders the few cards waiting for a write, which it reads anyway
		{name: "cards a lock is to write", sorts: true, run: func(s *store) error {
			_, err := s.FindCardWrites(ctx, id, keyward.Time{})
			return err
		}},
		{name: "propagation backlog", aggregates: true, pending: true, run: func(s *store) error {
			_, err := s.FindPropagationBacklog(ctx, keyward.Time{})
			return err
		}},
		// it orders the user's grants of every account, which it reads anyway
		{name: "grants of a user's contacts for a key fetch", sorts: true, run: func(s *store) error {
			_, err := s.FindKeyGrants(ctx, id)
			return err
		}},
	}
}

// CheckQueryPlans asks the planner of db's engine about every list's default page and the hot
// lookups: none may scan a table (which reads other accounts' rows) or sort (which reads the
// whole account before the first row). PostgreSQL plans with sequential scans and sorts priced
// out, so the check asks whether an index can serve the query, not what small test tables happen
// to favour. It lives here to see the SQL itself; TestQueryPlans runs it on each engine.
func CheckQueryPlans(t *testing.T, db *DB) {
	covered := map[string]bool{}
	statements := ObserveStatements(t, db)
	for _, c := range planCases() {
		covered[strings.Fields(c.name)[0]] = true
		before := len(statements())
		if err := c.run(&db.store); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for _, stmt := range statements()[before:] {
			plan := explain(t, db, stmt)
			if problem := planProblem(db.d.engine, plan, c); problem != "" {
				t.Errorf("%s: the plan %s:\n%s\n%s", c.name, problem, stmt.Query, plan)
			}
		}
	}
	for entity := range ListSchemas() {
		if !covered[entity] {
			t.Errorf("no plan case for the %s list", entity)
		}
	}
}

// explain returns the planner's plan of stmt, one node per line.
func explain(t *testing.T, db *DB, stmt Statement) string {
	t.Helper()
	tx, err := db.sql.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	prefix := "EXPLAIN QUERY PLAN "
	if db.d.engine == Postgres {
		prefix = "EXPLAIN (COSTS OFF) "
		if _, err := tx.Exec(`SET LOCAL enable_seqscan = off`); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(`SET LOCAL enable_sort = off`); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := tx.Query(prefix+stmt.Query, stmt.Args...)
	if err != nil {
		t.Fatalf("explain %s: %v", stmt.Query, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, toString(vals[len(vals)-1])) // SQLite: the detail column; PostgreSQL: the only one
	}
	return strings.Join(lines, "\n")
}

func toString(v any) string {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	s, _ := v.(string)
	return s
}

// pendingIndexes are the partial indexes of the rows waiting for a lock (migration 0013).
var pendingIndexes = []string{"grants_revocation_pending", "bound_cards_write_pending"}

// scansPending reports whether a line of SQLite's plan reads one of pendingIndexes whole.
func scansPending(line string) bool {
	for _, name := range pendingIndexes {
		if strings.HasSuffix(line, " USING INDEX "+name) {
			return true
		}
	}
	return false
}

// planProblem names what is wrong with a plan, "" when nothing is.
func planProblem(engine Engine, plan string, c planCase) string {
	for _, line := range strings.Split(plan, "\n") {
		l := strings.TrimSpace(line)
		switch {
		case engine == SQLite && strings.HasPrefix(l, "SCAN json_each"): // the id list parameter itself
		case engine == SQLite && c.pending && strings.HasPrefix(l, "SCAN ") && scansPending(l):
		case engine == SQLite && strings.HasPrefix(l, "SCAN "):
			return "scans a table"
		case engine == SQLite && strings.Contains(l, "TEMP B-TREE") && !c.sorts:
			return "sorts"
		case engine == Postgres && strings.Contains(l, "Seq Scan"):
			return "scans a table"
		case engine == Postgres && strings.Contains(l, "Sort") && !c.sorts:
			return "sorts"
		case engine == Postgres && strings.Contains(l, "Aggregate") && !c.aggregates:
			return "aggregates"
		}
	}
	return ""
}

// ScanExportReference reads the export's rows and columns of the whole log in one streaming
// query and calls row for each: the reference that the paged export is measured against.
func ScanExportReference(db *DB, logType, command string, row func()) error {
	rows, err := db.sql.Query(`SELECT id, entry_no, lock_timestamp, received_at, bound_lock_id, bound_card_id, contact_id
		FROM log_entries WHERE log_type = $1 AND command = $2 ORDER BY seq`, logType, command)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, lock string
		var no, ts, recv int64
		var card, contact sql.NullString
		if err := rows.Scan(&id, &no, &ts, &recv, &lock, &card, &contact); err != nil {
			return err
		}
		row()
	}
	return rows.Err()
}

// TxID is the PostgreSQL transaction a transaction's function runs in (txid_current()).
func TxID(ctx context.Context, tx keyward.OwnerTx) (int64, error) {
	var id int64
	err := tx.Users.(*store).q.QueryRowContext(ctx, `SELECT txid_current()`).Scan(&id)
	return id, err
}

// Exec runs one statement in the transaction tx belongs to, as tx's own statements run.
func Exec(ctx context.Context, tx keyward.Tx, query string, args ...any) error {
	_, err := tx.Users.(*store).q.ExecContext(ctx, query, args...)
	return err
}

// IsForeignKeyViolation reports whether err is a foreign-key violation, on either engine.
func IsForeignKeyViolation(err error) bool { return isForeignKeyViolation(err) }

// MigrateTo applies the migrations up to version upTo only.
func MigrateTo(ctx context.Context, db *DB, upTo int) error { return db.migrate(ctx, upTo) }
