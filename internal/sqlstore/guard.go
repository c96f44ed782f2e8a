package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/keyward/keyward/internal/keyward"
)

// rawQueryer is what both *sql.DB and *sql.Tx offer.
type rawQueryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// rowScanner is the one thing store code does with a single-row result.
type rowScanner interface {
	Scan(dest ...any) error
}

// scanAfter is row, whose Scan fills more after the destinations its caller gives: the
// columns that follow an entity's in a statement that answers two.
func scanAfter(row rowScanner, more ...any) rowScanner { return moreColumns{row, more} }

type moreColumns struct {
	row  rowScanner
	more []any
}

func (m moreColumns) Scan(dest ...any) error { return m.row.Scan(append(dest, m.more...)...) }

// queryer is how every store method reaches the database; guarded implements it.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) rowScanner
}

// runner runs the statements of one door: the pool or a transaction of database/sql (poolRunner)
// or a PostgreSQL transaction whose BEGIN travels with its first statement (*pgTx).
type runner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	queryRow(ctx context.Context, query string, args []any) rowScanner
}

// guarded is the one door between store code and the database. It refuses text arguments that
// are not valid UTF-8 or hold NUL characters before any engine sees them: PostgreSQL would fail
// the statement (a 500) and SQLite would store the bytes. The HTTP layers refuse such input with
// the field named; this keeps any path that misses a check from storing it on either engine.
type guarded struct {
	run  runner
	inTx bool // the statements run in a transaction, which commits them
	// observer holds what sees each statement that passed the checks once it has run
	// (DB.Observe); it is the one place where statements are watched: by tests, and by metrics
	// and statement timing.
	observer *atomic.Pointer[func(Statement)]
	// detached runs every statement without its context's cancellation: set in a batch (see
	// writeQueue), where interrupting one request's statement would roll back the transaction
	// of every request in the batch.
	detached bool
	// queued is set on SQLite's door over the pool only (never with inTx): the DB whose write
	// queue runs each statement that writes there as a transaction of its own (queuedExec,
	// queuedRow). Beside the queue such a statement would wait for SQLite's write lock in the
	// busy handler, whose sleeps of up to 100 ms seldom end in the moment between two batches
	// of a busy queue, and would fail as busy after the busy timeout; in the queue it waits its
	// turn, in a batch with the others.
	queued *DB
}

