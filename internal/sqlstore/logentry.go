package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/odata"
)

var logEntrySchema = odata.Schema{
	{Name: "id", Column: "id", Type: odata.String},
	{Name: "entryNo", Column: "entry_no", Type: odata.Int},
	{Name: "lockTimestamp", Column: "lock_timestamp", Type: odata.Time},
	{Name: "receivedAt", Column: "received_at", Type: odata.Time},
	{Name: "boundLockId", Column: "bound_lock_id", Type: odata.String},
	{Name: "boundCardId", Column: "bound_card_id", Type: odata.String, Nullable: true},
	{Name: "contactId", Column: "contact_id", Type: odata.String, Nullable: true},
	{Name: "logType", Column: "log_type", Type: odata.String},
	{Name: "command", Column: "command", Type: odata.String},
	{Name: "result", Column: "result", Type: odata.String, Nullable: true},
	{Name: "reason", Column: "reason", Type: odata.String, Nullable: true},
	{Name: "grantId", Column: "grant_id", Type: odata.String, Nullable: true},
}

const logEntryColumns = `id, entry_no, lock_timestamp, received_at, bound_lock_id, bound_card_id, contact_id,
	log_type, command, result, reason, grant_id`

// FindLogEntries lists log entries in the account's order of receipt (seq). The log export's
// query, $skip with exactly "logType eq … and command eq …" and no $orderby, is answered by a
// seek on the kind's dense sequence number (see the migration 0008), so that its last page of a
// large log costs what its first does; every other query takes the ordinary OData path.
func (s *store) FindLogEntries(ctx context.Context, f keyward.LogEntryFilter) ([]*keyward.LogEntry, error) {
	var a args
	spec := listSpec{
		selectFrom:   `SELECT ` + logEntryColumns + ` FROM log_entries`,
		where:        []string{"owner_id = " + a.bind(f.OwnerID)},
		schema:       logEntrySchema,
		defaultOrder: "seq",
	}
	if f.BoundLockID != nil {
		spec.where = append(spec.where, "bound_lock_id = "+a.bind(*f.BoundLockID))
	}
	q := f.Query
	if f.Seek != nil {
		seekLogEntries(&spec, &a, f)
	} else if logType, command, ok := exportKind(q); ok {
		seq := "kind_seq"
		if f.BoundLockID != nil {
			seq = "lock_kind_seq"
		}
		spec.where = append(spec.where, "log_type = "+a.bind(logType), "command = "+a.bind(command), seq+" > "+a.bind(q.Skip))
		spec.defaultOrder = seq
		seek := *q
		seek.Filter, seek.Skip = nil, 0
		q = &seek
	}
	var list []*keyward.LogEntry
	err := s.list(ctx, spec, a, q, func(rows *sql.Rows) error {
		r := new(logEntryRow)
		e := &r.e
		if err := rows.Scan(&e.ID, &e.EntryNo, &r.lockTS, &r.received, &e.BoundLockID, &r.card, &r.contact,
			&e.LogType, &e.Command, &r.result, &r.reason, &r.grant); err != nil {
			return err
		}
		e.LockTimestamp, e.ReceivedAt = keyward.TimeFromMillis(r.lockTS), keyward.TimeFromMillis(r.received)
		e.BoundCardID, e.ContactID = strIn(&r.card), strIn(&r.contact)
		e.Result, e.Reason, e.GrantID = strIn(&r.result), strIn(&r.reason), strIn(&r.grant)
		list = append(list, e)
		return nil
	})
	return list, err
}

// logEntryRow is one row of a log query and what it scans into, in one allocation (see
// boundLockRow): the export reads pages of 500.
type logEntryRow struct {
	e                                    keyward.LogEntry
	lockTS, received                     int64
	card, contact, result, reason, grant sql.NullString
}

