package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
	"github.com/keyward/keyward/internal/sqlstore"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

// TestBackup copies a SQLite database while a writer commits batches of 50 log entries: the copy
// passes SQLite's integrity and foreign-key checks, is migrated like the original, and holds
// whole batches only, so that it is one consistent moment of the database.
func TestBackup(t *testing.T) {
	ctx := context.Background()
	db := sqltest.Open(t, sqlstore.SQLite)
	now := keyward.NewTime(time.Now())
	o := &keyward.Owner{ID: "owner", Name: "Backup", Active: true, CreatedAt: now}
	phys := &keyward.PhysicalLock{ID: lockproto.EncodeLockID([]byte{7, 7, 7}), LockTypeID: "TK.Td30", ProtocolVersion: 3,
		BindingCodeHash: "h", TimeZone: "UTC", CreatedAt: now}
	l := &keyward.BoundLock{ID: "lock", OwnerAccountID: o.ID, PhysicalLockID: phys.ID, Title: "Door", BindDate: now, Active: true, CreatedAt: now}
	if err := db.Direct().CreatePhysicalLock(ctx, phys); err != nil {
		t.Fatal(err)
	}
	if err := db.InNewOwnerTx(ctx, o, func(tx keyward.OwnerTx) error { return tx.CreateBoundLock(ctx, l) }); err != nil {
		t.Fatal(err)
	}
	const batch = 50
	var batches atomic.Int64
	stop, done := make(chan struct{}), make(chan error, 1)
	go func() {
		for n := int64(0); ; n++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			entries := make([]*keyward.LogEntry, batch)
			for i := range entries {
				no := n*batch + int64(i) + 1
				entries[i] = &keyward.LogEntry{ID: fmt.Sprint("e-", no), EntryNo: no, LogType: keyward.LogTypeCommand,
					Command: keyward.CommandTriggerLock, LockTimestamp: now, ReceivedAt: now}
			}
			if err := db.InOwnerTx(ctx, o.ID, func(tx keyward.OwnerTx) error { _, err := tx.AddLogEntries(ctx, l.ID, entries); return err }); err != nil {
				done <- err
				return
			}
			batches.Add(1)
		}
	}()
	for batches.Load() < 5 {
		time.Sleep(5 * time.Millisecond)
	}
	out := filepath.Join(t.TempDir(), "backup.db")
	err := db.Backup(ctx, out)
	close(stop)
	if werr := <-done; werr != nil {
		t.Fatalf("the writer: %v", werr)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(ctx, out); err == nil {
		t.Fatal("a backup over an existing file succeeded")
	}

	backup, err := sqlstore.Open(ctx, "sqlite:"+out)
	if err != nil {
		t.Fatal(err)
	}
	defer backup.Close()
	var integrity string
	var entries, migrations, originalMigrations, badKeys int
	for _, q := range []struct {
		db   *sqlstore.DB
		sql  string
		dest any
	}{
		{backup, `PRAGMA integrity_check`, &integrity},
		{backup, `SELECT COUNT(*) FROM log_entries`, &entries},
		{backup, `SELECT COUNT(*) FROM schema_migrations`, &migrations},
		{db, `SELECT COUNT(*) FROM schema_migrations`, &originalMigrations},
		{backup, `SELECT COUNT(*) FROM pragma_foreign_key_check`, &badKeys},
	} {
		if err := q.db.SQL().QueryRowContext(ctx, q.sql).Scan(q.dest); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	if integrity != "ok" || badKeys != 0 || migrations != originalMigrations {
		t.Fatalf("the copy: integrity %q, %d foreign-key violations, %d migrations (the original has %d)", integrity, badKeys, migrations, originalMigrations)
	}
	if entries < 5*batch || entries%batch != 0 || int64(entries) > batches.Load()*batch {
		t.Fatalf("the copy holds %d log entries: not whole batches of %d taken during %d batches", entries, batch, batches.Load())
	}
	if engines := sqltest.Engines(t); engines[len(engines)-1] == sqlstore.Postgres {
		if err := sqltest.Open(t, sqlstore.Postgres).Backup(ctx, out+".pg"); !errors.Is(err, sqlstore.ErrBackupEngine) {
			t.Fatalf("a PostgreSQL backup: %v, want %v", err, sqlstore.ErrBackupEngine)
		}
	}
}
