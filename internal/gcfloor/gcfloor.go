// Package gcfloor gives the garbage collector a floor: the heap may grow to a given size before
// the collector runs, however small the live heap is. A Keyward server keeps 4–6 MB live at rest
// and under load, and with Go's default (GOGC=100: collect when the heap is twice what was live)
// a server answering lists ran a collection every 5 ms and answered less than half the lists
// it answers with a floor of 32 MB, with a longer tail. Above the floor the rule is the
// default's again, so a server whose live heap is large (a full read cache) does not hold many
// times that.
//
// After each collection the package sets GOGC so that the next one comes when the heap reaches
// the larger of the floor and twice the live heap. The operator's GOGC, when set, wins: the
// caller does not start the floor then (see Wanted), and GOMEMLIMIT still bounds the heap.
package gcfloor

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// basePercent is GOGC above the floor: Go's default.
const basePercent = 100

// heapMinimum is the runtime's least heap goal at GOGC=100, which it scales with GOGC: at GOGC=p
// no collection comes before the heap reaches heapMinimum*p/100. So GOGC never goes above
// floor*100/heapMinimum, or a tiny live heap (a process just started) would put the first
// collection far beyond the floor.
const heapMinimum = 4 << 20

// Wanted reports whether the process should keep a floor: not when the operator set GOGC.
func Wanted() bool { return os.Getenv("GOGC") == "" }

// Floor keeps a heap floor until Stop, which restores GOGC to basePercent.
type Floor struct {
	floor  uint64
	sample []metrics.Sample // read by adjust only, on the finalizer goroutine
	// mu orders adjust's setting of GOGC with Stop's, so that none comes after Stop.
	mu      sync.Mutex
	stopped bool
}

// Keep starts keeping a heap floor of floor bytes, adjusted after each collection from the next
// one on; the collection it waits for is the runtime's own, none is forced.
func Keep(floor uint64) *Floor {
	f := &Floor{floor: floor, sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	f.arm()
	return f
}

// Stop ends the floor and restores GOGC to basePercent.
func (f *Floor) Stop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stopped = true
	debug.SetGCPercent(basePercent)
}

// cycle is the object whose finalizer runs after the collection that found it unreachable: one
// per collection. It holds a pointer so that it is not a tiny allocation, whose finalizer may
// never run.
type cycle struct{ _ *byte }

// arm makes a cycle object that is unreachable at once; its finalizer adjusts GOGC and arms the
// next one. Finalizers run one at a time, so adjust never runs concurrently with itself.
func (f *Floor) arm() {
	runtime.SetFinalizer(&cycle{}, func(*cycle) {
		if f.adjust() {
			f.arm()
		}
	})
}

// adjust sets GOGC for the live heap of the collection that just ended, and reports whether
// the floor is still kept.
func (f *Floor) adjust() bool {
	metrics.Read(f.sample)
	if f.sample[0].Value.Kind() != metrics.KindUint64 {
		return false // a runtime without the metric: GOGC stays as it is
	}
	percent := Percent(f.sample[0].Value.Uint64(), f.floor)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stopped {
		return false
	}
	debug.SetGCPercent(percent)
	return true
}

// Percent is the GOGC that puts the next collection at the larger of floor and the default's
// goal for a live heap of live bytes.
func Percent(live, floor uint64) int {
	most := max(floor*100/heapMinimum, basePercent)
	if live == 0 {
		return int(most)
	}
	if live*(100+basePercent)/100 >= floor {
		return basePercent
	}
	return int(min(floor*100/live-100, most))
}
