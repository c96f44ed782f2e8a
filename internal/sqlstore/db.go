// Package sqlstore is Keyward's only storage: keyward.Store on database/sql, serving SQLite
// (modernc.org/sqlite, one file, WAL, immediate transactions) and PostgreSQL (pgx) with one code
// path and one migration history. Engine differences are confined to the dialect value.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/keyward/keyward/internal/keyward"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Engine names a supported database engine.
type Engine string

// The engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// dialect holds what differs between the engines; everything else is portable SQL.
type dialect struct {
	engine Engine
	// collate is appended to string sort keys so that PostgreSQL orders like SQLite (bytewise).
	collate string
}

// store implements every concern of keyward.Tx over a queryer: on the pool, or in a transaction.
type store struct {
	q queryer
	d dialect
	// standing answers CheckAccessToken from memory when it may (PostgreSQL, outside a
	// transaction only; nil otherwise).
	standing *standingCache
}

// ownerStore adds the writes on one owner account's data to a store in a transaction that holds
// that account's lock; every write acts on that account only.
type ownerStore struct {
	*store
	owner  string
	locked *keyward.Owner // the account's row as its lock read it
}

// tx gathers the store's concerns in the value use cases see.
func (s *store) tx() keyward.Tx {
	return keyward.Tx{Users: s, Catalog: s, Clients: s, SignIns: s, Tokens: s, Consents: s, Secrets: s, Mobiles: s,
		AccountReads: s, LockReads: s, ContactReads: s, GrantReads: s, LogReads: s}
}

// ownerTx gathers the store's concerns and the owner writes in the value use cases see.
func (s *ownerStore) ownerTx() keyward.OwnerTx {
	return keyward.OwnerTx{Tx: s.store.tx(), OwnerID: s.owner, Owner: s.locked,
		AccountWrites: s, LockWrites: s, ContactWrites: s, GrantWrites: s}
}

// mine refuses to create an entity of another owner account than the locked one: that would be
// a write without that account's lock, which the service never asks for.
func (s *ownerStore) mine(what, ownerID string) error {
	if ownerID != s.owner {
		return fmt.Errorf("sqlstore: create %s of owner account %q in a transaction that holds account %q", what, ownerID, s.owner)
	}
	return nil
}

// DB is a keyward.Store.
type DB struct {
	store
	sql   *sql.DB
	stmts *stmtCache // SQLite only
	// writes runs the transactions of this process on SQLite in batches (nil on PostgreSQL).
	writes *writeQueue
	// checkpoints copies SQLite's write-ahead log into the database (nil on PostgreSQL).
	checkpoints *checkpointer
	// accounts runs each account's InOwnerTx transactions of this process on PostgreSQL in
	// batches (nil on SQLite, where writes batches every transaction).
	accounts *accountQueues
	// observer is what every guarded queryer of the store shows its statements to (Observe).
	observer atomic.Pointer[func(Statement)]
	// conflicts is told of every transaction PostgreSQL ended for what ran beside it
	// (ObserveConflicts).
	conflicts atomic.Pointer[func(Conflict)]
	// watch looks whether the process is alone on its PostgreSQL database (nil on SQLite).
	watch *aloneWatch
	// runTwice is Pool.RunTwice on PostgreSQL.
	runTwice bool
}

// Conflict is a transaction that PostgreSQL ended as a deadlock's victim or for a serialization
// failure: its SQLSTATE, and whether it runs again (false: it failed after maxAttempts runs).
type Conflict struct {
	SQLState string
	Retried  bool
}

// ObserveConflicts makes fn see every Conflict, for the metrics: a deadlock the store runs
// again is invisible to the client, and only a count tells an operator it happens. nil stops
// observing.
func (db *DB) ObserveConflicts(fn func(Conflict)) { setObserver(&db.conflicts, fn) }

// retry reports whether a transaction that failed with err runs again: a conflict
// (conflictCode), unless this was its last run, and the first run of one under Pool.RunTwice
// (errFirstRun), always. It tells the conflict observer of every conflict.
func (db *DB) retry(err error, last bool) bool {
	if errors.Is(err, errFirstRun) {
		return true
	}
	code, ok := conflictCode(err)
	if !ok {
		return false
	}
	again := !last
	if fn := db.conflicts.Load(); fn != nil {
		(*fn)(Conflict{SQLState: code, Retried: again})
	}
	return again
}

