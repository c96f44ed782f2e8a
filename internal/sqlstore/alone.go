package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// A node answers token standings from memory (the standing cache, standing.go) only while no
// other process is connected to its PostgreSQL database: then every write to it is this
// process's own, and this process knows when one begins and ends (writeSeq). Two rules make
// "no other process" hold without any message between the nodes:
//
//   - A node looks at the database's sessions every aloneBeat (aloneWatch), and trusts a look
//     that found none but its own for aloneTrust from the moment it asked.
//   - A process that opens a connection while sessions of another process are there waits
//     aloneLease before using it (afterConnect), unless a session of its own has been there
//     for that long already: by then every other node has looked again and seen it, or stopped
//     trusting its last look.
//
// So a look that did not see a process cannot be trusted once that process writes. The rules
// hold for every process that connects through this package (servers, the admin commands);
// one that does not, such as psql, is seen within aloneBeat, and its writes reach a node's
// cached standings after at most aloneTrust.
const (
	aloneBeat  = 100 * time.Millisecond
	aloneLease = 500 * time.Millisecond
	// aloneTrust is short of aloneLease so that clocks running at slightly different rates on
	// two machines cannot make a node trust a look longer than the other waits.
	aloneTrust = aloneLease * 4 / 5
	// aloneIdle is how long after the standing cache last asked the watch goes on looking: an
	// idle node costs the database no look, and its first requests after a pause are read from
	// the database until the next look.
	aloneIdle = 2 * time.Second
)

// backend names one PostgreSQL session for as long as it lives: its process id and its start,
// which tells it from a later session that reuses the id.
type backend struct {
	pid   uint32
	start int64 // backend_start in microseconds
}

// ownSessions are the sessions this process opened, per database (host, port and name as the
// address gives them): handles of one process on one database share them, as they share
// writeSeq. The time is when the session was registered.
var ownSessions = struct {
	sync.Mutex
	byDB map[string]map[backend]time.Time
}{byDB: map[string]map[backend]time.Time{}}

// sessionsSQL lists the sessions on the current database that could write to it: everything
// but the server's own autovacuum and the workers of a parallel query.
const sessionsSQL = `SELECT pid, COALESCE((EXTRACT(EPOCH FROM backend_start) * 1000000)::bigint, 0), pid = pg_backend_pid()
	FROM pg_stat_activity WHERE datname = current_database() AND backend_type NOT IN ('autovacuum worker', 'parallel worker')`

// session is one row of sessionsSQL.
type session struct {
	backend
	mine bool // the session that ran the query
}

// writeSeq counts the writes of this process, on any database: a transaction, or a statement
// that writes outside one, begins one and ends it after its commit or rollback. A standing read
// while none was in flight, and found again before the next began, is what the database holds.
var writeSeq struct{ began, ended atomic.Uint64 }

// beginWrite counts a write that begins; the function it returns counts it ended.
func beginWrite() (end func()) {
	writeSeq.began.Add(1)
	return func() { writeSeq.ended.Add(1) }
}

// writesQuiet reports how many writes began so far and whether all of them had ended at one
// moment: ended is read first, so equal counts mean none was in flight when it was read.
func writesQuiet() (began uint64, quiet bool) {
	ended := writeSeq.ended.Load()
	began = writeSeq.began.Load()
	return began, began == ended
}

// aloneWatch looks at the sessions of one database for a handle (DB): it holds a connection of
// its own for that, which also keeps the process visible to the other nodes.
type aloneWatch struct {
	db  *sql.DB
	key string // ownSessions key
	// trusted is the last look that found the process alone: nil when the last look did not.
	trusted atomic.Pointer[aloneLook]
	// wanted is when the standing cache last asked (Unix nanoseconds; see aloneIdle).
	wanted atomic.Int64
	// conn is the watch's own connection and since when its session is registered; mu guards
	// them, for afterConnect asks whether the process has been visible for a lease.
	mu    sync.Mutex
	conn  *sql.Conn
	since time.Time
	stop  context.CancelFunc
	done  chan struct{}
}

// aloneLook is a look that found the process alone: trusted until until; epoch numbers the
// runs of such looks in which each was asked before the one before stopped being trusted, so
// that an answer kept in one run is never given in another.
type aloneLook struct {
	epoch uint64
	until time.Time
}

// alone reports whether the process may trust that it is alone on the database now, and in
// which run of looks; asking keeps the watch looking.
func (w *aloneWatch) alone() (epoch uint64, ok bool) {
	now := time.Now()
	w.wanted.Store(now.UnixNano())
	l := w.trusted.Load()
	if l == nil || !now.Before(l.until) {
		return 0, false
	}
	return l.epoch, true
}

// pgConnector opens PostgreSQL connections through pgx with afterConnect, and returns the
// watch the handle starts once it is open.
func pgConnector(driverDSN string) (*sql.DB, *aloneWatch, error) {
	cfg, err := pgx.ParseConfig(driverDSN)
	if err != nil {
		return nil, nil, fmt.Errorf("sqlstore: %w", err)
	}
	w := &aloneWatch{key: fmt.Sprintf("%s:%d/%s", cfg.Host, cfg.Port, cfg.Database)}
	w.db = stdlib.OpenDB(*cfg, stdlib.OptionAfterConnect(w.afterConnect))
	return w.db, w, nil
}

