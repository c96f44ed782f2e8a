package app_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

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
// on account o1 with more locks (members of its group too), groups, contacts, cards, grants,
// administrators and log entries than a page shows, then again with twice as many, and counts
// the statements each page runs: a page reads a page of each list, so the counts must not
// change. (Work per row of a page of 50 is bounded by the page; what this guards against is work
// per entity of the account.)
func TestPortal_StatementsDoNotGrowWithTheAccount(t *testing.T) {
	forEachPortalEnv(t, func(t *testing.T, e *portalEnv) {
		statements := e.statementsOf(t, e.signedIn(t))
		count := func() map[string]int64 {
			counts := map[string]int64{}
			for pattern, path := range e.portalPaths(t) {
				if strings.HasPrefix(pattern, http.MethodGet+" ") {
					counts[pattern] = statements(path)
				}
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

// statementsOf returns a function that GETs a page of the portal in b (it must answer 200) and
// counts the statements the store ran meanwhile, until the test ends.
func (e *portalEnv) statementsOf(t *testing.T, b *signInBrowser) func(path string) int64 {
	var n atomic.Int64
	e.m.Store.Observe(func(sqlstore.Statement) { n.Add(1) })
	t.Cleanup(func() { e.m.Store.Observe(nil) })
	return func(path string) int64 {
		t.Helper()
		n.Store(0)
		wantPage(t, b.do(http.MethodGet, path, nil), http.StatusOK, nil)
		return n.Load()
	}
}

// grow adds growth locks (each a member of the group), groups (each holding lock1, whose access
// page reads its groups, and the new lock), contacts (each granted lock1 and made an
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
		g, err := s.CreateLockGroup(asOlivia, o, keyward.LockGroupCreate{Title: fmt.Sprintf("Wing %02d", i)})
		e.must(err)
		for _, member := range []string{e.ids["lock1"], l.ID} {
			_, err = s.AddLockGroupMember(asOlivia, o, g.ID, keyward.LockGroupMemberRequest{BoundLockID: member})
			e.must(err)
		}
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
		statements := e.statementsOf(t, b)
		pages := []string{"/portal/owners/" + o + "/logs", "/portal/owners/" + o + "/logs.csv"}
		count := func() []int64 {
			var counts []int64
			for _, path := range pages {
				counts = append(counts, statements(path))
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

// TestPortalGrants_AccessDecidedTogether: a lock's access page decides its grantees with one
// AccessChecks, so a page of 50 grantees runs as many statements as a page of one; and
// AccessChecks decides each grantee as AccessCheck does on its own (contacts and a card, on the
// lock and through its group, allowed and not).
func TestPortalGrants_AccessDecidedTogether(t *testing.T) {
	forEachPortalEnv(t, func(t *testing.T, e *portalEnv) {
		ctx := context.Background()
		asOlivia, s, o := asUser(ctx, e.olivia), e.m.Service, e.ids["o1"]
		statements := e.statementsOf(t, e.signedIn(t))
		access := "/portal/owners/" + o + "/locks/" + e.ids["lock1"] + "/access"
		few := statements(access)
		later := keyward.NewTime(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
		for i := range 50 {
			g := e.inlineGrant("lock1", fmt.Sprintf("visitor%02d@example.com", i))
			if i%2 == 1 {
				g.BoundLockID, g.ValidFrom = e.ids["group"], &later // through the group, not yet valid
			}
			_, err := s.CreateGrant(asOlivia, o, g)
			e.must(err)
		}
		_, err := s.CreateGrant(asOlivia, o, e.cardGrant("group", "card"))
		e.must(err)
		if many := statements(access); many != few {
			t.Errorf("the access page runs %d statements with 50 grantees more, %d before", many, few)
		}

		grants, err := s.FindGrants(asOlivia, o, nil)
		e.must(err)
		var grantees []keyward.Grantee
		for _, g := range grants {
			if g.Active {
				grantees = append(grantees, keyward.Grantee{ContactID: g.ContactID, BoundCardID: g.BoundCardID})
			}
		}
		if len(grantees) < 50 {
			t.Fatalf("%d active grants, want the 50 made and the fixture's", len(grantees))
		}
		now := keyward.NewTime(time.Now())
		together, err := s.AccessChecks(asOlivia, o, e.ids["lock1"], grantees, &now)
		e.must(err)
		for i, ge := range grantees {
			alone, err := s.AccessCheck(asOlivia, o, e.ids["lock1"], ge.ContactID, ge.BoundCardID, &now)
			e.must(err)
			if diff := gocmp.Diff(alone, together[i]); diff != "" {
				t.Errorf("grantee %d: AccessChecks differs from AccessCheck (-alone +together):\n%s", i, diff)
			}
		}
	})
}