// Observe makes fn see every statement the store runs, in transactions too, once it has run:
// the one place for statement timing, metrics and tests that watch the SQL. It may be set or
// changed while the store serves (a test watches the statements of one request); nil stops
// observing.
func (db *DB) Observe(fn func(Statement)) { setObserver(&db.observer, fn) }

// setObserver sets the observer *p to fn, or clears it for nil (a nil func behind a non-nil
// pointer would be called).
func setObserver[T any](p *atomic.Pointer[func(T)], fn func(T)) {
	if fn == nil {
		p.Store(nil)
		return
	}
	p.Store(&fn)
}

var _ keyward.Store = (*DB)(nil)

// ParseDSN splits a Keyward database address ("sqlite:keyward.db", "sqlite:/var/lib/k.db",
// "postgres://user@host/db") into engine and driver DSN.
func ParseDSN(dsn string) (Engine, string, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "//")
		if path == "" || strings.Contains(path, ":memory:") {
			return "", "", fmt.Errorf("sqlstore: %q: a SQLite database needs a file path (an in-memory database would differ per connection)", dsn)
		}
		path, query, _ := strings.Cut(path, "?")
		v, err := url.ParseQuery(query)
		if err != nil {
			return "", "", fmt.Errorf("sqlstore: %q: %w", dsn, err)
		}
		for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)",
			"wal_autocheckpoint(0)", "journal_size_limit(67108864)"} {
			v.Add("_pragma", p)
		}
		v.Set("_txlock", "immediate")
		return SQLite, "file:" + path + "?" + v.Encode(), nil
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return Postgres, dsn, nil
	}
	return "", "", fmt.Errorf("sqlstore: %q: the database address must start with sqlite: or postgres://", dsn)
}

// Pool sizes the connection pool. The zero value picks the defaults.
type Pool struct {
	// MaxConns is the most connections the pool opens; 0 means 8 on SQLite (one writer at a
	// time; readers run concurrently under WAL) and 16 on PostgreSQL (a request holds one
	// connection, several nodes share the server's max_connections). All of them stay open
	// while idle: database/sql keeps only 2 by default, and under load the rest were closed and
	// reopened many times a second. One more is held by the look at the database's sessions
	// on PostgreSQL (alone.go), by the checkpoints on SQLite (checkpointer).
	MaxConns int
	// NoStandingCache answers every token check from the database, also while the process is
	// alone on it (PostgreSQL; see standingCache).
	NoStandingCache bool
	// RunTwice ends the first run of every transaction on PostgreSQL that succeeded as a
	// conflict ends it: rolled back, and run again by the store's retry (DB.retry). It is for
	// tests: a function that does anything besides its statements (logs a line, appends to
	// what outlives it) does it twice here, as it would after a conflict. SQLite never runs a
	// transaction again, so there it changes nothing.
	RunTwice bool
}

// Default pool sizes per engine.
const (
	defaultSQLiteConns   = 8
	defaultPostgresConns = 16
)

// apply sizes sdb for engine.
func (p Pool) apply(sdb *sql.DB, engine Engine) {
	n := p.MaxConns
	if n <= 0 {
		n = defaultPostgresConns
		if engine == SQLite {
			n = defaultSQLiteConns
		}
	}
	n++ // the aloneWatch's on PostgreSQL, the checkpointer's on SQLite
	sdb.SetMaxOpenConns(n)
	sdb.SetMaxIdleConns(n)
	sdb.SetConnMaxIdleTime(5 * time.Minute)
	sdb.SetConnMaxLifetime(time.Hour) // so that a pool spreads again after a database failover
}

// Open connects to dsn with the default pool and migrates the schema to the newest version.
func Open(ctx context.Context, dsn string) (*DB, error) {
	return OpenPool(ctx, dsn, Pool{})
}

