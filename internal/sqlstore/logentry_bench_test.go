package sqlstore_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
	"github.com/keyward/keyward/internal/sqlstore"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
	"github.com/keyward/keyward/internal/sqlstore/storetest"
)

// logBenchEntries is the size of the benchmark's log.
const logBenchEntries = 1_000_000

// exportSelect is the log export's $select.
var exportSelect = []string{"id", "entryNo", "lockTimestamp", "receivedAt", "boundLockId", "boundCardId", "contactId"}

// BenchmarkLogExport pages a log of a million entries with the log export's request,
// $skip=N&$top=500&$filter=logType eq 'Command' and command eq 'TriggerLock'&$select=…, and
// prints the first and the last page's time and their ratio, which must stay near 1: the
// export's $skip is a seek, not an OFFSET. It runs on SQLite, and on PostgreSQL when
// KEYWARD_TEST_POSTGRES is set.
func BenchmarkLogExport(b *testing.B) {
	for _, engine := range sqltest.Engines(b) {
		b.Run(string(engine), func(b *testing.B) {
			db := sqltest.OpenOnce(b, engine) // measured: transactions run once, as in production
			ownerID := fillBenchLog(b, db)
			openings := logBenchEntries / 4 * 3
			page := func(skip int) time.Duration {
				q := storetest.ExportQuery(keyward.LogTypeCommand, keyward.CommandTriggerLock, skip, 500, exportSelect...)
				start := time.Now()
				list, err := db.Direct().FindLogEntries(context.Background(), keyward.LogEntryFilter{OwnerID: ownerID, Query: q})
				took := time.Since(start)
				if err != nil {
					b.Fatal(err)
				}
				if want := min(500, openings-skip); len(list) != want {
					b.Fatalf("$skip=%d: %d entries, want %d", skip, len(list), want)
				}
				if skip > 0 && list[len(list)-1].ID != "tail-1" {
					b.Fatalf("the last page ends with %s, want the last opening uploaded, tail-1", list[len(list)-1].ID)
				}
				return took
			}
			lastSkip := openings - 500
			var first, last []time.Duration
			b.ResetTimer()
			for b.Loop() {
				first = append(first, page(0))
				last = append(last, page(lastSkip))
			}
			f, l := median(first), median(last)
			ratio := float64(l) / float64(f)
			b.ReportMetric(float64(f.Microseconds()), "µs/first-page")
			b.ReportMetric(float64(l.Microseconds()), "µs/last-page")
			b.ReportMetric(ratio, "last/first")
			fmt.Printf("%s: %d entries, %d openings: first page (skip 0) %v, last page (skip %d) %v, ratio %.2f\n",
				engine, logBenchEntries, openings, f, lastSkip, l, ratio)
			whole, reference := wholeExport(b, db, ownerID, openings), referenceExport(b, db, openings)
			b.ReportMetric(whole, "export-entries/s")
			fmt.Printf("%s: the whole export page by page %.0f entries/s, reference (one streaming SELECT of the same rows) %.0f entries/s, ratio %.2f\n",
				engine, whole, reference, whole/reference)
		})
	}
}

// wholeExport pages through every opening with the export's request and returns entries/s.
func wholeExport(b *testing.B, db *sqlstore.DB, ownerID string, openings int) float64 {
	start, n := time.Now(), 0
	for skip := 0; ; skip += 500 {
		q := storetest.ExportQuery(keyward.LogTypeCommand, keyward.CommandTriggerLock, skip, 500, exportSelect...)
		list, err := db.Direct().FindLogEntries(context.Background(), keyward.LogEntryFilter{OwnerID: ownerID, Query: q})
		if err != nil {
			b.Fatal(err)
		}
		if n += len(list); len(list) < 500 {
			break
		}
	}
	if n != openings {
		b.Fatalf("the whole export has %d entries, want %d", n, openings)
	}
	return float64(n) / time.Since(start).Seconds()
}

// referenceExport reads the same rows and columns in one query, the reference the paged export
// is measured against: what the database can stream without paging, OData or JSON shapes.
func referenceExport(b *testing.B, db *sqlstore.DB, openings int) float64 {
	start, n := time.Now(), 0
	err := sqlstore.ScanExportReference(db, keyward.LogTypeCommand, keyward.CommandTriggerLock, func() { n++ })
	if err != nil {
		b.Fatal(err)
	}
	if n != openings {
		b.Fatalf("the reference read %d entries, want %d", n, openings)
	}
	return float64(n) / time.Since(start).Seconds()
}

// fillBenchLog makes an account with one lock and its million-entry log, then checks that an
// upload after it is numbered on: the last entries are the export's last page.
func fillBenchLog(b *testing.B, db *sqlstore.DB) (ownerID string) {
	b.Helper()
	ctx, now := context.Background(), keyward.NewTime(time.Now())
	o := &keyward.Owner{ID: "bench-owner", Name: "Bench", Active: true, CreatedAt: now}
	phys := &keyward.PhysicalLock{ID: lockproto.EncodeLockID([]byte{1, 2, 3}), LockTypeID: "TK.Td30", ProtocolVersion: 3,
		BindingCodeHash: "h", TimeZone: "UTC", CreatedAt: now}
	l := &keyward.BoundLock{ID: "bench-lock", OwnerAccountID: o.ID, PhysicalLockID: phys.ID, Title: "Door", BindDate: now, Active: true, CreatedAt: now}
	if err := db.Direct().CreatePhysicalLock(ctx, phys); err != nil {
		b.Fatal(err)
	}
	if err := db.InNewOwnerTx(ctx, o, func(tx keyward.OwnerTx) error { return tx.CreateBoundLock(ctx, l) }); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if err := sqlstore.FillLog(db, o.ID, l.ID, logBenchEntries-2); err != nil {
		b.Fatal(err)
	}
	b.Logf("filled %d entries in %v", logBenchEntries-2, time.Since(start))
	tail := []*keyward.LogEntry{ // entry numbers 999999 and 1000000: i%4 = 2 and 3 in FillLog's pattern
		{ID: "tail-1", EntryNo: logBenchEntries - 1, LogType: keyward.LogTypeCommand, Command: keyward.CommandTriggerLock,
			LockTimestamp: now, ReceivedAt: now, Result: apitest.Ptr(keyward.LogResultAllowed)},
		{ID: "tail-2", EntryNo: logBenchEntries, LogType: "Other", LockTimestamp: now, ReceivedAt: now},
	}
	start = time.Now()
	err := db.InOwnerTx(ctx, o.ID, func(tx keyward.OwnerTx) error {
		n, err := tx.AddLogEntries(ctx, l.ID, tail)
		if err == nil && n != 2 {
			err = fmt.Errorf("the upload after the fill stored %d entries, want 2", n)
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("an upload of 2 entries onto the full log took %v", time.Since(start))
	return o.ID
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
