package app_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/client"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
	"github.com/keyward/keyward/internal/sqlstore"
)

// growth is how many of each kind TestPortal_StatementsDoNotGrowWithTheAccount adds: more than a
// page of the portal's lists (50) holds.
const growth = 60

// TestPortal_StatementsDoNotGrowWithTheAccount renders every page of the portal's route table
// on account o1 with more locks (members of its group too), contacts, cards, grants,
// administrators and log entries than a page shows, then again with twice as many, and counts
// the statements each page runs: a page reads a page of each list, so the counts must not
// change. (Work per row of a page of 50 is bounded by the page; what this guards against is work
// per entity of the account.)
func TestPortal_StatementsDoNotGrowWithTheAccount(t *testing.T) {
	forEachPortalEnv(t, func(t *testing.T, e *portalEnv) {
		b := e.signedIn(t)
		store := e.m.Store
		var n atomic.Int64
		store.Observe(func(sqlstore.Statement) { n.Add(1) })
		t.Cleanup(func() { store.Observe(nil) })
		count := func() map[string]int64 {
			counts := map[string]int64{}
			for pattern, path := range e.portalPaths(t) {
				if !strings.HasPrefix(pattern, http.MethodGet+" ") {
					continue
				}
				n.Store(0)
				p := b.do(http.MethodGet, path, nil)
				wantPage(t, p, http.StatusOK, nil)
				counts[pattern] = n.Load()
			}
			return counts
		}
		e.grow(t, 0)
		before := count()
		e.grow(t, growth)
		after := count()
		for pattern, was := range before {
			if after[pattern] != was {
				t.Errorf("%s: %d statements with %d of each kind, %d with %d", pattern, after[pattern], 2*growth, was, growth)
			}
		}
	})
}

// grow adds growth locks (each a member of the group), contacts (each granted lock1 and made an
// administrator) and cards to account o1, numbered from first, and the first time log entries of
// lock1.
func (e *portalEnv) grow(t *testing.T, first int) {
	t.Helper()
	ctx := context.Background()
	asOlivia, s, o := asUser(ctx, e.olivia), e.m.Service, e.ids["o1"]
	for i := first; i < first+growth; i++ {
		l := e.bind(asOlivia, o, fmt.Sprintf("Door %02d", i))
		_, err := s.AddLockGroupMember(asOlivia, o, e.ids["group"], keyward.LockGroupMemberRequest{BoundLockID: l.ID})
		e.must(err)
		email := fmt.Sprintf("guest%02d@example.com", i)
		c, err := s.CreateContact(asOlivia, o, keyward.ContactCreate{Identifier: &email})
		e.must(err)
		_, err = s.CreateGrant(asOlivia, o, keyward.GrantCreate{BoundLockID: e.ids["lock1"], ContactID: &c.ID})
		e.must(err)
		_, err = s.CreatePermission(asOlivia, o, keyward.PermissionCreate{ContactID: c.ID, Role: keyward.RoleAdmin})
		e.must(err)
		pc, err := s.RegisterCard(asOperator(ctx), 4)
		e.must(err)
		_, err = s.BindCard(asOlivia, o, keyward.BindCardRequest{PhysicalCardID: &pc.ID, Title: apitest.Ptr(fmt.Sprintf("Card %02d", i))})
		e.must(err)
	}
	if first == 0 { // FillLog writes a lock's log from its first entry on: more than a page, once
		e.must(sqlstore.FillLog(e.m.Store, o, e.ids["lock1"], 2*growth))
	}
}

// TestPortalLogs_NamesReadTogether: the log's page and its CSV export read the names of the
// contacts and cards their entries name some 40 at a time, not one by one: a page whose 50
// entries name 50 people (10 of them deleted since) and 50 cards costs at most two reads of
// each kind (two statements each, with the caller's role) more than a page whose entries name
// nobody, and shows every name that still exists.
func TestPortalLogs_NamesReadTogether(t *testing.T) {
	forEachPortalEnv(t, func(t *testing.T, e *portalEnv) {
		ctx := context.Background()
		asOlivia, s, o := asUser(ctx, e.olivia), e.m.Service, e.ids["o1"]
		b := e.signedIn(t)
		var n atomic.Int64
		e.m.Store.Observe(func(sqlstore.Statement) { n.Add(1) })
		t.Cleanup(func() { e.m.Store.Observe(nil) })
		pages := []string{"/portal/owners/" + o + "/logs", "/portal/owners/" + o + "/logs.csv"}
		count := func() []int64 {
			var counts []int64
			for _, path := range pages {
				n.Store(0)
				wantPage(t, b.do(http.MethodGet, path, nil), http.StatusOK, nil)
				counts = append(counts, n.Load())
			}
			return counts
		}
		e.must(sqlstore.FillLog(e.m.Store, o, e.ids["lock1"], 60)) // entries naming nobody
		nobody := count()

		const named, deleted = 50, 10
		var entries []lockproto.LogEntry
		var gone []string
		for i := range named {
			email := fmt.Sprintf("visitor%02d@example.com", i)
			c, err := s.CreateContact(asOlivia, o, keyward.ContactCreate{Identifier: &email})
			e.must(err)
			pc, err := s.RegisterCard(asOperator(ctx), 4)
			e.must(err)
			card, err := s.BindCard(asOlivia, o, keyward.BindCardRequest{PhysicalCardID: &pc.ID, Title: apitest.Ptr(fmt.Sprintf("Visitor card %02d", i))})
			e.must(err)
			if i < deleted {
				gone = append(gone, c.ID)
			}
			entries = append(entries, lockproto.LogEntry{EntryNo: uint64(1000 + i), LockTimestamp: keyward.NewTime(time.Now()),
				LogType: lockproto.LogTypeCommand, Command: lockproto.CommandTriggerLock, Result: lockproto.ResultAllowed,
				Reason: lockproto.ReasonAllowed, ContactID: &c.ID, BoundCardID: &card.ID})
		}
		l1, err := e.admin.BoundLock(ctx, e.ids["lock1"])
		e.must(err)
		if _, err := e.locks[l1.PhysicalLockID].Sync(ctx, client.New(e.base, nil), entries, nil); err != nil {
			t.Fatal(err)
		}
		for _, id := range gone { // the log outlives them: named by nobody, and read with the others
			e.must(s.DeleteContact(asOlivia, o, id))
		}
		withNames := count()
		for i, path := range pages {
			if withNames[i] > nobody[i]+8 {
				t.Errorf("%s: %d statements with %d people and cards named, %d with none named", path, withNames[i], named, nobody[i])
			}
		}
		page := b.do(http.MethodGet, pages[0], nil)
		for _, want := range []string{"visitor10@example.com", "visitor49@example.com", "Visitor card 00", "Visitor card 49"} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("the log's page does not name %s", want)
			}
		}
		if strings.Contains(page.Body, "visitor00@example.com") {
			t.Error("the log's page names a deleted contact")
		}
	})
}