// OpenPool connects to dsn with the given pool and migrates the schema to the newest version.
func OpenPool(ctx context.Context, dsn string, pool Pool) (*DB, error) {
	db, err := openNoMigrate(ctx, dsn, pool)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// OpenNoMigrate connects without touching the schema (used by `keyward migrate` and tests).
func OpenNoMigrate(ctx context.Context, dsn string) (*DB, error) {
	return openNoMigrate(ctx, dsn, Pool{})
}

func openNoMigrate(ctx context.Context, dsn string, pool Pool) (*DB, error) {
	engine, driverDSN, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	d := dialect{engine: SQLite}
	var sdb *sql.DB
	var watch *aloneWatch
	if engine == Postgres {
		d = dialect{engine: Postgres, collate: `"C"`}
		sdb, watch, err = pgConnector(driverDSN)
	} else {
		sdb, err = sql.Open("sqlite", driverDSN)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open: %w", err)
	}
	pool.apply(sdb, engine)
	if err := connect(ctx, sdb); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("sqlstore: connect: %w", err)
	}
	db := &DB{sql: sdb, watch: watch, runTwice: pool.RunTwice && engine == Postgres}
	if engine == SQLite {
		db.stmts = newStmtCache(sdb)
		db.writes = newWriteQueue()
		if db.checkpoints, err = startCheckpointer(ctx, sdb, db.writes, checkpointEvery, checkpointBehind); err != nil {
			sdb.Close()
			return nil, fmt.Errorf("sqlstore: connect: %w", err)
		}
	} else {
		db.accounts = &accountQueues{queues: map[string]*accountQueue{}}
	}
	db.store = store{q: db.door(nil), d: d} // after stmts: the door keeps them
	if watch != nil {
		watch.start()
		if !pool.NoStandingCache {
			db.store.standing = &standingCache{watch: watch}
		}
	}
	return db, nil
}

// connect opens the pool's first connection. SQLite may answer it SQLITE_BUSY at once, without
// waiting its busy timeout, while another process sets up the same new database file (seen once
// when four nodes opened one empty database together, under load): then it tries again, for up
// to the 10 s the busy timeout would wait.
func connect(ctx context.Context, sdb *sql.DB) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := sdb.PingContext(ctx)
		if err == nil || !isSQLiteBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// StandingStats reports what the standing cache did; zero when there is none (SQLite, or
// Pool.NoStandingCache).
func (db *DB) StandingStats() StandingStats {
	if db.store.standing == nil {
		return StandingStats{}
	}
	return db.store.standing.stats()
}

// SQL exposes the connection pool, for schema inspection in tests and operator tooling.
func (db *DB) SQL() *sql.DB { return db.sql }

// Engine reports which engine the store runs on.
func (db *DB) Engine() Engine { return db.d.engine }

// Close releases the cached statements and the connection pool.
func (db *DB) Close() error {
	if db.watch != nil {
		db.watch.close()
	}
	if db.checkpoints != nil {
		db.checkpoints.close()
	}
	if db.stmts != nil {
		db.stmts.close()
	}
	return db.sql.Close()
}

// Direct returns the store outside any transaction: each call runs on its own.
func (db *DB) Direct() keyward.Tx { return db.store.tx() }

// InTx runs fn in one transaction: committed when fn returns nil, rolled back otherwise.
func (db *DB) InTx(ctx context.Context, fn func(tx keyward.Tx) error) error {
	return db.inTx(ctx, db.rehearsed(func(s *store) error { return fn(s.tx()) }))
}

// InOwnerTx runs fn in one transaction that holds the owner account's lock from its first
// statement. On PostgreSQL (read committed) every later statement of fn sees what the
// transactions that held the lock before committed, so checks made in fn stay true until commit.
//
// On PostgreSQL the account's transactions of this process run through a queue of the account
// (accountQueues), in batches as SQLite's writes do, so that they wait for the lock in the
// process, not each in a database connection of its own, and share a commit.
func (db *DB) InOwnerTx(ctx context.Context, ownerID string, fn func(tx keyward.OwnerTx) error) error {
	locked := db.rehearsed(func(s *store) error {
		o, err := s.lockOwner(ctx, ownerID)
		if err != nil {
			return err
		}
		return fn((&ownerStore{store: s, owner: ownerID, locked: o}).ownerTx())
	})
	if db.accounts != nil {
		return db.accounts.run(ctx, db, ownerID, locked)
	}
	return db.inTx(ctx, locked)
}

// InNewOwnerTx stores o and runs fn in the same transaction, which holds the new account's lock:
// its row is not visible to anyone else before the commit.
func (db *DB) InNewOwnerTx(ctx context.Context, o *keyward.Owner, fn func(tx keyward.OwnerTx) error) error {
	return db.inTx(ctx, db.rehearsed(func(s *store) error {
		if err := s.createOwner(ctx, o); err != nil {
			return err
		}
		locked := *o
		return fn((&ownerStore{store: s, owner: o.ID, locked: &locked}).ownerTx())
	}))
}

