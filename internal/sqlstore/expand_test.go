package sqlstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
	"github.com/keyward/keyward/internal/service"
	"github.com/keyward/keyward/internal/sqlstore"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

// TestExpansionStatements lists the lock groups, bound locks and grants of an account with every
// expansion and embedding, once with 1 of each and once with 20: the store must run the same
// statements for 20 as for 1, so that nothing a response expands or embeds is read item by item.
// The lists run through the service, which decides what to expand, over the real store on each
// engine.
func TestExpansionStatements(t *testing.T) {
	for _, engine := range sqltest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			one, twenty := listStatements(t, engine, 1), listStatements(t, engine, 20)
			if diff := cmp.Diff(one, twenty); diff != "" {
				t.Fatalf("the statements for 1 item (-) and for 20 (+) differ:\n%s", diff)
			}
		})
	}
}

// expandAccount is an account of n locks, n groups and n contacts; see seedExpandAccount.
type expandAccount struct {
	as      context.Context // the account's Owner, with every scope the lists need
	ownerID string
	n       int
}

// seedExpandAccount stores n locks (lock i supports time restrictions when i is even and has
// reported a battery voltage and a temperature of i degrees), n groups
// (group i holds lock i and lock 0), n contacts, one card, and grants that name the same
// entities many times: contact 0 on every lock and every group, every other contact on lock 0,
// the card on every lock.
func seedExpandAccount(t *testing.T, db keyward.Store, s *service.Service, n int) expandAccount {
	t.Helper()
	ctx := keyward.NewContextWithPrincipal(context.Background(), keyward.Operator())
	u := mustDo(s.CreateUser(ctx, keyward.UserCreate{Email: "ada@example.com", Verified: true}))(t)
	o := mustDo(s.RegisterOwner(ctx, keyward.OwnerRegistration{Name: "Home", OwnerEmail: u.Email}))(t)
	a := expandAccount{ownerID: o.ID, n: n, as: keyward.NewContextWithPrincipal(ctx, keyward.TokenPrincipal(u, "",
		[]string{keyward.ScopeReadCoreEntities, keyward.ScopeWriteCoreEntities, keyward.ScopeReadGrants, keyward.ScopeWriteGrants}))}
	locks, groups, contacts := make([]string, n), make([]string, n), make([]string, n)
	for i := range n {
		phys, code, err := s.RegisterLock(ctx, keyward.PhysicalLockCreate{DevicePublicKey: apitest.DeviceKey(), LockTypeID: "TK.Td30", ProtocolVersion: lockproto.ProtocolLatest,
			TimeZone: "Europe/Vienna", TimeRestrictionSupport: i%2 == 0})
		mustDo(phys, err)(t)
		locks[i] = mustDo(s.BindLock(a.as, o.ID, keyward.BindLockRequest{PhysicalLockID: phys.ID, BindingCode: code}))(t).ID
		mustDo(0, db.InOwnerTx(ctx, o.ID, func(tx keyward.OwnerTx) error { return tx.ReportHealth(ctx, locks[i], healthReadings(i)) }))(t)
		groups[i] = mustDo(s.CreateLockGroup(a.as, o.ID, keyward.LockGroupCreate{Title: fmt.Sprintf("Group %d", i)}))(t).ID
		for _, l := range []string{locks[i], locks[0]} { // lock 0 joins group 0 once: adding twice keeps one membership
			mustDo(s.AddLockGroupMember(a.as, o.ID, groups[i], keyward.LockGroupMemberRequest{BoundLockID: l}))(t)
		}
		email := fmt.Sprintf("guest%d@example.com", i)
		contacts[i] = mustDo(s.CreateContact(a.as, o.ID, keyward.ContactCreate{Identifier: &email}))(t).ID
	}
	pc := mustDo(s.RegisterCard(ctx, 4*n))(t)
	card := mustDo(s.BindCard(a.as, o.ID, keyward.BindCardRequest{PhysicalCardID: &pc.ID}))(t).ID
	for i := range n {
		grants := []keyward.GrantCreate{{BoundLockID: locks[i], ContactID: &contacts[0]}, {BoundLockID: groups[i], ContactID: &contacts[0]},
			{BoundLockID: locks[i], BoundCardID: &card}}
		if i > 0 {
			grants = append(grants, keyward.GrantCreate{BoundLockID: locks[0], ContactID: &contacts[i]})
		}
		for _, g := range grants {
			mustDo(s.CreateGrant(a.as, o.ID, g))(t)
		}
	}
	return a
}

