package locksim_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/client"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/locksim"
)

// TestEndToEnd is issue 9's end-to-end run on both engines (testdata/e2e.sim): "Mondays
// 08:00-12:00 Europe/Vienna" for a phone and for a card, decided by the locks offline at 09:00 and
// 13:00 local on a Monday before and one after the change to summer time, the logs synced
// through the phone, then the revocations, RevocationPending until the locks sync and Revoked
// after, and the old key and the old card image refused. At each mark of the scenario the test
// checks the server through the Management API.
func TestEndToEnd(t *testing.T) {
	sc := scenario(t, "testdata/e2e.sim")
	forEachServer(t, func(t *testing.T, s *server) {
		e := &e2e{t: t}
		opts := s.options(t, sc, locksim.Options{Seed: 9, OnMark: e.check})
		e.remote = opts.Backend
		var out strings.Builder
		opts.Out = &out
		res, err := locksim.Run(context.Background(), sc, opts)
		t.Log("\n" + out.String())
		if err != nil || res.Failed != 0 || res.Expectations != 17 || e.marks != 5 {
			t.Fatalf("Run = %+v, %v; %d marks checked", res, err, e.marks)
		}
	})
}

// e2e is the test's view of the run: the fleet's remote, and the marks it checked.
type e2e struct {
	t      *testing.T
	remote *locksim.Remote
	w      *locksim.World
	marks  int
}

// check runs the checks of a mark.
func (e *e2e) check(ctx context.Context, w *locksim.World, label string) error {
	e.w = w
	e.marks++
	switch label {
	case "renewed":
		return e.renewed()
	case "logs":
		return e.logs(ctx, 4)
	case "pending":
		return e.propagation(ctx, false)
	case "confirmed":
		return e.propagation(ctx, true)
	case "refused":
		return e.logs(ctx, 5)
	}
	return fmt.Errorf("no checks for mark %s", label)
}

// renewed: the key the phone holds outlasts the next Monday morning, a week after the first.
func (e *e2e) renewed() error {
	keys := e.w.Phone("alice-phone").Keys()
	monday := time.Date(2027, 3, 29, 12, 0, 0, 0, time.UTC)
	if len(keys) != 1 || keys[0].GrantID != e.w.Grant("mondays").ID || !keys[0].NotAfter.After(monday) ||
		keys[0].NotAfter.Sub(e.w.Now()) > 7*24*time.Hour {
		return fmt.Errorf("the phone's keys after the renewal: %+v", keys)
	}
	return nil
}

// logs: the first n entries of each lock are in both LogEntries lists with exactly the
// results and reasons the locks recorded.
func (e *e2e) logs(ctx context.Context, n int) error {
	want := e.wantEntries(n)
	q := &client.Query{Select: []string{"boundLockId", "entryNo", "lockTimestamp", "result", "reason", "grantId", "contactId", "boundCardId"},
		OrderBy: "lockTimestamp"}
	all, err := e.remote.Account().LogEntries(ctx, q)
	if err != nil {
		return err
	}
	byTime := append(slices.Clone(want["front-door"]), want["garage"]...)
	slices.SortFunc(byTime, func(a, b string) int { return strings.Compare(strings.Fields(a)[2], strings.Fields(b)[2]) })
	if diff := cmp.Diff(byTime, entryLines(all)); diff != "" {
		return fmt.Errorf("GET LogEntries (-want +got):\n%s", diff)
	}
	for _, lock := range []string{"front-door", "garage"} {
		got, err := e.remote.Account().BoundLockLogEntries(ctx, e.boundLock(lock), q)
		if err != nil {
			return err
		}
		if diff := cmp.Diff(want[lock], entryLines(got)); diff != "" {
			return fmt.Errorf("GET BoundLocks/%s/LogEntries (-want +got):\n%s", lock, diff)
		}
	}
	return nil
}

