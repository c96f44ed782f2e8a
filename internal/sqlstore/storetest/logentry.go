package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/keyward"
)

// logEntries makes entries with the entry numbers from..to of one kind, received at one time.
func logEntries(prefix string, from, to int, logType, command string) []*keyward.LogEntry {
	var list []*keyward.LogEntry
	for no := from; no <= to; no++ {
		list = append(list, &keyward.LogEntry{ID: fmt.Sprintf("%s-%d", prefix, no), EntryNo: int64(no), LockTimestamp: at(no),
			ReceivedAt: at(1000), LogType: logType, Command: command, Result: apitest.Ptr(keyward.LogResultAllowed),
			Reason: apitest.Ptr(keyward.ReasonAllowed)})
	}
	return list
}

// addLog uploads entries of a lock in its own transaction and returns how many were new.
func addLog(t *testing.T, s flat, ownerID, lockID string, entries []*keyward.LogEntry) int {
	t.Helper()
	var n int
	must(t, s.on(ctx, ownerID, func(tx keyward.OwnerTx) (err error) {
		n, err = tx.AddLogEntries(ctx, lockID, entries)
		return err
	}))
	return n
}

// entryIDs lists the ids of entries, in order.
func entryIDs(list []*keyward.LogEntry) []string {
	var ids []string
	for _, e := range list {
		ids = append(ids, e.ID)
	}
	return ids
}

// ExportQuery is the log export's query: $filter=logType eq … and command eq … with $skip, $top
// and $select; the store's benchmark and plan check use it too.
func ExportQuery(logType, command string, skip, top int, sel ...string) *keyward.Query {
	eq := func(name, value string) keyward.Expr {
		return &keyward.BinaryExpr{Op: "eq", Left: &keyward.PropertyExpr{Name: name}, Right: &keyward.LiteralExpr{Value: value}}
	}
	return &keyward.Query{Filter: &keyward.BinaryExpr{Op: "and", Left: eq("logType", logType), Right: eq("command", command)},
		Skip: skip, Top: &top, Select: sel}
}

