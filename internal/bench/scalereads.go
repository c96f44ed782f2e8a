package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// checkReads asks every node, once the load is over, for the reads of the load and for some of
// the grants it revoked, and requires each answer to be the one a node without a read cache
// computes then: no node may keep an answer that a write on another node made stale. The nodes'
// read caches must have answered some of the load's reads, or the check would prove nothing.
func (s *scaleRun) checkReads(ctx context.Context) {
	for _, m := range s.metrics {
		hits, misses, err := s.readCacheCounts(ctx, m)
		if err != nil {
			s.rep.Failures = append(s.rep.Failures, "check reads: "+err.Error())
			return
		}
		s.rep.CacheHits, s.rep.CacheMisses = s.rep.CacheHits+hits, s.rep.CacheMisses+misses
	}
	uncached, err := s.startNode("--read-cache-mb", "-1")
	if err != nil {
		s.rep.Failures = append(s.rep.Failures, "check reads: "+err.Error())
		return
	}
	defer uncached.stop()
	if err := s.r.healthy(ctx, uncached.base, time.Minute); err != nil {
		s.rep.Failures = append(s.rep.Failures, "check reads: "+err.Error())
		return
	}
	paths := []string{"/BoundLocks?$top=100", "/Grants?$top=100"}
	for _, l := range s.bigLocks[:min(20, len(s.bigLocks))] {
		paths = append(paths, "/BoundLocks/"+l)
	}
	n := 0
	s.revoked.Range(func(id, _ any) bool {
		paths, n = append(paths, "/Grants/"+id.(string)), n+1
		return n < 20
	})
	stale := 0
	for _, p := range paths {
		want, err := s.read(ctx, uncached.base, p)
		if err != nil {
			s.rep.Failures = append(s.rep.Failures, "check reads: "+err.Error())
			return
		}
		for _, node := range s.nodes {
			got, err := s.read(ctx, node, p)
			if err != nil || !bytes.Equal(got, want) {
				stale++
				at := firstDifference(got, want)
				s.rep.Failures = append(s.rep.Failures, fmt.Sprintf("check reads: %s on %s answered, from byte %d, %.120s (%v); a node without a read cache %.120s",
					p, node, at, got[min(at, len(got)):], err, want[min(at, len(want)):]))
			}
		}
	}
	what := fmt.Sprintf("every node answers %d reads of the load's account (its lists, 20 locks, %d grants revoked under load) as a node without a read cache does, after %.0f reads answered from the nodes' caches",
		len(paths), n, s.rep.CacheHits)
	if stale == 0 && s.rep.CacheHits > 0 {
		s.rep.Invariants = append(s.rep.Invariants, what)
	} else {
		s.rep.Failures = append(s.rep.Failures, "invariant: "+what)
	}
}

// firstDifference is the offset of the first byte at which a and b differ.
func firstDifference(a, b []byte) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}

// read is the answer of a GET of the big account's path on node, which must be 200.
func (s *scaleRun) read(ctx context.Context, node, path string) ([]byte, error) {
	return s.r.get(ctx, node+"/api/v1/Owners/"+s.big+path, s.bigTok)
}

// readCacheCounts scrapes a node's read cache counters.
func (s *scaleRun) readCacheCounts(ctx context.Context, metrics string) (hits, misses float64, err error) {
	status, body, err := s.r.do(ctx, http.MethodGet, metrics, "", nil)
	if err == nil {
		err = expectOK(status, body)
	}
	if err != nil {
		return 0, 0, err
	}
	found := 0
	for sc := bufio.NewScanner(bytes.NewReader(body)); sc.Scan(); {
		name, value, _ := strings.Cut(sc.Text(), " ")
		v, perr := strconv.ParseFloat(value, 64)
		switch {
		case perr != nil:
		case name == `keyward_read_cache_requests_total{outcome="hit"}`:
			hits, found = v, found+1
		case name == `keyward_read_cache_requests_total{outcome="miss"}`:
			misses, found = v, found+1
		}
	}
	if found != 2 {
		return 0, 0, fmt.Errorf("%s has no read cache counters", metrics)
	}
	return hits, misses, nil
}
