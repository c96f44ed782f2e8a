package bench

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// errExhausted ends a worker's loop early without an error: the measure's prepared inputs (e.g.
// the contacts a grant is made for) are used up.
var errExhausted = errors.New("bench: inputs exhausted")

// op is one request of a closed-loop worker: worker is the worker's number, i the request's
// number across all workers (unique), so that an op can pick an input no other request uses.
type op func(ctx context.Context, worker int, i int64) error

// result is what one load run measured: every latency, sorted, and the wall time it took.
type result struct {
	latencies []time.Duration
	elapsed   time.Duration
	errors    int
	firstErr  error
}

// rate is completed operations per second of wall time.
func (r result) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(len(r.latencies)) / r.elapsed.Seconds()
}

// quantile is the q-quantile (0..1) of the latencies, 0 when none were recorded.
func (r result) quantile(q float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	return r.latencies[min(len(r.latencies)-1, int(q*float64(len(r.latencies))))]
}

// spread is the p99 over the p50: how far the tail is from the typical request.
func (r result) spread() float64 {
	return float64(r.quantile(0.99)) / float64(max(r.quantile(0.5), 1))
}

// drive runs op in a closed loop on c workers for d (each worker sends its next request when the
// previous answered, as wrk does) and records every latency. A failed op is counted and the
// worker goes on; errExhausted stops the worker. At least one op runs on each worker, so that a
// short duration still measures something.
func drive(ctx context.Context, c int, d time.Duration, fn op) result {
	var (
		mu    sync.Mutex
		res   result
		wg    sync.WaitGroup
		next  atomic.Int64
		start = time.Now()
	)
	deadline := start.Add(d)
	for w := range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			var errs int
			var first error
			for n := 0; n == 0 || time.Now().Before(deadline); n++ {
				if ctx.Err() != nil {
					break
				}
				t0 := time.Now()
				err := fn(ctx, w, next.Add(1)-1)
				if errors.Is(err, errExhausted) {
					break
				}
				if err != nil {
					errs++
					first = cmpErr(first, err)
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			res.latencies = append(res.latencies, lat...)
			res.errors += errs
			res.firstErr = cmpErr(res.firstErr, first)
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	slices.Sort(res.latencies)
	return res
}

// cmpErr keeps the first error seen.
func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

// rounds is how many slices a compared run's duration is cut into.
const rounds = 5

// alternate runs the ops in turn, each for d/rounds, rounds times over, and returns each op's
// results merged: Keyward and its references then share whatever else the machine is doing
// during the run, instead of one getting a quiet minute and the other a busy one.
func alternate(ctx context.Context, c int, d time.Duration, ops ...op) []result {
	out := make([]result, len(ops))
	for range rounds {
		for i, fn := range ops {
			res := drive(ctx, c, d/rounds, fn)
			out[i].latencies = append(out[i].latencies, res.latencies...)
			out[i].elapsed += res.elapsed
			out[i].errors += res.errors
			out[i].firstErr = cmpErr(out[i].firstErr, res.firstErr)
		}
	}
	for i := range out {
		slices.Sort(out[i].latencies)
	}
	return out
}