// seekLogEntries adds a keyset position to spec: seq beyond the seq of the entry f.Seek.From
// (looked up by its primary key, within the account), in f.Seek's direction. The order is seq
// alone, so the account's index (owner_id, seq), or the lock's (bound_lock_id, seq), is walked
// from that position and the page ends after $top rows that match the filter.
func seekLogEntries(spec *listSpec, a *args, f keyward.LogEntryFilter) {
	op, order := ">", "seq"
	if f.Seek.Descending {
		op, order = "<", "seq DESC"
	}
	spec.defaultOrder = order
	if f.Seek.From != "" {
		spec.where = append(spec.where, "seq "+op+" (SELECT c.seq FROM log_entries c WHERE c.id = "+a.bind(f.Seek.From)+
			" AND c.owner_id = "+a.bind(f.OwnerID)+")")
	}
}

// exportKind reports whether q is the export's query: a filter that is exactly
// "logType eq '<a>' and command eq '<b>'" (in either order), no $orderby. Its $skip=N then
// means "after the kind's N-th entry", which the kind's sequence number says directly.
func exportKind(q *keyward.Query) (logType, command string, ok bool) {
	if q == nil || len(q.OrderBy) > 0 {
		return "", "", false
	}
	and, isAnd := q.Filter.(*keyward.BinaryExpr)
	if !isAnd || and.Op != "and" {
		return "", "", false
	}
	terms := map[string]string{}
	for _, side := range []keyward.Expr{and.Left, and.Right} {
		name, value, isEq := stringEquality(side)
		if !isEq {
			return "", "", false
		}
		terms[strings.ToLower(name)] = value
	}
	logType, hasType := terms["logtype"]
	command, hasCommand := terms["command"]
	return logType, command, hasType && hasCommand
}

// stringEquality matches "property eq 'literal'".
func stringEquality(e keyward.Expr) (name, value string, ok bool) {
	eq, isBin := e.(*keyward.BinaryExpr)
	if !isBin || eq.Op != "eq" {
		return "", "", false
	}
	prop, isProp := eq.Left.(*keyward.PropertyExpr)
	lit, isLit := eq.Right.(*keyward.LiteralExpr)
	if !isProp || !isLit {
		return "", "", false
	}
	value, ok = lit.Value.(string)
	return prop.Name, value, ok
}

// AddLogEntries stores the entries of an upload that the lock's log does not hold yet, in the
// order of their entry numbers, and numbers them after the account's and the kinds' last
// entries. It runs under the account's lock, so no other upload numbers entries meanwhile.
func (s *ownerStore) AddLogEntries(ctx context.Context, boundLockID string, entries []*keyward.LogEntry) (int, error) {
	if err := s.checkOwnLock(ctx, boundLockID, "add log entries"); err != nil {
		return 0, err
	}
	fresh, err := s.freshLogEntries(ctx, boundLockID, entries)
	if err != nil || len(fresh) == 0 {
		return 0, err
	}
	numbered, err := s.numberLogEntries(ctx, boundLockID, fresh)
	if err != nil {
		return 0, err
	}
	if err := s.insertLogEntries(ctx, boundLockID, numbered); err != nil {
		return 0, err
	}
	return len(fresh), nil
}

// freshLogEntries returns the entries whose entry numbers the lock's log lacks, each once, by
// entry number.
func (s *ownerStore) freshLogEntries(ctx context.Context, boundLockID string, entries []*keyward.LogEntry) ([]*keyward.LogEntry, error) {
	if len(entries) == 0 {
		return nil, nil
	}
	sorted := slices.Clone(entries)
	slices.SortStableFunc(sorted, func(a, b *keyward.LogEntry) int { return cmp.Compare(a.EntryNo, b.EntryNo) })
	sorted = slices.CompactFunc(sorted, func(a, b *keyward.LogEntry) bool { return a.EntryNo == b.EntryNo })
	rows, err := s.q.QueryContext(ctx, `SELECT entry_no FROM log_entries WHERE bound_lock_id = $1 AND entry_no BETWEEN $2 AND $3`,
		boundLockID, sorted[0].EntryNo, sorted[len(sorted)-1].EntryNo)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: add log entries: %w", err)
	}
	defer rows.Close()
	held := map[int64]bool{}
	for rows.Next() {
		var no int64
		if err := rows.Scan(&no); err != nil {
			return nil, fmt.Errorf("sqlstore: add log entries: %w", err)
		}
		held[no] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: add log entries: %w", err)
	}
	return slices.DeleteFunc(sorted, func(e *keyward.LogEntry) bool { return held[e.EntryNo] }), nil
}

