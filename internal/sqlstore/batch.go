package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// writeQueue runs the write transactions of one process on SQLite, which admits one writer at a
// time (and those of one account on PostgreSQL, see accountQueues), in batches: the requests
// that arrive while a batch runs wait in pending, and the next writer runs all of them in one
// transaction, each inside a savepoint of its own, and commits once. A request's changes are
// kept or undone exactly as in a transaction of its own (its savepoint is kept or rolled back
// to), it sees what the requests before it in the batch wrote, as it would have after their
// commits, and it learns its result only after the batch's commit, so success still means
// committed. One commit per batch is what lets more clients write more: the commit's WAL write
// was half the cost of a grant's transaction.
//
// Writers queue here rather than in BEGIN IMMEDIATE, whose busy handler sleeps in growing steps
// of up to 100 ms while the lock may be free; the busy timeout still covers other processes.
type writeQueue struct {
	slot    chan struct{} // held by the goroutine that runs a batch
	mu      sync.Mutex
	pending []*writeJob
}

// accountQueues holds a writeQueue per owner account for PostgreSQL, where the transactions of
// one account take its row lock first (InOwnerTx) and so run one at a time however many arrive.
// Without the queue each waits for the row lock inside a transaction of its own, holding a
// connection, and each then pays a commit (a WAL flush) while the others wait: eight clients on
// one account wrote less than one did. With it, the process's transactions of an account wait
// here and run in batches, one lock wait and one commit per batch; other processes' still wait
// for the row lock, which the batch holds until its commit. An account's queue lives while
// someone uses it.
type accountQueues struct {
	mu     sync.Mutex
	queues map[string]*accountQueue
}

type accountQueue struct {
	*writeQueue
	users int // callers of run on it, its batches' runners among them
}

// run runs fn through the queue of account ownerID, as writeQueue.run does.
func (a *accountQueues) run(ctx context.Context, db *DB, ownerID string, fn func(s *store) error) error {
	a.mu.Lock()
	q := a.queues[ownerID]
	if q == nil {
		q = &accountQueue{writeQueue: newWriteQueue()}
		a.queues[ownerID] = q
	}
	q.users++
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		if q.users--; q.users == 0 {
			delete(a.queues, ownerID)
		}
		a.mu.Unlock()
	}()
	return q.run(ctx, db, fn)
}

// writeJob is one request's transaction, waiting for its batch.
type writeJob struct {
	ctx  context.Context
	fn   func(s *store) error
	done chan error // its result, after the batch's commit
}

// maxBatch bounds a batch, so that one commit never waits for very many requests, and so that
// on PostgreSQL a batch's savepoints, each a subtransaction, stay below the 64 a backend tracks
// in shared memory (beyond them every snapshot in the database has to look them up on disk).
const maxBatch = 32

func newWriteQueue() *writeQueue { return &writeQueue{slot: make(chan struct{}, 1)} }

// run queues fn and returns its result once its batch committed or it failed. The caller runs
// batches itself while it waits and the slot is free, so no job waits for a goroutine that is
// not there. A request whose context ends while its job still waits gets its context's error at
// once, and the job is withdrawn; once a batch has taken it, it waits for that batch's result.
func (q *writeQueue) run(ctx context.Context, db *DB, fn func(s *store) error) error {
	job := &writeJob{ctx: ctx, fn: fn, done: make(chan error, 1)}
	q.mu.Lock()
	q.pending = append(q.pending, job)
	q.mu.Unlock()
	ended := ctx.Done()
	for {
		select {
		case err := <-job.done:
			return err
		case <-ended:
			if q.withdraw(job) {
				return fmt.Errorf("sqlstore: begin: %w", ctx.Err())
			}
			ended = nil // a batch has it: its result follows
		case q.slot <- struct{}{}:
			q.mu.Lock()
			n := min(len(q.pending), maxBatch)
			jobs := q.pending[:n:n]
			q.pending = append([]*writeJob(nil), q.pending[n:]...)
			q.mu.Unlock()
			if len(jobs) > 0 {
				db.runBatch(jobs)
			}
			<-q.slot
		}
	}
}

