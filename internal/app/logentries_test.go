package app_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/client"
	"github.com/keyward/keyward/internal/keyward"
)

// seedLog stores a lock's uploaded entries through the store's ingestion, as the device API
// will, and returns how many were new.
func (f *fixture) seedLog(ownerID, lockID string, entries ...*keyward.LogEntry) int {
	f.t.Helper()
	var n int
	f.must(f.m.Store.InOwnerTx(context.Background(), ownerID, func(tx keyward.OwnerTx) (err error) {
		n, err = tx.AddLogEntries(context.Background(), lockID, entries)
		return err
	}))
	return n
}

// logEntry is an entry of the lock's log at minute no of 2026-03-01 10:00 UTC, received an hour later.
func logEntry(id string, no int64, logType, command string) *keyward.LogEntry {
	t := time.Date(2026, 3, 1, 10, int(no), 0, 0, time.UTC)
	return &keyward.LogEntry{ID: id, EntryNo: no, LockTimestamp: keyward.NewTime(t), ReceivedAt: keyward.NewTime(t.Add(time.Hour)),
		LogType: logType, Command: command}
}

// seedLogs gives lock1 of o1 four entries (two openings, a denied opening, one of another type)
// and lock2 of o2 one.
func (f *fixture) seedLogs() {
	cmd, trig := keyward.LogTypeCommand, keyward.CommandTriggerLock
	opened := logEntry("log-1", 1, cmd, trig)
	opened.ContactID, opened.Result, opened.Reason, opened.GrantID = apitest.Ptr(f.ids["guest"]),
		apitest.Ptr(keyward.LogResultAllowed), apitest.Ptr(keyward.ReasonAllowed), apitest.Ptr("grant-1")
	denied := logEntry("log-2", 2, cmd, trig)
	denied.BoundCardID, denied.Result, denied.Reason = apitest.Ptr("card-1"), apitest.Ptr(keyward.LogResultDenied), apitest.Ptr(keyward.ReasonExpired)
	other := logEntry("log-3", 3, "Other", "")
	again := logEntry("log-4", 4, cmd, trig)
	if n := f.seedLog(f.ids["o1"], f.ids["lock1"], opened, denied, other, again); n != 4 {
		f.t.Fatalf("seeded %d entries, want 4", n)
	}
	if n := f.seedLog(f.ids["o1"], f.ids["lock1"], logEntry("log-dup", 4, cmd, trig)); n != 0 {
		f.t.Fatalf("a repeated entry was stored again (%d)", n)
	}
	f.seedLog(f.ids["o2"], f.ids["lock2"], logEntry("log-o2", 1, cmd, trig))
}

const (
	log1 = `{"id":"log-1","entryNo":1,"lockTimestamp":"2026-03-01T10:01:00.000Z","receivedAt":"2026-03-01T11:01:00.000Z","boundLockId":"{lock1}","boundCardId":null,"contactId":"{guest}","logType":"Command","command":"TriggerLock","result":"Allowed","reason":"Allowed","grantId":"grant-1"}`
	log2 = `{"id":"log-2","entryNo":2,"lockTimestamp":"2026-03-01T10:02:00.000Z","receivedAt":"2026-03-01T11:02:00.000Z","boundLockId":"{lock1}","boundCardId":"card-1","contactId":null,"logType":"Command","command":"TriggerLock","result":"Denied","reason":"Expired","grantId":null}`
	log3 = `{"id":"log-3","entryNo":3,"lockTimestamp":"2026-03-01T10:03:00.000Z","receivedAt":"2026-03-01T11:03:00.000Z","boundLockId":"{lock1}","boundCardId":null,"contactId":null,"logType":"Other","command":"","result":null,"reason":null,"grantId":null}`
	log4 = `{"id":"log-4","entryNo":4,"lockTimestamp":"2026-03-01T10:04:00.000Z","receivedAt":"2026-03-01T11:04:00.000Z","boundLockId":"{lock1}","boundCardId":null,"contactId":null,"logType":"Command","command":"TriggerLock","result":null,"reason":null,"grantId":null}`
)