// logKind is the (log type, command) pair the export pages by.
type logKind struct{ logType, command string }

// The queries for the largest sequence numbers stored. Each is a seek to the end of the index
// that its ORDER BY names. MAX() would be the same seek only when the planner knows the log is
// large: PostgreSQL plans MAX() over a table it has no statistics for (a new log, or one that
// grew faster than autovacuum analyzes it) as an aggregate over every entry of the kind, which
// cost 16 ms per query at 30 000 entries and grew with the log.
const (
	lastSeqQuery         = `SELECT seq FROM log_entries WHERE owner_id = $1 ORDER BY seq DESC LIMIT 1`
	lastKindSeqQuery     = `SELECT kind_seq FROM log_entries WHERE owner_id = $1 AND log_type = $2 AND command = $3 ORDER BY kind_seq DESC LIMIT 1`
	lastLockKindSeqQuery = `SELECT lock_kind_seq FROM log_entries WHERE bound_lock_id = $1 AND log_type = $2 AND command = $3 ORDER BY lock_kind_seq DESC LIMIT 1`
)

// numberedEntry is an entry of an upload with its three sequence numbers: in the account, in
// the account's entries of its kind and in the lock's entries of its kind.
type numberedEntry struct {
	*keyward.LogEntry
	seq, kindSeq, lockKindSeq int64
}

// numberLogEntries gives each entry its three sequence numbers, continuing from the largest
// ones stored.
func (s *ownerStore) numberLogEntries(ctx context.Context, boundLockID string, entries []*keyward.LogEntry) ([]numberedEntry, error) {
	seq, err := s.lastSeq(ctx, lastSeqQuery, s.owner)
	if err != nil {
		return nil, err
	}
	kindSeq, lockKindSeq := map[logKind]int64{}, map[logKind]int64{}
	numbered := make([]numberedEntry, 0, len(entries))
	for _, e := range entries {
		k := logKind{e.LogType, e.Command}
		if _, seen := kindSeq[k]; !seen {
			if kindSeq[k], err = s.lastSeq(ctx, lastKindSeqQuery, s.owner, k.logType, k.command); err != nil {
				return nil, err
			}
			if lockKindSeq[k], err = s.lastSeq(ctx, lastLockKindSeqQuery, boundLockID, k.logType, k.command); err != nil {
				return nil, err
			}
		}
		seq++
		kindSeq[k]++
		lockKindSeq[k]++
		numbered = append(numbered, numberedEntry{LogEntry: e, seq: seq, kindSeq: kindSeq[k], lockKindSeq: lockKindSeq[k]})
	}
	return numbered, nil
}

// lastSeq runs one of the last…SeqQuery queries: the largest number stored, 0 when there is none.
func (s *ownerStore) lastSeq(ctx context.Context, query string, a ...any) (int64, error) {
	var last int64
	err := s.q.QueryRowContext(ctx, query, a...).Scan(&last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("sqlstore: add log entries: %w", err)
	}
	return last, nil
}

// logInsertColumns are the columns of an entry's row as logRow gives its values.
const logInsertColumns = logEntryColumns + `, owner_id, seq, kind_seq, lock_kind_seq`

// logInsertWidth is how many values logRow gives.
var logInsertWidth = strings.Count(logInsertColumns, ",") + 1

// logRow appends the values of e's row in the order of logInsertColumns.
func (s *ownerStore) logRow(a []any, boundLockID string, e numberedEntry) []any {
	return append(a, e.ID, e.EntryNo, e.LockTimestamp.Millis(), e.ReceivedAt.Millis(), boundLockID, e.BoundCardID,
		e.ContactID, e.LogType, e.Command, e.Result, e.Reason, e.GrantID, s.owner, e.seq, e.kindSeq, e.lockKindSeq)
}

