package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"sync"
	"time"
)

// checkpointer copies SQLite's write-ahead log back into the database file in the background.
// SQLite does it by itself at the commit that grows the log past 1000 pages (its automatic
// checkpoint, which the store's connections turn off): that commit then wrote the log's pages
// into the database and synced both files before it returned, while its batch held the write
// queue, so every write behind it waited; a grant's p99 at one client was 13 ms against a median
// of 0.6 ms. A checkpoint here runs beside the writers, which go on appending to the log.
//
// The log starts again from its beginning at a write whose transaction began when all of it was
// copied. Under writes that never pause, one is always under way when a checkpoint beside them
// ends, and appends: the log only grows. So once it is longer than checkpointBehind pages the
// next checkpoint is a FULL one, run holding the write queue, which the process's write
// transactions hold (a bulk seed's too, seedWriter.begin): it takes SQLite's write lock too,
// against single statements outside a transaction, copies what the one before left, and the
// next write starts the log anew. journal_size_limit truncates a log file
// that grew long once.
type checkpointer struct {
	conn   *sql.Conn // the checkpoints' own, with a short busy timeout
	queue  *writeQueue
	every  time.Duration // checkpointEvery
	behind int           // checkpointBehind
	stop   chan struct{}
	done   chan struct{}
	closed sync.Once
}

const (
	// checkpointEvery is how often the log is copied: a checkpoint that finds nothing to copy
	// reads the log's header and returns.
	checkpointEvery = 200 * time.Millisecond
	// checkpointBehind is the log's length in pages (4 KiB each) beyond which the next
	// checkpoint waits for the writers.
	checkpointBehind = 4000
	// checkpointBusy is how long a FULL checkpoint waits for a reader of older pages (a backup)
	// or a writer outside the queue, while the queue's writers wait for it.
	checkpointBusy = 250 * time.Millisecond
	// checkpointTimeout bounds one checkpoint's writes and syncs.
	checkpointTimeout = time.Minute
)

// startCheckpointer starts checkpointing the SQLite database of db, whose writes go through
// queue, every so often and in the queue once the log is longer than behind pages, on a
// connection of its own, until close.
func startCheckpointer(ctx context.Context, db *sql.DB, queue *writeQueue, every time.Duration, behind int) (*checkpointer, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA busy_timeout = `+strconv.FormatInt(checkpointBusy.Milliseconds(), 10)); err != nil {
		conn.Close()
		return nil, err
	}
	c := &checkpointer{conn: conn, queue: queue, every: every, behind: behind, stop: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c, nil
}

func (c *checkpointer) loop() {
	defer close(c.done)
	tick := time.NewTicker(c.every)
	defer tick.Stop()
	fullAbove, last := c.behind, 0
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
		}
		// A log that did not grow since the last tick had no write since: it is all copied,
		// and the next write restarts it.
		w := c.checkpoint("PASSIVE")
		grew := w.log > last
		if last = w.log; !grew || w.log <= fullAbove {
			continue
		}
		release := c.queue.hold()
		w = c.checkpoint("FULL")
		release()
		// One that could not finish (a reader of older pages, such as a backup, holds them) is
		// tried again once the log has grown as long again, not at every tick: the queue's
		// writers wait while it waits.
		fullAbove = c.behind
		if w.busy {
			fullAbove = w.log + c.behind
		}
	}
}

// walState is what a checkpoint reports: the log's length in pages, and whether it could not
// copy all of it for the readers or the writer it would have had to wait for.
type walState struct {
	log  int
	busy bool
}

// checkpoint copies the log into the database: what it can without waiting for readers or
// writers (PASSIVE), or all of it, waiting for the write lock and for the readers of older pages
// (FULL). A failure (the disk, or a database closing) leaves the log to the next one, and to
// SQLite's recovery if the process ends first: nothing committed is lost by a checkpoint not run.
func (c *checkpointer) checkpoint(mode string) walState {
	ctx, cancel := context.WithTimeout(context.Background(), checkpointTimeout)
	defer cancel()
	var busy, copied int
	var w walState
	if err := c.conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(`+mode+`)`).Scan(&busy, &w.log, &copied); err != nil {
		return walState{}
	}
	w.busy = busy != 0
	return w
}

// close stops checkpointing, waits for a checkpoint under way and gives back the connection;
// closing again does nothing, as closing the database again does.
func (c *checkpointer) close() {
	c.closed.Do(func() {
		close(c.stop)
		<-c.done
		c.conn.Close()
	})
}
