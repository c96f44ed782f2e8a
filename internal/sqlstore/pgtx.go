package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
)

// pgTx is a PostgreSQL transaction on one connection of the pool whose BEGIN travels with its
// first statement, in one batch (pgx's Batch.BeginTx), instead of costing a round trip of its
// own as database/sql's BeginTx does: a grant for an inline contact is six round trips instead
// of seven, its token's check included, and a refresh three instead of four, the client's
// lookup included. Every later statement runs through
// database/sql on the same connection. The connection goes back to the pool at Commit or
// Rollback; one that is still inside a transaction then (a commit or rollback that failed on the
// way) is closed by the driver instead of being used again (stdlib's ResetSession).
type pgTx struct {
	ctx    context.Context
	conn   *sql.Conn
	begun  bool  // BEGIN was sent
	broken error // BEGIN failed: every later statement fails with it, none runs outside the transaction
	done   bool  // committed or rolled back
}

// beginPG takes a connection for a transaction; nothing is sent yet.
func (db *DB) beginPG(ctx context.Context) (*pgTx, error) {
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return nil, err
	}
	return &pgTx{ctx: ctx, conn: conn}, nil
}

// pgx runs f with the connection's pgx.Conn.
func (t *pgTx) pgx(f func(c *pgx.Conn) error) error {
	return t.conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return errors.New("sqlstore: not a pgx connection")
		}
		return f(sc.Conn())
	})
}

// withBegin sends BEGIN and query in one batch and hands read the batch's results after
// BEGIN's. A failed BEGIN fails the statement; a failed statement leaves the transaction
// aborted, as it would after a BEGIN of its own, for Rollback to end.
func (t *pgTx) withBegin(ctx context.Context, query string, args []any, read func(br pgx.BatchResults, tm *pgtype.Map) error) error {
	t.begun = true
	return t.pgx(func(c *pgx.Conn) error {
		b := &pgx.Batch{}
		b.BeginTx(pgx.TxOptions{})
		b.Queue(query, args...)
		br := c.SendBatch(ctx, b)
		_, err := br.Exec()
		if err != nil {
			t.broken = fmt.Errorf("sqlstore: begin: %w", err)
			br.Close()
			return t.broken
		}
		err = read(br, c.TypeMap())
		if cerr := br.Close(); err == nil {
			err = cerr // a failed statement's error, which read may not have reached
		}
		return err
	})
}

// begin sends BEGIN alone, for a first statement that cannot travel with it.
func (t *pgTx) begin(ctx context.Context) error {
	if t.begun {
		return t.broken
	}
	t.begun = true
	if err := t.pgx(func(c *pgx.Conn) error { _, err := c.Exec(ctx, "begin"); return err }); err != nil {
		t.broken = fmt.Errorf("sqlstore: begin: %w", err)
	}
	return t.broken
}

// ExecContext runs a statement that answers no rows; the first takes BEGIN along.
func (t *pgTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if t.begun {
		if t.broken != nil {
			return nil, t.broken
		}
		return t.conn.ExecContext(ctx, query, args...)
	}
	var tag pgconn.CommandTag
	err := t.withBegin(ctx, query, args, func(br pgx.BatchResults, _ *pgtype.Map) (err error) {
		tag, err = br.Exec()
		return err
	})
	if err != nil {
		return nil, err
	}
	return driver.RowsAffected(tag.RowsAffected()), nil
}

// QueryContext sends BEGIN alone when it comes first: rows read through database/sql cannot
// come out of a batch.
func (t *pgTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := t.begin(ctx); err != nil {
		return nil, err
	}
	return t.conn.QueryContext(ctx, query, args...)
}

// queryRow runs a single-row query; the first statement of the transaction takes BEGIN along and
// reads its row at once, so that the transaction has begun whether or not its row is scanned.
func (t *pgTx) queryRow(ctx context.Context, query string, args []any) rowScanner {
	if t.begun {
		if t.broken != nil {
			return errRow{t.broken}
		}
		return t.conn.QueryRowContext(ctx, query, args...)
	}
	row := &heldRow{}
	row.err = t.withBegin(ctx, query, args, func(br pgx.BatchResults, tm *pgtype.Map) error {
		rows, err := br.Query()
		if err != nil {
			return err
		}
		defer rows.Close()
		if rows.Next() {
			row.tm, row.fields = tm, slices.Clone(rows.FieldDescriptions())
			for _, v := range rows.RawValues() {
				row.values = append(row.values, bytes.Clone(v)) // a NULL stays nil
			}
		}
		return rows.Err()
	})
	return row
}

// heldRow is a row read ahead of its Scan, decoded by pgx as its rows are, with the type map of
// the connection it came from: the transaction's goroutine scans it before its next statement.
type heldRow struct {
	err    error
	tm     *pgtype.Map
	fields []pgconn.FieldDescription // nil: no row
	values [][]byte
}

func (r *heldRow) Scan(dest ...any) error {
	switch {
	case r.err != nil:
		return r.err
	case r.fields == nil:
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
	case !t.begun:
		return nil
	case t.broken != nil:
		return t.broken // nothing began: a COMMIT would only warn
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
