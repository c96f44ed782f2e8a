package readcache

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

func body(n int) []byte { return []byte(strings.Repeat("x", n)) }

func mustGet(t *testing.T, c *Cache, key string, version int64, want string) {
	t.Helper()
	got, ok := c.Get(key, version)
	if !ok || string(got) != want {
		t.Fatalf("Get(%q, %d) = %q, %v; want %q, true", key, version, got, ok, want)
	}
}

func mustMiss(t *testing.T, c *Cache, key string, version int64) {
	t.Helper()
	if got, ok := c.Get(key, version); ok {
		t.Fatalf("Get(%q, %d) = %q, a hit; want a miss", key, version, got)
	}
}

// An answer is served only at the version it was computed at.
func TestGet_OnlyAtItsVersion(t *testing.T) {
	c := New(1 << 20)
	mustMiss(t, c, "a", 1)
	c.Put("a", 1, []byte("one"))
	mustGet(t, c, "a", 1, "one")
	mustMiss(t, c, "a", 2)
	mustMiss(t, c, "a", 0)
	mustMiss(t, c, "b", 1)
	c.Put("a", 2, []byte("two"))
	mustGet(t, c, "a", 2, "two")
	mustMiss(t, c, "a", 1)
	if s := c.Stats(); s.Hits != 2 || s.Misses != 5 || s.Entries != 1 {
		t.Fatalf("stats = %+v, want 2 hits, 5 misses, 1 entry", s)
	}
}

// A request that read an older version and finished last does not replace a newer answer.
func TestPut_OlderVersionKeepsTheNewer(t *testing.T) {
	c := New(1 << 20)
	c.Put("a", 5, []byte("five"))
	c.Put("a", 4, []byte("four"))
	mustGet(t, c, "a", 5, "five")
	mustMiss(t, c, "a", 4)
	c.Put("a", 5, []byte("five again"))
	mustGet(t, c, "a", 5, "five again")
}

// The bound counts keys, bodies and each entry's overhead; the least recently used go first.
func TestPut_EvictsTheLeastRecentlyUsed(t *testing.T) {
	per := int64(len("k00")+100) + entryOverhead
	bound := 16*per + per/2 // room for sixteen entries
	c := New(bound)
	for i := range 16 {
		c.Put(fmt.Sprintf("k%02d", i), 1, body(100))
	}
	mustGet(t, c, "k00", 1, string(body(100))) // k00 is now the most recent; k01 the least
	c.Put("k16", 1, body(100))
	mustMiss(t, c, "k01", 1)
	for _, k := range []string{"k00", "k02", "k15", "k16"} {
		mustGet(t, c, k, 1, string(body(100)))
	}
	s := c.Stats()
	if s.Entries != 16 || s.Bytes != 16*per || s.Evictions != 1 {
		t.Fatalf("stats = %+v, want 16 entries of %d bytes in all and 1 eviction", s, 16*per)
	}
	// a newer answer for a key replaces the old one in place: nothing else is evicted
	c.Put("k00", 2, body(100))
	mustGet(t, c, "k00", 2, string(body(100)))
	mustMiss(t, c, "k00", 1)
	if s := c.Stats(); s.Bytes != 16*per || s.Entries != 16 || s.Evictions != 1 {
		t.Fatalf("stats = %+v after the replacement, want 16 entries of %d bytes and still 1 eviction", s, 16*per)
	}
}

// An answer above a sixteenth of the bound is not kept, and a cache of no bytes keeps nothing.
func TestPut_LargeAnswersAreNotKept(t *testing.T) {
	c := New(16 * 1000)
	c.Put("big", 1, body(1000))
	mustMiss(t, c, "big", 1)
	c.Put("small", 1, body(1000-entryOverhead-len("small")))
	mustGet(t, c, "small", 1, string(body(1000-entryOverhead-len("small"))))
	off := New(0)
	off.Put("a", 1, []byte("x"))
	mustMiss(t, off, "a", 1)
}

// Concurrent readers and writers of the same keys keep the bound and never see an answer under
// a version it was not put with (run with -race).
func TestConcurrentUse(t *testing.T) {
	c := New(64 * 1024)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				key, v := fmt.Sprintf("k%d", i%50), int64(i%7)
				if b, ok := c.Get(key, v); ok && string(b) != fmt.Sprintf("%s@%d", key, v) {
					t.Errorf("goroutine %d: %s at %d answered %q", g, key, v, b)
					return
				}
				c.Put(key, v, []byte(fmt.Sprintf("%s@%d", key, v)))
			}
		}()
	}
	wg.Wait()
	if s := c.Stats(); s.Bytes > 64*1024 || s.Hits == 0 {
		t.Fatalf("stats = %+v, want within 65536 bytes and some hits", s)
	}
}
