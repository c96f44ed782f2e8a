package gcfloor_test

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/gcfloor"
)

const mb = 1 << 20

// TestPercent checks the GOGC for live heaps below, at and above the floor's half.
func TestPercent(t *testing.T) {
	for _, c := range []struct {
		live, floor uint64
		want        int
	}{
		{4 * mb, 32 * mb, 700},
		{10 * mb, 32 * mb, 220},
		{16 * mb, 32 * mb, 100},
		{20 * mb, 32 * mb, 100},
		{1000 * mb, 32 * mb, 100},
		{3 * mb, 32 * mb, 800}, // 966 would put the runtime's least goal above the floor
		{1, 32 * mb, 800},
		{0, 32 * mb, 800},
		{1, 2 * mb, 100},
	} {
		if got := gcfloor.Percent(c.live, c.floor); got != c.want {
			t.Errorf("Percent(%d, %d) = %d, want %d", c.live, c.floor, got, c.want)
		}
	}
}

// heap reads the live heap and the heap goal.
func heap() (live, goal uint64) {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/heap/goal:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64(), s[1].Value.Uint64()
}

// goalAfterCollections collects until the floor has adjusted GOGC for the live heap (the
// goal is in [lo, hi]) or two seconds passed, and returns the last goal.
func goalAfterCollections(lo, hi uint64) uint64 {
	var goal uint64
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); {
		runtime.GC()
		time.Sleep(5 * time.Millisecond) // the finalizer goroutine adjusts after the collection
		if _, goal = heap(); goal >= lo && goal <= hi {
			break
		}
	}
	return goal
}

// TestKeep_HeapGoal checks the heap goal while the floor is kept: the floor for a small live
// heap, twice the live heap for a large one, and Go's default again once it is stopped.
func TestKeep_HeapGoal(t *testing.T) {
	const floor = 32 * mb
	f := gcfloor.Keep(floor)
	stopped := false
	defer func() {
		if !stopped {
			f.Stop()
		}
	}()
	if goal := goalAfterCollections(floor*95/100, floor*105/100); goal < floor*95/100 || goal > floor*105/100 {
		live, _ := heap()
		t.Errorf("small live heap (%d bytes): goal %d, want the floor %d", live, goal, floor)
	}

	big := make([]byte, 3*floor) // live well above the floor's half
	for i := range big {
		big[i] = byte(i)
	}
	if goal := goalAfterCollections(2*3*floor*95/100, 2*3*floor*115/100); goal < 2*3*floor*95/100 || goal > 2*3*floor*115/100 {
		live, _ := heap()
		t.Errorf("large live heap (%d bytes): goal %d, want twice the live heap", live, goal)
	}
	runtime.KeepAlive(big)
	big = nil

	f.Stop()
	stopped = true
	runtime.GC()
	runtime.GC()
	time.Sleep(20 * time.Millisecond)
	if p := debug.SetGCPercent(100); p != 100 {
		t.Errorf("GOGC after Stop = %d, want 100", p)
	}
}
