package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
)

// pgTx is a PostgreSQL transaction on one connection of the pool whose BEGIN travels with its
// first statement, in one of pgx's batches, instead of costing a round trip of its own as
// database/sql's BeginTx does; a batch's savepoints (writeQueue) travel with the next statement
// the same way. A grant for an inline contact is six round trips instead of seven, its token's
// check included, a refresh three instead of four, the client's lookup included, and in an
// account's batch each further grant one fewer. Every later statement runs through database/sql
// on the same connection. The connection goes back to the pool at Commit or Rollback; one that
// is still inside a transaction then (a commit or rollback that failed on the way) is closed by
// the driver instead of being used again (stdlib's ResetSession).
type pgTx struct {
	ctx  context.Context
	conn *sql.Conn
	// ahead are statements without arguments that go with the next statement: BEGIN, until it
	// has been sent, and a job's savepoint.
	ahead  []string
	begun  bool  // BEGIN was sent
	broken error // BEGIN or a savepoint failed: every later statement fails with it
	done   bool  // committed or rolled back
}

// pgBegin begins a transaction; it goes ahead of the first statement.
const pgBegin = "begin"

// beginPG takes a connection for a transaction; nothing is sent yet.
func (db *DB) beginPG(ctx context.Context) (*pgTx, error) {
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return nil, err
	}
	return &pgTx{ctx: ctx, conn: conn, ahead: []string{pgBegin}}, nil
}

// pgx runs f with the connection's pgx.Conn. A connection that cannot run f breaks the
// transaction: what f was to send did not go out.
func (t *pgTx) pgx(f func(c *pgx.Conn) error) error {
	ran := false
	err := t.conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return errors.New("sqlstore: not a pgx connection")
		}
		ran = true
		return f(sc.Conn())
	})
	if !ran && t.broken == nil {
		t.broken = fmt.Errorf("sqlstore: the transaction's connection: %w", err)
	}
	return err
}

// sent records that the statements ahead went out, and how: a failure of one of them breaks
// the transaction, which must then not run anything more, in case a statement ran outside it or
// a later ROLLBACK TO would undo the job before.
func (t *pgTx) sent(err error) error {
	if slices.Contains(t.ahead, pgBegin) {
		t.begun = true
	}
	t.ahead = t.ahead[:0]
	if err != nil {
		t.broken = fmt.Errorf("sqlstore: begin or savepoint: %w", err)
	}
	return t.broken
}

// withAhead sends the statements ahead and query in one batch and hands read the batch's results
// after theirs. A failed statement leaves the transaction aborted, as it would have been sent
// alone, for ROLLBACK TO or Rollback to end.
func (t *pgTx) withAhead(ctx context.Context, query string, args []any, read func(br pgx.BatchResults, tm *pgtype.Map) error) error {
	return t.pgx(func(c *pgx.Conn) error {
		b := &pgx.Batch{}
		for _, st := range t.ahead {
			b.Queue(st)
		}
		b.Queue(query, args...)
		br := c.SendBatch(ctx, b)
		var err error
		for range t.ahead {
			if _, err = br.Exec(); err != nil {
				break
			}
		}
		if err := t.sent(err); err != nil {
			br.Close()
			return err
		}
		err = read(br, c.TypeMap())
		if cerr := br.Close(); err == nil {
			err = cerr // a failed statement's error, which read may not have reached
		}
		return err
	})
}

// flush sends the statements ahead on their own, for a statement that cannot travel with them.
func (t *pgTx) flush(ctx context.Context) error {
	if t.broken != nil || len(t.ahead) == 0 {
		return t.broken
	}
	return t.sent(t.pgx(func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, strings.Join(t.ahead, "; ")) // no arguments: one simple query
		return err
	}))
}

// ExecContext runs a statement that answers no rows, with the statements ahead.
func (t *pgTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if t.broken != nil {
		return nil, t.broken
	}
	if len(t.ahead) == 0 {
		return t.conn.ExecContext(ctx, query, args...)
	}
	var tag pgconn.CommandTag
	err := t.withAhead(ctx, query, args, func(br pgx.BatchResults, _ *pgtype.Map) (err error) {
		tag, err = br.Exec()
		return err
	})
	if err != nil {
		return nil, err
	}
	return driver.RowsAffected(tag.RowsAffected()), nil
}

