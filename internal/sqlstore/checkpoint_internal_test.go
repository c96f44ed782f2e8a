package sqlstore

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/keyward"
)

// TestSQLiteCheckpointsKeepTheLogShort writes 8 MB without a pause, from four writers through the
// write queue, and samples the size of the write-ahead log's file meanwhile. SQLite's own checkpoint is off, and a
// checkpoint beside writes that never pause never catches up: the log restarts only because one
// that fell behind is repeated holding the write lock. The checkpointer here runs every 20 ms
// and falls behind at 256 pages (1 MB), so that the test writes eight times what it lets grow
// in little time, also under the race detector. Every row written is there afterwards.
func TestSQLiteCheckpointsKeepTheLogShort(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "k.db")
	db, err := Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.checkpoints.close()
	if db.checkpoints, err = startCheckpointer(ctx, db.sql, db.writes, 20*time.Millisecond, 256); err != nil {
		t.Fatal(err)
	}
	if _, err := db.sql.ExecContext(ctx, `CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	const (
		blob     = 64 << 10 // 16 pages of the log each
		total    = 8 << 20  // 128 rows, 2048 pages
		logLimit = 4 << 20  // 1024 pages
	)
	var written, peak atomic.Int64
	stop, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > peak.Load() {
				peak.Store(fi.Size())
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	insert := `INSERT INTO blobs (data) VALUES (randomblob(65536))`
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			for written.Add(blob) <= total {
				if err := db.InTx(ctx, func(tx keyward.Tx) error { return Exec(ctx, tx, insert) }); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	<-sampled
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var rows int64
	if err := db.sql.QueryRowContext(ctx, `SELECT count(*) FROM blobs`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != total/blob {
		t.Errorf("%d rows stored, want %d", rows, total/blob)
	}
	if p := peak.Load(); p > logLimit {
		t.Errorf("the log's file grew to %.1f MB while %d MB were written; want at most %d MB", float64(p)/(1<<20), total>>20, logLimit>>20)
	}
}

// TestSQLiteCloseTwice: a database closed twice (a server's shutdown and a test's cleanup both
// close it) stops its checkpointer once.
func TestSQLiteCloseTwice(t *testing.T) {
	db, err := Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "k.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db.Close() // must not panic
}