// insertLogEntries inserts the numbered entries of an upload of one bound lock: on PostgreSQL in
// one statement whose parameters are one array per column, on SQLite in statements of
// sqliteLogRows rows.
func (s *ownerStore) insertLogEntries(ctx context.Context, boundLockID string, entries []numberedEntry) error {
	if s.d.engine == Postgres {
		return s.insertLogColumns(ctx, boundLockID, entries)
	}
	for chunk := range slices.Chunk(entries, sqliteLogRows) {
		if err := s.insertLogValues(ctx, boundLockID, chunk); err != nil {
			return err
		}
	}
	return nil
}

// sqliteLogRows is how many entries one INSERT carries on SQLite: 4000 values, below its limit
// of 32 766. More rows per statement save the per-statement work of parsing and stepping; beyond
// a few hundred the gain is lost in the noise of the writes themselves.
const sqliteLogRows = 250

// insertLogValues inserts entries as one multi-row VALUES statement.
func (s *ownerStore) insertLogValues(ctx context.Context, boundLockID string, entries []numberedEntry) error {
	a := make([]any, 0, len(entries)*logInsertWidth)
	for _, e := range entries {
		a = s.logRow(a, boundLockID, e)
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO log_entries (` + logInsertColumns + `) VALUES `)
	s.d.writeValues(&b, len(entries), logInsertWidth)
	if _, err := s.q.ExecContext(ctx, b.String(), a...); err != nil {
		return fmt.Errorf("sqlstore: add log entries: %w", err)
	}
	return nil
}

// logUnnest is PostgreSQL's insert of an upload of any size: the bound lock ($1) and the account
// ($2), which every row of an upload shares, once, and one array parameter per other column of
// logInsertColumns. Against 500-row VALUES statements of 8000 parameters each, a sync of 1000
// entries took 30 % less CPU in the process and 15 % less time: the driver encodes arrays instead
// of 16 000 values, and the database binds them once.
const logUnnest = `INSERT INTO log_entries (` + logInsertColumns + `)
	SELECT u.id, u.entry_no, u.lock_timestamp, u.received_at, $1, u.bound_card_id, u.contact_id, u.log_type,
		u.command, u.result, u.reason, u.grant_id, $2, u.seq, u.kind_seq, u.lock_kind_seq
	FROM unnest($3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::text[], $8::text[], $9::text[], $10::text[],
		$11::text[], $12::text[], $13::text[], $14::bigint[], $15::bigint[], $16::bigint[])
		AS u (id, entry_no, lock_timestamp, received_at, bound_card_id, contact_id, log_type, command, result,
		reason, grant_id, seq, kind_seq, lock_kind_seq)`

// insertLogColumns inserts entries with logUnnest, each array in the order of the entries.
func (s *ownerStore) insertLogColumns(ctx context.Context, boundLockID string, entries []numberedEntry) error {
	n := len(entries)
	ids, types, commands := make([]string, n), make([]string, n), make([]string, n)
	cards, contacts, results, reasons, grantIDs := make([]*string, n), make([]*string, n), make([]*string, n), make([]*string, n), make([]*string, n)
	nos, lockTimes, received := make([]int64, n), make([]int64, n), make([]int64, n)
	seqs, kindSeqs, lockKindSeqs := make([]int64, n), make([]int64, n), make([]int64, n)
	for i, e := range entries {
		ids[i], nos[i], lockTimes[i], received[i] = e.ID, e.EntryNo, e.LockTimestamp.Millis(), e.ReceivedAt.Millis()
		cards[i], contacts[i], types[i], commands[i] = e.BoundCardID, e.ContactID, e.LogType, e.Command
		results[i], reasons[i], grantIDs[i] = e.Result, e.Reason, e.GrantID
		seqs[i], kindSeqs[i], lockKindSeqs[i] = e.seq, e.kindSeq, e.lockKindSeq
	}
	if _, err := s.q.ExecContext(ctx, logUnnest, boundLockID, s.owner, ids, nos, lockTimes, received, cards, contacts,
		types, commands, results, reasons, grantIDs, seqs, kindSeqs, lockKindSeqs); err != nil {
		return fmt.Errorf("sqlstore: add log entries: %w", err)
	}
	return nil
}
