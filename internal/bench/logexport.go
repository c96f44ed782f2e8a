package bench

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/keyward/keyward/internal/bench/reference"
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