// afterConnect registers a new session as this process's and, when another process has
// sessions on the database, waits aloneLease before the connection is used, unless the
// process has been visible there for that long (see the package's rules above).
func (w *aloneWatch) afterConnect(ctx context.Context, c *pgx.Conn) error {
	rows, err := c.Query(ctx, sessionsSQL)
	if err != nil {
		return fmt.Errorf("sqlstore: list sessions: %w", err)
	}
	list, err := scanSessions(rows)
	rows.Close()
	if err != nil {
		return fmt.Errorf("sqlstore: list sessions: %w", err)
	}
	others := false
	ownSessions.Lock()
	own := ownSessions.byDB[w.key]
	if own == nil {
		own = map[backend]time.Time{}
		ownSessions.byDB[w.key] = own
	}
	for _, s := range list {
		if s.mine {
			own[s.backend] = time.Now()
		} else if _, ok := own[s.backend]; !ok {
			others = true
		}
	}
	ownSessions.Unlock()
	if !others || w.visibleFor(ctx, aloneLease) {
		return nil
	}
	t := time.NewTimer(aloneLease)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// visibleFor reports whether the watch's session has been this process's for at least d and
// still answers: then it was there for every look another node took in that time.
func (w *aloneWatch) visibleFor(ctx context.Context, d time.Duration) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.conn == nil || time.Since(w.since) < d {
		return false
	}
	return w.conn.PingContext(ctx) == nil
}

// start runs the watch until close.
func (w *aloneWatch) start() {
	ctx, cancel := context.WithCancel(context.Background())
	w.stop, w.done = cancel, make(chan struct{})
	go w.run(ctx)
}

// close stops the watch and releases its connection.
func (w *aloneWatch) close() {
	if w.stop == nil {
		return
	}
	w.stop()
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	w.dropConn()
}

func (w *aloneWatch) run(ctx context.Context) {
	defer close(w.done)
	var epoch uint64
	tick := time.NewTicker(aloneBeat)
	defer tick.Stop()
	for {
		asked := time.Now()
		var alone bool
		var err error
		if asked.Sub(time.Unix(0, w.wanted.Load())) > aloneIdle {
			err = w.ensureConn(ctx) // nobody asks: stay visible, and look again when asked
		} else {
			alone, err = w.look(ctx)
		}
		switch {
		case err != nil || !alone:
			w.trusted.Store(nil)
		default:
			// The run goes on only while the look before is still trusted once this one has
			// answered: a look delayed past that could miss a process that came and went.
			if prev := w.trusted.Load(); prev == nil || !time.Now().Before(prev.until) {
				epoch++
			}
			w.trusted.Store(&aloneLook{epoch: epoch, until: asked.Add(aloneTrust)})
		}
		select {
		case <-ctx.Done():
			w.trusted.Store(nil)
			return
		case <-tick.C:
		}
	}
}

// look lists the database's sessions on the watch's connection, opening one when it has none,
// and reports whether all of them are this process's. It forgets own sessions that ended.
func (w *aloneWatch) look(ctx context.Context) (bool, error) {
	if err := w.ensureConn(ctx); err != nil {
		return false, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	asked := time.Now()
	list, err := w.sessions(ctx)
	if err != nil {
		w.dropConn()
		return false, err
	}
	ownSessions.Lock()
	defer ownSessions.Unlock()
	own := ownSessions.byDB[w.key]
	alone := true
	seen := make(map[backend]bool, len(list))
	for _, s := range list {
		seen[s.backend] = true
		if _, ok := own[s.backend]; !ok {
			alone = false
		}
	}
	for b, at := range own {
		if !seen[b] && at.Before(asked) {
			delete(own, b)
		}
	}
	return alone, nil
}

// ensureConn takes a connection of the pool for the watch when it has none. It holds no lock
// while it waits for one: a new connection runs afterConnect, which asks visibleFor.
func (w *aloneWatch) ensureConn(ctx context.Context) error {
	w.mu.Lock()
	has := w.conn != nil
	w.mu.Unlock()
	if has {
		return nil
	}
	c, err := w.db.Conn(ctx)
	if err != nil {
		return err
	}
	var pid uint32
	if err := c.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return errors.New("sqlstore: not a pgx connection")
		}
		pid = sc.Conn().PgConn().PID()
		return nil
	}); err != nil {
		c.Close()
		return err
	}
	// The session is the newest registered with its id: an older one with the same id ended.
	var since time.Time
	ownSessions.Lock()
	for b, at := range ownSessions.byDB[w.key] {
		if b.pid == pid && at.After(since) {
			since = at
		}
	}
	ownSessions.Unlock()
	if since.IsZero() {
		since = time.Now()
	}
	w.mu.Lock()
	w.conn, w.since = c, since
	w.mu.Unlock()
	return nil
}

// sessions runs sessionsSQL on the watch's connection.
func (w *aloneWatch) sessions(ctx context.Context) ([]session, error) {
	rows, err := w.conn.QueryContext(ctx, sessionsSQL)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return scanSessions(rows)
}

// scanSessions reads sessionsSQL's rows, from pgx (a new connection's, before database/sql
// has it) or from database/sql (the watch's).
func scanSessions(rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}) ([]session, error) {
	var list []session
	for rows.Next() {
		var s session
		if err := rows.Scan(&s.pid, &s.start, &s.mine); err != nil {
			return nil, err
		}
		list = append(list, s)
	}
	return list, rows.Err()
}

// dropConn gives the watch's connection back to the pool, which closes it if it broke; w.mu is
// held.
func (w *aloneWatch) dropConn() {
	if w.conn != nil {
		w.conn.Close()
		w.conn = nil
	}
}
