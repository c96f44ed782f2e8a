package bench

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/teambition/rrule-go"

	"github.com/keyward/keyward/internal/bench/reference"
	"github.com/keyward/keyward/internal/ical"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/sqlstore"
)

// exportPage is the log export's page size.
const exportPage = 500

// export fills an account's log with cfg.LogEntries entries (three of four openings) and measures
// the log export's request, $skip=N&$top=500 with the export's filter and $select, on the first
// and the last page and over the whole log, against a keyset SELECT of the same page on the same
// table and index.
func (r *runner) export(ctx context.Context) error {
	owner, lockID := r.owner, r.locks[len(r.locks)-1] // the account's log is empty until now
	n := r.cfg.LogEntries / 4 * 4
	fmt.Fprintf(r.cfg.Progress, "bench: filling a log of %d entries\n", n)
	if err := sqlstore.FillLog(r.m.Store, owner, lockID, n); err != nil {
		return err
	}
	openings := n / 4 * 3
	last := openings - exportPage
	page := func(skip int) string {
		return r.m.Config.Issuer + "/api/v1/Owners/" + owner + "/LogEntries?" + url.Values{
			"$skip":   {strconv.Itoa(skip)},
			"$top":    {strconv.Itoa(exportPage)},
			"$filter": {"logType eq 'Command' and command eq 'TriggerLock'"},
			"$select": {"id,entryNo,lockTimestamp,receivedAt,boundLockId,boundCardId,contactId"},
		}.Encode()
	}
	get := func(ctx context.Context, skip int) (int, error) {
		body, err := r.get(ctx, page(skip), r.adminToken)
		return bytes.Count(body, []byte(`"entryNo"`)), err
	}
	pageOps := func(skip int) (op, op) {
		return func(ctx context.Context, _ int, _ int64) error {
				got, err := get(ctx, skip)
				if err == nil && got != exportPage {
					err = fmt.Errorf("$skip=%d answered %d entries, want %d", skip, got, exportPage)
				}
				return err
			},
			func(ctx context.Context, _ int, _ int64) error {
				_, err := reference.LogPage(ctx, r.m.Store.SQL(), owner, keyward.LogTypeCommand, keyward.CommandTriggerLock, int64(skip), exportPage)
				return err
			}
	}
	// The first and the last page alternate with each other and with their references, so that
	// their ratio compares pages served under the same load.
	firstOp, firstRefOp := pageOps(0)
	lastOp, lastRefOp := pageOps(last)
	res := r.compare(ctx, 1, []string{"log export, first page", "reference keyset first page", "log export, last page", "reference keyset last page"},
		firstOp, firstRefOp, lastOp, lastRefOp)
	first, firstRef, lastKw, lastRef := res[0], res[1], res[2], res[3]
	ratio := float64(lastKw.quantile(0.5)) / float64(max(first.quantile(0.5), 1))
	r.add(rateRow(fmt.Sprintf("log export, first page of %d (%d entries)", exportPage, n), "req/s", 1, first, "keyset SELECT", &firstRef),
		rateRow(fmt.Sprintf("log export, last page (%d entries)", n), "req/s", 1, lastKw, "keyset SELECT", &lastRef),
		withTarget(Row{Measure: "log export, last page p50 / first page p50", Unit: "x", Keyward: ratio}, "≤ 1.5", atMost(ratio, 1.5)))

	start, got := time.Now(), 0
	for skip := 0; ; skip += exportPage {
		k, err := get(ctx, skip)
		if err != nil {
			return fmt.Errorf("whole export at $skip=%d: %w", skip, err)
		}
		if got += k; k < exportPage {
			break
		}
	}
	whole := time.Since(start)
	if got != openings {
		return fmt.Errorf("the whole export answered %d entries, want %d", got, openings)
	}
	start, refGot := time.Now(), 0
	for after := 0; ; after += exportPage {
		k, err := reference.LogPage(ctx, r.m.Store.SQL(), owner, keyward.LogTypeCommand, keyward.CommandTriggerLock, int64(after), exportPage)
		if err != nil {
			return err
		}
		if refGot += k; k < exportPage {
			break
		}
	}
	refWhole := time.Since(start)
	kwRate, refRate := float64(got)/whole.Seconds(), float64(refGot)/refWhole.Seconds()
	r.add(withTarget(Row{Measure: fmt.Sprintf("log export, whole (%d openings)", openings), Unit: "entries/s", Keyward: kwRate,
		Reference: "keyset SELECT pages", RefValue: refRate, Ratio: kwRate / refRate}, "≥ 100000", atLeast(kwRate, 100000)))
	return nil
}

// icalRule is one schedule as iCalendar text and as rrule-go's options with the event's length.
type icalRule struct {
	text   string
	zone   string
	option rrule.ROption
	length time.Duration
}