// QueryContext sends the statements ahead on their own first: rows read through database/sql
// cannot come out of a batch.
func (t *pgTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := t.flush(ctx); err != nil {
		return nil, err
	}
	return t.conn.QueryContext(ctx, query, args...)
}

// queryRow runs a single-row query, with the statements ahead; then it reads its row at once,
// so that they have been sent whether or not its row is scanned.
func (t *pgTx) queryRow(ctx context.Context, query string, args []any) rowScanner {
	if t.broken != nil {
		return errRow{t.broken}
	}
	if len(t.ahead) == 0 {
		return t.conn.QueryRowContext(ctx, query, args...)
	}
	row := &heldRow{}
	row.err = t.withAhead(ctx, query, args, func(br pgx.BatchResults, tm *pgtype.Map) error {
		rows, err := br.Query()
		if err != nil {
			return err
		}
		defer rows.Close()
		if rows.Next() {
			row.found, row.tm, row.fields = true, tm, slices.Clone(rows.FieldDescriptions())
			for _, v := range rows.RawValues() {
				row.values = append(row.values, bytes.Clone(v)) // a NULL stays nil
			}
		}
		return rows.Err()
	})
	return row
}

// savepoint marks the start of a job in a batch; it goes with the job's first statement.
func (t *pgTx) savepoint(context.Context) error {
	t.ahead = append(t.ahead, savepointSQL)
	return nil
}

// rollbackTo undoes the job since its savepoint. A job whose savepoint is still ahead ran no
// statement: there is nothing to undo, and its savepoint is dropped, so that no later ROLLBACK
// TO reaches the savepoint of the job before.
func (t *pgTx) rollbackTo(ctx context.Context) error {
	if n := len(t.ahead); n > 0 && t.ahead[n-1] == savepointSQL {
		t.ahead = t.ahead[:n-1]
		return nil
	}
	if t.broken != nil {
		return t.broken
	}
	_, err := t.conn.ExecContext(ctx, rollbackToSQL)
	return err
}

// heldRow is a row read ahead of its Scan, decoded by pgx as its rows are, with the type map of
// the connection it came from: the transaction's goroutine scans it before its next statement.
type heldRow struct {
	err    error
	found  bool // the statement answered a row
	tm     *pgtype.Map
	fields []pgconn.FieldDescription
	values [][]byte
}

func (r *heldRow) Scan(dest ...any) error {
	switch {
	case r.err != nil:
		return r.err
	case !r.found:
		return sql.ErrNoRows
	}
	return pgx.ScanRow(r.tm, r.fields, r.values, dest...)
}

// Commit commits, and fails where the database rolled back instead (a statement had failed):
// success means committed. A transaction whose context ended is rolled back, as database/sql's
// is.
func (t *pgTx) Commit() error {
	if t.done {
		return sql.ErrTxDone
	}
	if err := t.ctx.Err(); err != nil {
		return errors.Join(err, t.Rollback())
	}
	t.done = true
	defer t.conn.Close()
	switch {
	case t.broken != nil:
		return t.broken
	case !t.begun:
		return nil // no statement ran
	}
	return t.pgx(func(c *pgx.Conn) error {
		tag, err := c.Exec(t.ctx, "commit")
		if err == nil && tag.String() == "ROLLBACK" {
			err = pgx.ErrTxCommitRollback
		}
		return err
	})
}

// rollbackTimeout bounds a rollback, which runs even after the transaction's context ended.
const rollbackTimeout = 5 * time.Second

// Rollback ends the transaction without keeping anything of it.
func (t *pgTx) Rollback() error {
	if t.done {
		return sql.ErrTxDone
	}
	t.done = true
	defer t.conn.Close()
	if !t.begun {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(t.ctx), rollbackTimeout)
	defer cancel()
	return t.pgx(func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, "rollback")
		return err
	})
}