// context is the context a statement runs with.
func (g guarded) context(ctx context.Context) context.Context {
	if g.detached {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// Statement is one statement the store ran: its text, its arguments as the driver got them (an
// id list is one argument, a []string on PostgreSQL and a JSON array on SQLite), how long the
// driver took, and its error. A single-row query's error shows at Scan, after the observer.
type Statement struct {
	Query    string
	Args     []any
	Duration time.Duration
	Err      error
}

// door returns the guarded queryer of the store over the pool (tx nil) or the transaction tx.
func (db *DB) door(tx *sql.Tx) guarded {
	r := poolRunner{q: db.sql, stmts: db.stmts, tx: tx}
	if tx != nil {
		r.q = tx
	}
	g := guarded{run: r, inTx: tx != nil, observer: &db.observer}
	if tx == nil && db.writes != nil {
		g.queued = db
	}
	return g
}

// pgDoor returns the guarded queryer of the store in the PostgreSQL transaction t.
func (db *DB) pgDoor(t *pgTx) guarded {
	return guarded{run: t, inTx: true, observer: &db.observer}
}

// observed shows the observer a statement that ran since start.
func (g guarded) observed(query string, args []any, start time.Time, err error) {
	if fn := g.observer.Load(); fn != nil {
		(*fn)(Statement{Query: query, Args: args, Duration: time.Since(start), Err: err})
	}
}

func (g guarded) ExecContext(ctx context.Context, query string, args ...any) (res sql.Result, err error) {
	ctx = g.context(ctx)
	if err := checkArgs(args); err != nil {
		return nil, err
	}
	if g.queued != nil && !reads(query) {
		return g.queuedExec(ctx, query, args)
	}
	start := time.Now()
	defer func() { g.observed(query, args, start, err) }()
	if !g.inTx {
		defer beginWrite()() // a statement outside a transaction commits on its own
	}
	return g.run.ExecContext(ctx, query, args...)
}

// queuedExec runs a statement that writes as a transaction of the write queue of g.queued, whose
// door checks and observes it.
func (g guarded) queuedExec(ctx context.Context, query string, args []any) (sql.Result, error) {
	var res sql.Result
	err := g.queued.writes.run(ctx, g.queued, func(s *store) (err error) {
		res, err = s.q.ExecContext(ctx, query, args...)
		return err
	})
	return res, err
}

func (g guarded) QueryContext(ctx context.Context, query string, args ...any) (rows *sql.Rows, err error) {
	ctx = g.context(ctx)
	if err := checkArgs(args); err != nil {
		return nil, err
	}
	if !g.inTx && !reads(query) {
		// Its commit would come at some Close of the rows, which writeSeq cannot see.
		return nil, errors.New("sqlstore: a statement that writes and answers rows runs in a transaction")
	}
	start := time.Now()
	defer func() { g.observed(query, args, start, err) }()
	return g.run.QueryContext(ctx, query, args...)
}

func (g guarded) QueryRowContext(ctx context.Context, query string, args ...any) rowScanner {
	ctx = g.context(ctx)
	if err := checkArgs(args); err != nil {
		return errRow{err}
	}
	if g.inTx || reads(query) {
		defer g.observed(query, args, time.Now(), nil)
		return g.run.queryRow(ctx, query, args)
	}
	if g.queued != nil {
		return queuedRow{db: g.queued, ctx: ctx, query: query, args: args}
	}
	defer g.observed(query, args, time.Now(), nil)
	// INSERT … RETURNING outside a transaction: it has committed once its row is read.
	end := beginWrite()
	return writeRow{row: g.run.queryRow(ctx, query, args), end: end}
}

// reads reports whether a statement only reads: it is a SELECT (the store runs none that
// writes). Anything else counts as a write in writeSeq.
func reads(query string) bool {
	return strings.HasPrefix(strings.TrimLeft(query, " \t\r\n"), "SELECT")
}

// writeRow is the row of a statement that writes outside a transaction: the write ends when the
// row has been read.
type writeRow struct {
	row rowScanner
	end func()
}

func (r writeRow) Scan(dest ...any) error {
	defer r.end()
	return r.row.Scan(dest...)
}

// queuedRow is the row of a statement that writes outside a transaction on SQLite: Scan runs the
// statement and reads its row in a transaction of the write queue (guarded.queued).
type queuedRow struct {
	db    *DB
	ctx   context.Context
	query string
	args  []any
}

func (r queuedRow) Scan(dest ...any) error {
	return r.db.writes.run(r.ctx, r.db, func(s *store) error {
		return s.q.QueryRowContext(r.ctx, r.query, r.args...).Scan(dest...)
	})
}

// poolRunner runs statements on database/sql's pool or in its transaction tx, each prepared once
// where stmts caches them (SQLite; PostgreSQL's driver caches them itself).
type poolRunner struct {
	q     rawQueryer // the pool, or tx
	stmts *stmtCache // nil: prepare every statement anew
	tx    *sql.Tx    // the transaction q is, if any, to run cached statements in it
}

func (r poolRunner) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := r.prepared(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return r.q.ExecContext(ctx, query, args...)
}

func (r poolRunner) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := r.prepared(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return r.q.QueryContext(ctx, query, args...)
}

func (r poolRunner) queryRow(ctx context.Context, query string, args []any) rowScanner {
	if st := r.prepared(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return r.q.QueryRowContext(ctx, query, args...)
}

// prepared returns the cached statement for query, bound to the transaction when there is one;
// nil when statements are not cached or this one cannot be.
func (r poolRunner) prepared(ctx context.Context, query string) *sql.Stmt {
	if r.stmts == nil {
		return nil
	}
	st := r.stmts.get(query)
	if st == nil || r.tx == nil {
		return st
	}
	return r.tx.StmtContext(ctx, st)
}

// stmtCache holds statements prepared once per SQL text. SQLite's driver prepares every
// statement it runs again (measured: an indexed single-row lookup took 14 µs that way and 4 µs
// prepared); database/sql then keeps each statement prepared per connection. A text is prepared
// in the background on its first use, which runs unprepared: preparing needs a connection of the
// pool, and a transaction that waited for one while holding its own could exhaust the pool. The
// cache is bounded: texts beyond maxCachedStmts (list queries differ with every $filter) are
// never prepared.
type stmtCache struct {
	db     *sql.DB
	mu     sync.Mutex
	stmts  map[string]*sql.Stmt // nil for a text being prepared or that failed to prepare
	closed bool
	// preparing counts the prepares in flight, so that close waits for them: one still holding a
	// connection after the pool closed would keep the database files open.
	preparing sync.WaitGroup
}

const maxCachedStmts = 512

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}}
}

// get returns the prepared statement for query, or nil while there is none; the first call for
// a text starts preparing it.
func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, seen := c.stmts[query]
	if !seen && !c.closed && len(c.stmts) < maxCachedStmts {
		c.stmts[query] = nil
		c.preparing.Add(1)
		go c.prepare(query)
	}
	return st
}

// prepare prepares query and keeps it, unless the cache was closed meanwhile. A text that fails
// to prepare stays nil and runs unprepared, reporting its error there.
func (c *stmtCache) prepare(query string) {
	defer c.preparing.Done()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		st.Close()
		return
	}
	c.stmts[query] = st
}

// close waits for the prepares in flight, which close their statement once they see the cache
// closed, and releases every cached statement.
func (c *stmtCache) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.preparing.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		if st != nil {
			st.Close()
		}
	}
	clear(c.stmts)
}

// errRow is a row whose Scan fails with err, for a statement refused before it ran.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// checkArgs refuses the first text argument (a string, a *string or each string of a list)
// that keyward.ValidText refuses.
func checkArgs(args []any) error {
	for _, a := range args {
		var texts []string
		switch v := a.(type) {
		case string:
			texts = []string{v}
		case *string:
			if v != nil {
				texts = []string{*v}
			}
		case []string:
			texts = v
		}
		for _, s := range texts {
			if problem := keyward.TextProblem(s); problem != "" {
				return keyward.Invalidf("a text value of the request %s", problem)
			}
		}
	}
	return nil
}