// errFirstRun ends the first successful run of a transaction under Pool.RunTwice; retry runs
// the transaction again, as it runs a conflict's again.
var errFirstRun = errors.New("sqlstore: the first of two runs")

// rehearsed is fn, whose first successful run fails with errFirstRun under Pool.RunTwice.
func (db *DB) rehearsed(fn func(s *store) error) func(s *store) error {
	if !db.runTwice {
		return fn
	}
	first := true
	return func(s *store) error {
		if err := fn(s); err != nil || !first {
			return err
		}
		first = false
		return errFirstRun
	}
}

// inTx runs fn on a store in one transaction. On SQLite the transaction is IMMEDIATE, so it holds
// the write lock from its first statement and never fails half-way with SQLITE_BUSY, and it runs
// in the process's write queue (writeQueue), with the requests that wait beside it.
//
// On PostgreSQL a transaction that ended as a deadlock's victim or for a serialization failure
// runs again, up to maxAttempts times in all: it was rolled back, so nothing of it is kept.
func (db *DB) inTx(ctx context.Context, fn func(s *store) error) error {
	if db.writes != nil {
		return db.writes.run(ctx, db, fn)
	}
	for attempt := 1; ; attempt++ {
		err := db.txOnce(ctx, fn)
		if !db.retry(err, attempt == maxAttempts || ctx.Err() != nil) {
			return err
		}
	}
}

// txOnce runs fn in one transaction of its own.
func (db *DB) txOnce(ctx context.Context, fn func(s *store) error) error {
	defer beginWrite()()
	tx, g, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	if err := fn(&store{q: g, d: db.d}); err != nil {
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("sqlstore: rollback: %w", rbErr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: commit: %w", err)
	}
	return nil
}

// sqlTx is a transaction of either engine: sqliteTx on SQLite, pgTx on PostgreSQL. savepoint
// and rollbackTo mark and undo one job of a batch (writeQueue).
type sqlTx interface {
	savepoint(ctx context.Context) error
	rollbackTo(ctx context.Context) error
	Commit() error
	Rollback() error
}

// The statements that mark and undo a job of a batch, on either engine.
const (
	savepointSQL  = `SAVEPOINT job`
	rollbackToSQL = `ROLLBACK TO job`
)

// sqliteTx is database/sql's transaction on SQLite.
type sqliteTx struct{ *sql.Tx }

func (t sqliteTx) savepoint(ctx context.Context) error {
	_, err := t.ExecContext(ctx, savepointSQL)
	return err
}

func (t sqliteTx) rollbackTo(ctx context.Context) error {
	_, err := t.ExecContext(ctx, rollbackToSQL)
	return err
}

// beginTx begins a transaction and returns it with the store's door into it.
func (db *DB) beginTx(ctx context.Context) (sqlTx, guarded, error) {
	if db.d.engine == Postgres {
		t, err := db.beginPG(ctx)
		if err != nil {
			return nil, guarded{}, fmt.Errorf("sqlstore: begin: %w", err)
		}
		return t, db.pgDoor(t), nil
	}
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return nil, guarded{}, fmt.Errorf("sqlstore: begin: %w", err)
	}
	return sqliteTx{tx}, db.door(tx), nil
}

// lockOwner bumps the owner's version: a row lock on PostgreSQL, the write lock on SQLite. The
// version also orders the account's writes (revocations and lock syncs compare it). It answers
// the account's row, read by the same statement under the lock.
func (s *store) lockOwner(ctx context.Context, id string) (*keyward.Owner, error) {
	var o keyward.Owner
	var created int64
	err := s.q.QueryRowContext(ctx, `UPDATE owners SET version = version + 1 WHERE id = $1
		RETURNING id, name, active, plan, created_at`, id).Scan(&o.ID, &o.Name, &o.Active, &o.Plan, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, keyward.ErrNotFound.WithDetails("owner account %q does not exist", id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: lock owner: %w", err)
	}
	o.CreatedAt = keyward.TimeFromMillis(created)
	return &o, nil
}

// mustAffect returns notFound when an UPDATE or DELETE matched no row.
func mustAffect(res sql.Result, notFound error) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlstore: rows affected: %w", err)
	}
	if n == 0 {
		return notFound
	}
	return nil
}

// OpenAdmin opens a plain connection pool on a PostgreSQL server DSN, for creating and dropping
// databases (tests and operators); it does not migrate.
func OpenAdmin(dsn string) (*sql.DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open admin: %w", err)
	}
	return db, nil
}
