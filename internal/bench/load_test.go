package bench

import (
	"testing"
	"time"
)

// TestResultQuantilesAndSpread checks the quantiles of a sorted run of latencies and their
// spread, the p99 over the p50, as the reads' rows report it.
func TestResultQuantilesAndSpread(t *testing.T) {
	var r result
	for i := 1; i <= 1000; i++ {
		r.latencies = append(r.latencies, time.Duration(i)*time.Microsecond)
	}
	if p50, p99 := r.quantile(0.5), r.quantile(0.99); p50 != 501*time.Microsecond || p99 != 991*time.Microsecond {
		t.Errorf("p50 %v, p99 %v; want 501µs, 991µs", p50, p99)
	}
	if got, want := r.spread(), 991.0/501; got != want {
		t.Errorf("spread %v, want %v", got, want)
	}
	if got := (result{}).spread(); got != 0 {
		t.Errorf("spread of no latencies = %v, want 0", got)
	}
}