// icalRules are the schedules both implementations decide on.
func icalRules() []icalRule {
	cal := func(zone, start, end, rule string) string {
		return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\nUID:1\r\n" +
			"DTSTART;TZID=" + zone + ":" + start + "\r\nDTEND;TZID=" + zone + ":" + end + "\r\nRRULE:" + rule + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	}
	return []icalRule{
		{cal("Europe/Vienna", "20260105T080000", "20260105T120000", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"), "Europe/Vienna",
			rrule.ROption{Freq: rrule.WEEKLY, Byweekday: []rrule.Weekday{rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR}}, 4 * time.Hour},
		{cal("America/New_York", "20260101T180000", "20260101T220000", "FREQ=DAILY;INTERVAL=2"), "America/New_York",
			rrule.ROption{Freq: rrule.DAILY, Interval: 2}, 4 * time.Hour},
		{cal("UTC", "20260101T090000", "20260101T170000", "FREQ=MONTHLY;BYMONTHDAY=1,15"), "UTC",
			rrule.ROption{Freq: rrule.MONTHLY, Bymonthday: []int{1, 15}}, 8 * time.Hour},
	}
}

// icalDecisions is how many decisions one op of the iCal measure makes per rule.
const icalDecisions = 1000

// ical measures access decisions (is this instant in a window of the schedule?) of internal/ical
// against rrule-go on the same rules: the latest occurrence at or before the instant, and
// whether the instant is before its end. Both run on one client: it is CPU work.
func (r *runner) ical(ctx context.Context) error {
	rules := icalRules()
	cals := make([]*ical.Calendar, len(rules))
	sets := make([]*rrule.RRule, len(rules))
	from := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	instants := make([]time.Time, icalDecisions)
	for i := range instants {
		instants[i] = from.Add(time.Duration(i) * (8*time.Hour + 47*time.Minute + 13*time.Second))
	}
	for i, rule := range rules {
		var err error
		if cals[i], err = ical.Parse(rule.text, ical.DefaultLimits()); err != nil {
			return err
		}
		loc, err := time.LoadLocation(rule.zone)
		if err != nil {
			return err
		}
		opt := rule.option
		opt.Dtstart = firstStart(rule.text, loc)
		if sets[i], err = rrule.NewRRule(opt); err != nil {
			return err
		}
	}
	icalAllows := func(i int, t time.Time) bool { return cals[i].Allows(t) }
	rruleAllows := func(i int, t time.Time) bool { // inside an occurrence that began before t
		o := sets[i].Before(t, true)
		return !o.IsZero() && t.Before(o.Add(rules[i].length))
	}
	var agree, total int
	for i := range rules {
		for _, t := range instants {
			total++
			if icalAllows(i, t) == rruleAllows(i, t) {
				agree++
			}
		}
	}
	if agree != total {
		fmt.Fprintf(r.cfg.Progress, "bench: iCal and rrule-go disagree on %d of %d decisions\n", total-agree, total)
	}
	var sink int
	var mu sync.Mutex
	// decide counts the decisions allows makes over every rule and instant, into sink, so that
	// the compiler keeps them.
	decide := func(allows func(rule int, t time.Time) bool) op {
		return func(context.Context, int, int64) error {
			n := 0
			for i := range rules {
				for _, t := range instants {
					if allows(i, t) {
						n++
					}
				}
			}
			mu.Lock()
			sink += n
			mu.Unlock()
			return nil
		}
	}
	res := r.compare(ctx, 1, []string{"iCal Allows", "rrule-go"},
		decide(icalAllows), decide(rruleAllows))
	kw, ref := res[0], res[1]
	per := float64(len(rules) * icalDecisions)
	row := rateRow("iCal Allows decisions, 1 client", "decisions/s", per, kw, "rrule-go", &ref)
	row.P50Ms, row.P99Ms = 0, 0 // a latency here is of a batch, not of one decision
	r.add(withTarget(row, "≥ 10 of ref", atLeast(row.Ratio, 10)))
	return nil
}

// firstStart is the DTSTART of a rule's text in loc.
func firstStart(text string, loc *time.Location) time.Time {
	_, rest, _ := strings.Cut(text, "DTSTART;TZID=")
	_, value, _ := strings.Cut(rest, ":")
	t, _ := time.ParseInLocation("20060102T150405", value[:15], loc)
	return t
}

// memory starts `keyward serve` as a child process on the run's database and reads its resident
// set (VmRSS) idle, a second after it answered /healthz (a fifth in short mode), and at its peak while it answers
// authenticated reads of one bound lock on the run's clients for the run's duration. The
// in-process Keyward shares this process with the references and the load generator, so its
// memory is not measured.
func (r *runner) memory(ctx context.Context) error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := l.Addr().String()
	l.Close()
	cmd := r.cfg.Serve("--addr", addr, "--db", r.dsn)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start keyward serve: %w", err)
	}
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}()
	base := "http://" + addr
	if err := r.healthy(ctx, base, 60*time.Second); err != nil {
		return err
	}
	settle := time.Second
	if r.cfg.Short {
		settle = 200 * time.Millisecond
	}
	time.Sleep(settle)
	idle, err := rss(cmd.Process.Pid)
	if err != nil {
		return err
	}
	r.add(withTarget(Row{Measure: "RSS idle (keyward serve)", Unit: "MB", Keyward: idle}, "< 40 MB", atMost(idle, 40)))
	tok, err := r.clientToken(ctx, base, r.admin)
	if err != nil {
		return err
	}
	peak := idle
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				if v, err := rss(cmd.Process.Pid); err == nil && v > peak {
					peak = v
				}
			}
		}
	}()
	target := base + "/api/v1/Owners/" + r.owner + "/BoundLocks/" + r.locks[0]
	r.load(ctx, "read one BoundLock on keyward serve", r.cfg.Concurrency, func(ctx context.Context, _ int, _ int64) error {
		_, err := r.get(ctx, target, tok)
		return err
	})
	close(stop)
	<-sampled
	r.add(Row{Measure: fmt.Sprintf("RSS peak under load (keyward serve, reads, %s)", clients(r.cfg.Concurrency)), Unit: "MB", Keyward: peak})
	return nil
}

// rss is a process's resident set in MB, from /proc/PID/status.
func rss(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("bench: RSS needs /proc: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024, err
		}
	}
	return 0, fmt.Errorf("bench: no VmRSS in /proc/%d/status", pid)
}