// listStatements seeds an account of n items on a fresh database and returns the statements
// that each list with every expansion ran, after checking what the lists answered.
func listStatements(t *testing.T, engine sqlstore.Engine, n int) map[string][]string {
	db := sqltest.Open(t, engine)
	s := service.New(db, service.Config{})
	a := seedExpandAccount(t, db, s, n)
	statements := sqlstore.ObserveStatements(t, db)
	ran := map[string][]string{}
	run := func(name string, list func() error) []sqlstore.Statement {
		before := len(statements())
		if err := list(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		stmts := statements()[before:]
		for _, st := range stmts {
			ran[name] = append(ran[name], st.Query)
		}
		return stmts
	}
	run("LockGroups", func() error {
		groups, err := s.FindLockGroups(a.as, a.ownerID, &keyward.Query{Expand: []string{keyward.ExpandSupportedFeatures, keyward.ExpandStatistics}})
		if err == nil {
			checkGroupExpansions(t, a, groups)
		}
		return err
	})
	run("BoundLocks", func() error {
		locks, err := s.FindBoundLocks(a.as, a.ownerID, &keyward.Query{Expand: []string{keyward.ExpandSupportedFeatures,
			keyward.ExpandMembershipStatistics, keyward.ExpandHealthStatuses}})
		if err == nil {
			checkLockExpansions(t, a, locks)
		}
		return err
	})
	embedded := run("Grants", func() error {
		grants, err := s.FindGrants(a.as, a.ownerID, nil)
		if err == nil {
			checkGrantEmbeddings(t, a, grants)
		}
		return err
	})
	checkDistinctIDs(t, a, embedded)
	return ran
}

// checkGroupExpansions checks what the groups expand to: group i holds lock i and lock 0 (for
// group 0 one and the same).
func checkGroupExpansions(t *testing.T, a expandAccount, groups []*keyward.LockGroup) {
	t.Helper()
	got := make([]expansions, len(groups))
	for i, g := range groups {
		got[i] = expansions{g.SupportedFeatures, byState(g.Statistics)}
	}
	checkExpansions(t, "groups", got, a.n, func(i int) int { return min(i, 1) + 1 })
}

// checkLockExpansions checks what the locks expand to: lock 0 is in every group, lock i in group i.
func checkLockExpansions(t *testing.T, a expandAccount, locks []*keyward.BoundLock) {
	t.Helper()
	got := make([]expansions, len(locks))
	for i, l := range locks {
		got[i] = expansions{l.SupportedFeatures, byState(l.MembershipStatistics)}
		var want []keyward.HealthStatus
		for _, r := range healthReadings(i) {
			want = append(want, keyward.HealthStatus{ID: l.ID + "-" + r.Type, PhysicalLockID: l.PhysicalLockID, Timestamp: r.MeasuredAt,
				Type: r.Type, Value: r.Value, ValueStatus: keyward.HealthValueOk})
		}
		if diff := cmp.Diff(want, l.HealthStatuses); diff != "" {
			t.Errorf("lock %d: healthStatuses (-want +got):\n%s", i, diff)
		}
	}
	checkExpansions(t, "locks", got, a.n, func(i int) int {
		if i == 0 {
			return a.n
		}
		return 1
	})
}

// healthReadings are what lock i reported, by type: measured when the test started, so that
// they are current by the service's clock.
func healthReadings(i int) []keyward.HealthReading {
	return []keyward.HealthReading{{Type: keyward.HealthBatteryVoltage, Value: 3.1, MeasuredAt: healthMeasuredAt},
		{Type: keyward.HealthTemperature, Value: float64(i), MeasuredAt: healthMeasuredAt}}
}

var healthMeasuredAt = keyward.NewTime(time.Now())

// expansions is what a lock or group expands to, for comparison.
type expansions struct {
	Features *keyward.SupportedFeatures
	ByState  []keyward.StateCount
}

// checkExpansions compares what a list of n items expands to with what item i should: time
// restrictions supported when i is even (lock i, and group i, whose other member lock 0
// supports them), and members(i) pending memberships.
func checkExpansions(t *testing.T, kind string, got []expansions, n int, members func(i int) int) {
	t.Helper()
	want := make([]expansions, n)
	for i := range want {
		want[i] = expansions{features(i%2 == 0), []keyward.StateCount{{State: keyward.MembershipJoinPending, Count: members(i)}}}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the %s expand to (-want +got):\n%s", kind, diff)
	}
}

// byState returns the counts of an expanded statistic, nil when it was not expanded.
func byState(s *keyward.Statistics) []keyward.StateCount {
	if s == nil {
		return nil
	}
	return s.ByState
}

func features(timeRestrictions bool) *keyward.SupportedFeatures {
	if timeRestrictions {
		return &keyward.SupportedFeatures{TimeRestrictionIcalSupport: keyward.FeatureSupported}
	}
	return &keyward.SupportedFeatures{TimeRestrictionIcalSupport: keyward.FeatureNotSupported}
}

// checkGrantEmbeddings checks that every grant embeds the entities it names.
func checkGrantEmbeddings(t *testing.T, a expandAccount, grants []*keyward.Grant) {
	t.Helper()
	if want := 4*a.n - 1; len(grants) != want {
		t.Fatalf("%d grants, want %d", len(grants), want)
	}
	for _, g := range grants {
		target := g.BoundLock.Lock != nil && g.BoundLock.Lock.ID == g.BoundLockID && g.BoundLock.Group == nil ||
			g.BoundLock.Group != nil && g.BoundLock.Group.ID == g.BoundLockID && g.BoundLock.Lock == nil
		grantee := g.ContactID != nil && g.Contact != nil && g.Contact.ID == *g.ContactID && g.BoundCard == nil ||
			g.BoundCardID != nil && g.BoundCard != nil && g.BoundCard.ID == *g.BoundCardID && g.Contact == nil
		if !target || !grantee || g.Owner == nil || g.Owner.ID != a.ownerID {
			t.Errorf("grant %s embeds target %+v, contact %v, card %v, owner %v", g.ID, g.BoundLock, g.Contact, g.BoundCard, g.Owner)
		}
	}
}

// checkDistinctIDs checks that embedding the grants asked for each id once: the grants name
// contact 0 and lock 0 many times and the one card on every lock, yet the id lists hold the n
// contacts, the one card, and the n locks and n groups (for the lock query and the group query).
func checkDistinctIDs(t *testing.T, a expandAccount, stmts []sqlstore.Statement) {
	t.Helper()
	var sizes []int
	for _, st := range stmts {
		for _, ids := range idLists(t, st) {
			if distinct := slices.Compact(slices.Sorted(slices.Values(ids))); len(distinct) != len(ids) {
				t.Errorf("an embedding asks for an id twice: %v in\n%s", ids, st.Query)
			}
			sizes = append(sizes, len(ids))
		}
	}
	slices.Sort(sizes)
	if want := []int{1, a.n, 2 * a.n, 2 * a.n}; !slices.Equal(sizes, want) {
		t.Errorf("the embeddings' id lists hold %v ids, want %v", sizes, want)
	}
}

// idLists returns the id-list arguments of a statement: a []string on PostgreSQL, a JSON array
// on SQLite.
func idLists(t *testing.T, st sqlstore.Statement) [][]string {
	t.Helper()
	var lists [][]string
	for _, arg := range st.Args {
		switch v := arg.(type) {
		case []string:
			lists = append(lists, v)
		case string:
			if !strings.HasPrefix(v, "[") {
				continue
			}
			var ids []string
			if err := json.Unmarshal([]byte(v), &ids); err != nil {
				t.Fatalf("argument %q of\n%s: %v", v, st.Query, err)
			}
			lists = append(lists, ids)
		}
	}
	return lists
}

// mustDo takes a call's results and returns a check that fails t on an error: mustDo(f())(t).
func mustDo[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}