// wantEntries are the first n entries each lock recorded, as entryLines writes them: the phone's
// at 09:00 and 13:00 Vienna time on 22 March (UTC+1) and 29 March (UTC+2), the card's a minute
// later, then the refusals of the old key and the old image.
func (e *e2e) wantEntries(n int) map[string][]string {
	phone := fmt.Sprintf("grant=%s contact=%s card=-", e.w.Grant("mondays").ID, e.remote.ContactID("alice"))
	card := fmt.Sprintf("grant=%s contact=- card=%s", e.w.Grant("badge-mondays").ID, e.w.Card("badge").BoundCardID)
	decisions := []struct{ at, result string }{{"2027-03-22T08:00:00Z", "Allowed Allowed"},
		{"2027-03-22T12:00:00Z", "Denied OutsideTimeRestriction"}, {"2027-03-29T07:00:00Z", "Allowed Allowed"},
		{"2027-03-29T11:00:00Z", "Denied OutsideTimeRestriction"}, {"2027-03-29T13:21:00Z", "Denied Revoked"}}
	want := map[string][]string{}
	for i, d := range decisions[:n] {
		at, _ := time.Parse(time.RFC3339, d.at)
		line := func(lock string, at time.Time, who string) string {
			return fmt.Sprintf("%s %d %s %s %s", e.boundLock(lock), i+1, keyward.NewTime(at), d.result, who)
		}
		want["front-door"] = append(want["front-door"], line("front-door", at, phone))
		want["garage"] = append(want["garage"], line("garage", at.Add(time.Minute), card))
	}
	return want
}

// entryLines writes each entry on a line: bound lock, entry number, lock time, result, reason,
// then grant, contact and card ("-" for none).
func entryLines(entries []*keyward.LogEntry) []string {
	lines := make([]string, len(entries))
	for i, le := range entries {
		lines[i] = fmt.Sprintf("%s %d %s %s %s grant=%s contact=%s card=%s", le.BoundLockID, le.EntryNo, le.LockTimestamp,
			orDash(le.Result), orDash(le.Reason), orDash(le.GrantID), orDash(le.ContactID), orDash(le.BoundCardID))
	}
	return lines
}

func orDash(s *string) string {
	if s == nil {
		return "-"
	}
	return *s
}

// boundLock is the bound lock id of a lock of the scenario.
func (e *e2e) boundLock(name string) string { return e.remote.BoundLockID(e.w.Lock(name)) }

// propagation: before the locks sync, each lock's view shows its pending revocation (the garage
// also the card's rewrite); after, the front door is up to date and the garage waits only for
// the card's rewrite, which the copy of the card refuses.
func (e *e2e) propagation(ctx context.Context, synced bool) error {
	front, err := e.remote.Account().LockPropagation(ctx, e.boundLock("front-door"))
	if err != nil {
		return err
	}
	garage, err := e.remote.Account().LockPropagation(ctx, e.boundLock("garage"))
	if err != nil {
		return err
	}
	got := []string{propagationLine(front), propagationLine(garage)}
	want := []string{
		fmt.Sprintf("upToDate=false revocations=[%s/%s/-] cardWrites=[]", e.w.Grant("mondays").ID, e.remote.ContactID("alice")),
		fmt.Sprintf("upToDate=false revocations=[%s/-/%s] cardWrites=[%[2]s]", e.w.Grant("badge-mondays").ID, e.w.Card("badge").BoundCardID),
	}
	if synced {
		want = []string{"upToDate=true revocations=[] cardWrites=[]", fmt.Sprintf("upToDate=false revocations=[] cardWrites=[%s]", e.w.Card("badge").BoundCardID)}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		return fmt.Errorf("propagation (-want +got):\n%s", diff)
	}
	return nil
}

// propagationLine is what a propagation view says is pending.
func propagationLine(p *keyward.LockPropagation) string {
	var revs, writes []string
	for _, r := range p.PendingRevocations {
		revs = append(revs, r.GrantID+"/"+orDash(r.ContactID)+"/"+orDash(r.BoundCardID))
	}
	for _, w := range p.PendingCardWrites {
		writes = append(writes, w.BoundCardID)
	}
	return fmt.Sprintf("upToDate=%v revocations=[%s] cardWrites=[%s]", p.UpToDate, strings.Join(revs, " "), strings.Join(writes, " "))
}
