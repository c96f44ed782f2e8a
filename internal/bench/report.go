package bench

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"
)

// Row is one line of the table: a measure of Keyward, its reference measured in the same run,
// their ratio, Keyward's latency quantiles, and the target with whether it was met.
type Row struct {
	Measure   string  `json:"measure"`
	Unit      string  `json:"unit"` // of Keyward and ReferenceValue: "req/s", "entries/s", "ms", "MB", "x"
	Keyward   float64 `json:"keyward"`
	Reference string  `json:"reference,omitempty"` // what the reference does, "" for none
	RefValue  float64 `json:"referenceValue,omitempty"`
	Ratio     float64 `json:"ratio,omitempty"` // Keyward / reference
	P50Ms     float64 `json:"p50Ms,omitempty"`
	P99Ms     float64 `json:"p99Ms,omitempty"`
	Target    string  `json:"target,omitempty"`
	OK        *bool   `json:"ok,omitempty"` // nil without a target
}

// Report is one run: where it ran, the rows, and what failed (a failure is an error answer or
// a broken step, never a missed target).
type Report struct {
	Machine     string        `json:"machine"`
	Engine      string        `json:"engine"`
	Concurrency int           `json:"concurrency"`
	Duration    time.Duration `json:"durationNs"`
	Short       bool          `json:"short"`
	LogEntries  int           `json:"logEntries"`
	KeyGrants   int           `json:"keyGrants"`
	Rows        []Row         `json:"rows"`
	Failures    []string      `json:"failures"`
}

// Misses are the rows whose target was missed.
func (r *Report) Misses() []Row {
	var out []Row
	for _, row := range r.Rows {
		if row.OK != nil && !*row.OK {
			out = append(out, row)
		}
	}
	return out
}

// WriteTable prints the report as an aligned table, then the misses and the failures.
func (r *Report) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "keyward bench: %s, %d clients, %s per measure%s\nmachine: %s\n\n", r.Engine, r.Concurrency, r.Duration,
		map[bool]string{true: " (short)", false: ""}[r.Short], r.Machine)
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "measure\tKeyward\treference\tratio\tp50\tp99\ttarget\tok?")
	for _, row := range r.Rows {
		ref := "—"
		if row.Reference != "" {
			ref = figure(row.RefValue, row.Unit) + " (" + row.Reference + ")"
		}
		ratio := "—"
		if row.Reference != "" {
			ratio = fmt.Sprintf("%.2f", row.Ratio)
		}
		ok := ""
		if row.OK != nil {
			ok = map[bool]string{true: "ok", false: "MISS"}[*row.OK]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", row.Measure, figure(row.Keyward, row.Unit), ref, ratio,
			ms(row.P50Ms), ms(row.P99Ms), row.Target, ok)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if misses := r.Misses(); len(misses) > 0 {
		names := make([]string, len(misses))
		for i, m := range misses {
			names[i] = m.Measure
		}
		fmt.Fprintf(w, "\n%d targets missed: %s\n", len(misses), strings.Join(names, "; "))
	}
	for _, f := range r.Failures {
		fmt.Fprintf(w, "FAILED: %s\n", f)
	}
	return nil
}

// figure formats a value with its unit at a sensible precision.
func figure(v float64, unit string) string {
	switch {
	case unit == "x":
		return fmt.Sprintf("%.2f", v)
	case v >= 100 || v == math.Trunc(v):
		return fmt.Sprintf("%.0f %s", v, unit)
	case v >= 10:
		return fmt.Sprintf("%.1f %s", v, unit)
	}
	return fmt.Sprintf("%.2f %s", v, unit)
}

func ms(v float64) string {
	if v == 0 {
		return "—"
	}
	if v >= 10 {
		return fmt.Sprintf("%.0fms", v)
	}
	return fmt.Sprintf("%.2fms", v)
}

func toMs(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// at least / at most targets.
func atLeast(v, min float64) *bool { ok := v >= min; return &ok }
func atMost(v, max float64) *bool  { ok := v <= max; return &ok }
