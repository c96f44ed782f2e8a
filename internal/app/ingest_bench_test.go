package app_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/app/apptest"
	"github.com/keyward/keyward/internal/client"
	"github.com/keyward/keyward/internal/config"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
	"github.com/keyward/keyward/internal/sqlstore"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

// ingestBatch is the log entries of one sync request: the most one request may carry.
const ingestBatch = 1000

// BenchmarkLogIngestion uploads log entries the way locks do, in signed sync requests of 1000
// entries over the device API on loopback, and prints entries per second beside a reference
// program measured in the same run on the same database: the same rows written with one
// prepared INSERT per row in one transaction per batch, into a table with the log's columns and
// indexes, without HTTP, JSON, signatures or Keyward. The ratio says how much of the
// database's own write speed the device API keeps.
func BenchmarkLogIngestion(b *testing.B) {
	for _, engine := range sqltest.Engines(b) {
		b.Run(string(engine), func(b *testing.B) {
			dsn := sqltest.DSN(b, engine)
			m := apptest.Start(b, config.Config{Addr: "127.0.0.1:0", DB: dsn}, &apitest.Output{}, &apitest.Output{})
			lock := benchLock(b, m.Services)
			relay := client.New(m.Config.Issuer, nil)
			ref := newReferenceLog(b, dsn)
			var api, raw time.Duration
			var next uint64 = 1
			b.ResetTimer()
			for b.Loop() {
				entries := benchEntries(next, ingestBatch)
				start := time.Now()
				resp, err := lock.SyncOnce(context.Background(), relay, entries, nil)
				api += time.Since(start)
				if err != nil || resp.AckEntryNo != next+ingestBatch-1 {
					b.Fatalf("sync: ack %v, %v", resp, err)
				}
				start = time.Now()
				ref.insert(b, entries)
				raw += time.Since(start)
				next += ingestBatch
			}
			n := float64(next - 1)
			apiRate, rawRate := n/api.Seconds(), n/raw.Seconds()
			b.ReportMetric(apiRate, "entries/s")
			b.ReportMetric(apiRate/rawRate, "api/reference")
			fmt.Printf("%s: log ingestion through the device API %.0f entries/s, reference (prepared INSERTs, one transaction per %d) %.0f entries/s, ratio %.2f\n",
				engine, apiRate, ingestBatch, rawRate, apiRate/rawRate)
		})
	}
}

// benchLock registers and binds a lock as the operator and an owner would, and returns it
// ready to sync over the wire.
func benchLock(b *testing.B, s keyward.Services) *apitest.Lock {
	ctx := keyward.NewContextWithPrincipal(context.Background(), keyward.Operator())
	u, err := s.Users.CreateUser(ctx, keyward.UserCreate{Email: "bench@example.com", Verified: true})
	if err != nil {
		b.Fatal(err)
	}
	o, err := s.Owners.RegisterOwner(ctx, keyward.OwnerRegistration{Name: "Bench", OwnerEmail: u.Email})
	if err != nil {
		b.Fatal(err)
	}
	pub, device := lockproto.NewDeviceKey()
	phys, code, err := s.Locks.RegisterLock(ctx, keyward.PhysicalLockCreate{DevicePublicKey: pub, LockTypeID: "TK.Td30",
		ProtocolVersion: lockproto.ProtocolLatest, TimeZone: "Europe/Vienna", TimeRestrictionSupport: true})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Locks.BindLock(keyward.NewContextWithPrincipal(ctx, keyward.SessionPrincipal(u)), o.ID,
		keyward.BindLockRequest{PhysicalLockID: phys.ID, BindingCode: code}); err != nil {
		b.Fatal(err)
	}
	return apitest.NewLock(phys.ID, device, code)
}

// benchEntries are n openings numbered from first, a minute apart.
func benchEntries(first uint64, n int) []lockproto.LogEntry {
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	list := make([]lockproto.LogEntry, n)
	for i := range list {
		no := first + uint64(i)
		list[i] = lockproto.LogEntry{EntryNo: no, LockTimestamp: keyward.NewTime(at.Add(time.Duration(no) * time.Minute)),
			LogType: lockproto.LogTypeCommand, Command: lockproto.CommandTriggerLock, Result: lockproto.ResultAllowed,
			Reason: lockproto.ReasonAllowed, GrantID: apitest.Ptr("grant-1"), ContactID: apitest.Ptr("contact-1")}
	}
	return list
}

// referenceLog is the reference program's table: the log's columns and indexes.
type referenceLog struct {
	db   *sql.DB
	stmt string
}

func newReferenceLog(b *testing.B, dsn string) *referenceLog {
	engine, driverDSN, err := sqlstore.ParseDSN(dsn)
	if err != nil {
		b.Fatal(err)
	}
	driver := map[sqlstore.Engine]string{sqlstore.SQLite: "sqlite", sqlstore.Postgres: "pgx"}[engine]
	db, err := sql.Open(driver, driverDSN)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	for _, ddl := range []string{
		`CREATE TABLE reference_log (id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, bound_lock_id TEXT NOT NULL, entry_no BIGINT NOT NULL,
			lock_timestamp BIGINT NOT NULL, received_at BIGINT NOT NULL, bound_card_id TEXT, contact_id TEXT, log_type TEXT NOT NULL,
			command TEXT NOT NULL, result TEXT, reason TEXT, grant_id TEXT, seq BIGINT NOT NULL, kind_seq BIGINT NOT NULL,
			lock_kind_seq BIGINT NOT NULL)`,
		`CREATE UNIQUE INDEX reference_log_entry_no ON reference_log (bound_lock_id, entry_no)`,
		`CREATE UNIQUE INDEX reference_log_seq ON reference_log (owner_id, seq)`,
		`CREATE INDEX reference_log_lock ON reference_log (bound_lock_id, seq)`,
		`CREATE UNIQUE INDEX reference_log_export ON reference_log (owner_id, log_type, command, kind_seq)`,
		`CREATE UNIQUE INDEX reference_log_lock_export ON reference_log (bound_lock_id, log_type, command, lock_kind_seq)`,
	} {
		if _, err := db.Exec(ddl); err != nil {
			b.Fatal(err)
		}
	}
	return &referenceLog{db: db, stmt: `INSERT INTO reference_log (id, owner_id, bound_lock_id, entry_no, lock_timestamp, received_at,
		bound_card_id, contact_id, log_type, command, result, reason, grant_id, seq, kind_seq, lock_kind_seq)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $14)`}
}

// insert writes the entries in one transaction with a prepared statement.
func (r *referenceLog) insert(b *testing.B, entries []lockproto.LogEntry) {
	tx, err := r.db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	stmt, err := tx.Prepare(r.stmt)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UnixMilli()
	for _, e := range entries {
		if _, err := stmt.Exec(fmt.Sprint("ref-", e.EntryNo), "owner", "lock", int64(e.EntryNo), e.LockTimestamp.UnixMilli(), now,
			nil, *e.ContactID, e.LogType, e.Command, e.Result, e.Reason, *e.GrantID, int64(e.EntryNo)); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}