func TestLogEntries(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		f.seedLogs()
		export := "$filter=logType%20eq%20'Command'%20and%20command%20eq%20'TriggerLock'&$select=id,entryNo,lockTimestamp,receivedAt,boundLockId,boundCardId,contactId"
		f.run(t, []scenario{
			{name: "List", method: "GET", path: "/api/v1/Owners/{o1}/LogEntries", as: "admin", wantStatus: 200,
				wantBody: `[` + log1 + `,` + log2 + `,` + log3 + `,` + log4 + `]`},
			{name: "ListOfLock", method: "GET", path: "/api/v1/Owners/{o1}/BoundLocks/{lock1}/LogEntries?$top=2", as: "admin", wantStatus: 200,
				wantBody: `[` + log1 + `,` + log2 + `]`},
			{name: "Export", method: "GET", path: "/api/v1/Owners/{o1}/LogEntries?$skip=1&$top=500&" + export, as: "admin", wantStatus: 200,
				wantBody: `[{"id":"log-2","entryNo":2,"lockTimestamp":"2026-03-01T10:02:00.000Z","receivedAt":"2026-03-01T11:02:00.000Z","boundLockId":"{lock1}","boundCardId":"card-1","contactId":null},` +
					`{"id":"log-4","entryNo":4,"lockTimestamp":"2026-03-01T10:04:00.000Z","receivedAt":"2026-03-01T11:04:00.000Z","boundLockId":"{lock1}","boundCardId":null,"contactId":null}]`},
			{name: "ExportOfLockPastTheEnd", method: "GET", path: "/api/v1/Owners/{o1}/BoundLocks/{lock1}/LogEntries?$skip=3&$top=500&" + export, as: "admin", wantStatus: 200,
				wantBody: `[]`},
			{name: "FilterDenied", method: "GET", path: "/api/v1/Owners/{o1}/LogEntries?$filter=result%20eq%20'Denied'%20or%20reason%20eq%20null&$select=id,reason", as: "admin", wantStatus: 200,
				wantBody: `[{"id":"log-2","reason":"Expired"},{"id":"log-3","reason":null},{"id":"log-4","reason":null}]`},
			{name: "OrderByLockTimestampDesc", method: "GET", path: "/api/v1/Owners/{o1}/LogEntries?$orderby=lockTimestamp%20desc&$skip=1&$top=2&$select=id,entryNo", as: "admin", wantStatus: 200,
				wantBody: `[{"id":"log-3","entryNo":3},{"id":"log-2","entryNo":2}]`},
			{name: "TopAboveMax", method: "GET", path: "/api/v1/Owners/{o1}/LogEntries?$top=1001", as: "admin", wantStatus: 400,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The request is invalid.","ErrorDetails":"$top: must be an integer between 0 and 1000, got \"1001\"","UserErrorMessage":""}`},
			{name: "TopMax", method: "GET", path: "/api/v1/Owners/{o1}/LogEntries?$top=1000&$skip=3&$select=id", as: "admin", wantStatus: 200,
				wantBody: `[{"id":"log-4"}]`},
			{name: "UnknownProperty", method: "GET", path: "/api/v1/Owners/{o1}/LogEntries?$filter=ownerId%20eq%20'x'", as: "admin", wantStatus: 400,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The request is invalid.","ErrorDetails":"$filter: unknown property \"ownerId\" at position 1","UserErrorMessage":""}`},
			{name: "MissingScope", method: "GET", path: "/api/v1/Owners/{o1}/LogEntries", as: "reader", wantStatus: 401,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The access token lacks a required scope.","ErrorDetails":"the operation requires the scope \"read:logs\"","UserErrorMessage":""}`},
			{name: "OtherAccount", method: "GET", path: "/api/v1/Owners/{o2}/LogEntries", as: "admin", wantStatus: 403,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The caller has no permission for this operation.","ErrorDetails":"the caller has no permission on owner account \"{o2}\"","UserErrorMessage":""}`},
			{name: "OtherAccountsLock", method: "GET", path: "/api/v1/Owners/{o1}/BoundLocks/{lock2}/LogEntries", as: "admin", wantStatus: 404,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The resource was not found.","ErrorDetails":"bound lock \"{lock2}\" does not exist","UserErrorMessage":""}`},
		})
	})
}

// TestLogEntries_Client pages the export through the Go client, as the log export does.
func TestLogEntries_Client(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		f.seedLogs()
		a := f.account("admin", "o1")
		var got []string
		for skip := 0; ; skip++ {
			page, err := a.BoundLockLogEntries(context.Background(), f.ids["lock1"], &client.Query{
				Filter: "logType eq 'Command' and command eq 'TriggerLock'", Skip: skip, Top: 1})
			f.must(err)
			if len(page) == 0 {
				break
			}
			got = append(got, page[0].ID)
		}
		if want := []string{"log-1", "log-2", "log-4"}; !slices.Equal(got, want) {
			t.Fatalf("export pages gave %v, want %v", got, want)
		}
	})
}