// testLogEntries: uploads are idempotent by (lock, entry number), retried and overlapping ones
// included; the lists keep the order of receipt; the export's paging sees the same entries as
// ordinary paging would.
func testLogEntries(t *testing.T, s flat) {
	o := mkOwner(t, s, 1)
	a := mkBoundLock(t, s, o.ID, mkPhysicalLock(t, s, 2).ID, 3, "A")
	b := mkBoundLock(t, s, o.ID, mkPhysicalLock(t, s, 4).ID, 5, "B")
	cmd, trig := keyward.LogTypeCommand, keyward.CommandTriggerLock

	t.Run("Idempotent", func(t *testing.T) {
		if n := addLog(t, s, o.ID, a.ID, logEntries("a", 1, 3, cmd, trig)); n != 3 {
			t.Fatalf("first upload stored %d, want 3", n)
		}
		if n := addLog(t, s, o.ID, a.ID, logEntries("retry", 1, 3, cmd, trig)); n != 0 {
			t.Fatalf("retried upload stored %d, want 0", n)
		}
		overlap := append(logEntries("a", 2, 5, cmd, trig), logEntries("dup", 5, 5, cmd, trig)...)
		if n := addLog(t, s, o.ID, a.ID, overlap); n != 2 {
			t.Fatalf("overlapping upload stored %d, want 2", n)
		}
		if n := addLog(t, s, o.ID, b.ID, logEntries("b", 1, 2, "Other", "")); n != 2 {
			t.Fatalf("another lock's entry numbers 1-2 stored %d, want 2", n)
		}
		list, err := s.FindLogEntries(ctx, keyward.LogEntryFilter{OwnerID: o.ID})
		must(t, err)
		want := []string{"a-1", "a-2", "a-3", "a-4", "a-5", "b-1", "b-2"}
		if diff := cmp.Diff(want, entryIDs(list)); diff != "" {
			t.Fatalf("log (-want +got):\n%s", diff)
		}
		wantFirst := &keyward.LogEntry{ID: "a-1", EntryNo: 1, LockTimestamp: at(1), ReceivedAt: at(1000), BoundLockID: a.ID,
			LogType: cmd, Command: trig, Result: apitest.Ptr(keyward.LogResultAllowed), Reason: apitest.Ptr(keyward.ReasonAllowed)}
		if diff := cmp.Diff(wantFirst, list[0]); diff != "" {
			t.Fatalf("first entry (-want +got):\n%s", diff)
		}
		list, err = s.FindLogEntries(ctx, keyward.LogEntryFilter{OwnerID: o.ID, BoundLockID: &b.ID})
		must(t, err)
		if diff := cmp.Diff([]string{"b-1", "b-2"}, entryIDs(list)); diff != "" {
			t.Fatalf("lock B's log (-want +got):\n%s", diff)
		}
	})

	t.Run("ExportPaging", func(t *testing.T) {
		addLog(t, s, o.ID, b.ID, logEntries("b", 3, 6, cmd, trig))
		addLog(t, s, o.ID, a.ID, logEntries("a", 6, 7, cmd, trig))
		all := []string{"a-1", "a-2", "a-3", "a-4", "a-5", "b-3", "b-4", "b-5", "b-6", "a-6", "a-7"}
		for skip := 0; skip <= len(all); skip++ {
			list, err := s.FindLogEntries(ctx, keyward.LogEntryFilter{OwnerID: o.ID, Query: ExportQuery(cmd, trig, skip, 3)})
			must(t, err)
			want := all[skip:min(skip+3, len(all))]
			if diff := cmp.Diff(want, entryIDs(list), cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("$skip=%d (-want +got):\n%s", skip, diff)
			}
		}
		list, err := s.FindLogEntries(ctx, keyward.LogEntryFilter{OwnerID: o.ID, BoundLockID: &b.ID, Query: ExportQuery(cmd, trig, 1, 2)})
		must(t, err)
		if diff := cmp.Diff([]string{"b-4", "b-5"}, entryIDs(list)); diff != "" {
			t.Fatalf("lock B's export page (-want +got):\n%s", diff)
		}
	})

	t.Run("LargeUpload", func(t *testing.T) {
		// 1001 entries take several INSERT statements on either engine; alternating kinds
		// check that each statement continues the numbering of the one before.
		c := mkBoundLock(t, s, o.ID, mkPhysicalLock(t, s, 6).ID, 7, "C")
		var upload []*keyward.LogEntry
		var ids, opened []string
		for no := 1; no <= 1001; no++ {
			logType, command := cmd, trig
			if no%3 == 0 {
				logType, command = "Other", ""
			} else {
				opened = append(opened, fmt.Sprintf("c-%d", no))
			}
			upload = append(upload, logEntries("c", no, no, logType, command)...)
			ids = append(ids, fmt.Sprintf("c-%d", no))
		}
		if n := addLog(t, s, o.ID, c.ID, upload); n != 1001 {
			t.Fatalf("the upload stored %d, want 1001", n)
		}
		top := 1000
		list, err := s.FindLogEntries(ctx, keyward.LogEntryFilter{OwnerID: o.ID, BoundLockID: &c.ID, Query: &keyward.Query{Top: &top, Skip: 1}})
		must(t, err)
		if diff := cmp.Diff(ids[1:], entryIDs(list)); diff != "" {
			t.Fatalf("lock C's log (-want +got):\n%s", diff)
		}
		list, err = s.FindLogEntries(ctx, keyward.LogEntryFilter{OwnerID: o.ID, BoundLockID: &c.ID, Query: ExportQuery(cmd, trig, 600, 100)})
		must(t, err)
		if diff := cmp.Diff(opened[600:], entryIDs(list)); diff != "" {
			t.Fatalf("lock C's openings from the 601st (-want +got):\n%s", diff)
		}
	})

	t.Run("UnknownLock", func(t *testing.T) {
		err := s.on(ctx, o.ID, func(tx keyward.OwnerTx) error {
			_, err := tx.AddLogEntries(ctx, "no-such-lock", logEntries("x", 1, 1, cmd, trig))
			return err
		})
		wantErr(t, err, keyward.ErrNotFound)
	})
}

// testConcurrentLogUploads: overlapping uploads of one lock racing each other store every entry
// once, numbered densely.
func testConcurrentLogUploads(t *testing.T, s flat) {
	o := mkOwner(t, s, 1)
	l := mkBoundLock(t, s, o.ID, mkPhysicalLock(t, s, 2).ID, 3, "A")
	cmd, trig := keyward.LogTypeCommand, keyward.CommandTriggerLock
	var wg sync.WaitGroup
	counts := make([]int, 4)
	errs := make([]error, 4)
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.on(ctx, o.ID, func(tx keyward.OwnerTx) (err error) {
				counts[i], err = tx.AddLogEntries(ctx, l.ID, logEntries(fmt.Sprint("u", i), 1+i*10, 30+i*10, cmd, trig))
				return err
			})
		}()
	}
	wg.Wait()
	total := 0
	for i := range 4 {
		must(t, errs[i])
		total += counts[i]
	}
	if total != 60 {
		t.Fatalf("the uploads stored %d entries together, want 60 (entry numbers 1-60)", total)
	}
	seen := map[int64]bool{}
	for skip := 0; skip < 60; skip += 7 {
		list, err := s.FindLogEntries(ctx, keyward.LogEntryFilter{OwnerID: o.ID, Query: ExportQuery(cmd, trig, skip, 7)})
		must(t, err)
		if len(list) != min(7, 60-skip) {
			t.Fatalf("$skip=%d gave %d entries", skip, len(list))
		}
		for _, e := range list {
			if seen[e.EntryNo] {
				t.Fatalf("entry %d listed twice", e.EntryNo)
			}
			seen[e.EntryNo] = true
		}
	}
}