// hold takes the slot, between two batches, until release: no write of the queue runs meanwhile.
func (q *writeQueue) hold() (release func()) {
	q.slot <- struct{}{}
	return func() { <-q.slot }
}

// withdraw removes job from the waiting jobs and reports whether it was still waiting.
func (q *writeQueue) withdraw(job *writeJob) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, j := range q.pending {
		if j == job {
			q.pending = append(q.pending[:i:i], q.pending[i+1:]...)
			return true
		}
	}
	return false
}

// runBatch runs jobs in one transaction and tells each its result after the commit. A job alone
// runs without a savepoint. A job that PostgreSQL ended as a deadlock's victim (conflictCode) was
// rolled back to its savepoint, so nothing of it is kept: it runs again in a batch of the
// retried jobs after the commit, which released the locks the other side waited for, up to
// maxAttempts times in all. Two batches of different accounts hold every lock their jobs took
// until their commits, so they can deadlock on a row both write (a user, a physical lock) where
// two single transactions would not have; the retry keeps that from reaching the client.
func (db *DB) runBatch(jobs []*writeJob) {
	for attempt := 1; len(jobs) > 0; attempt++ {
		results := make([]error, len(jobs))
		err := db.batchTx(jobs, results)
		var again []*writeJob
		for i, j := range jobs {
			if results[i] == nil {
				results[i] = err
			}
			if db.retry(results[i], attempt == maxAttempts) {
				again = append(again, j)
				continue
			}
			j.done <- results[i]
		}
		jobs = again
	}
}

// batchTx runs the jobs, recording each one's own failure in results, and commits. Its error is
// the batch's: a failed begin, savepoint or commit, which fails every job that had succeeded.
func (db *DB) batchTx(jobs []*writeJob, results []error) error {
	bg := context.Background() // the transaction outlives any one request's context
	defer beginWrite()()
	tx, g, err := db.beginTx(bg)
	if err != nil {
		return err
	}
	g.detached = true
	s := &store{q: g, d: db.d}
	savepoints := len(jobs) > 1
	for i, j := range jobs {
		if err := j.ctx.Err(); err != nil {
			results[i] = fmt.Errorf("sqlstore: begin: %w", err)
			continue
		}
		if !savepoints {
			results[i] = runJob(j, s)
			break
		}
		if err := tx.savepoint(bg); err != nil {
			return rollback(tx, fmt.Errorf("sqlstore: savepoint: %w", err))
		}
		// A job's savepoint is never released: the commit keeps what the jobs kept, and each
		// job's savepoint nests in the one before, so that ROLLBACK TO, which names the newest,
		// undoes that job alone. That saves a statement per job; on PostgreSQL the savepoint
		// also goes with the job's first statement (pgTx).
		if results[i] = runJob(j, s); results[i] != nil {
			if err := tx.rollbackTo(bg); err != nil {
				return rollback(tx, fmt.Errorf("sqlstore: rollback to savepoint: %w", err))
			}
		}
	}
	if !savepoints && results[0] != nil {
		return rollback(tx, nil)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: commit: %w", err)
	}
	return nil
}

// runJob runs one job's function; a panic becomes its error, so that the batch and the queue
// go on for the other requests.
func runJob(j *writeJob, s *store) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("sqlstore: panic in a transaction: %v", p)
		}
	}()
	return j.fn(s)
}

// rollback ends tx and returns err, with the rollback's own failure if any.
func rollback(tx interface{ Rollback() error }, err error) error {
	if rbErr := tx.Rollback(); rbErr != nil {
		return errors.Join(err, fmt.Errorf("sqlstore: rollback: %w", rbErr))
	}
	return err
}
