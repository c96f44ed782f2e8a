// Package readcache keeps the encoded answers of reads, each under the version of the data it was
// computed from, in a bounded amount of memory.
//
// An answer is served again only to a request that read the same version of the data, in the
// statement that also checked its credentials, so a hit is never stale: a write committed on any
// node raises the version, and the next request there reads the new one and misses. The cache
// is therefore correct without any invalidation between nodes, and what it saves is the reading
// and encoding of data that did not change.
package readcache

import (
	"container/list"
	"sync"
	"sync/atomic"
)

// entryOverhead approximates what an entry costs beside its key and body (the map slot, the
// list element, the entry itself), so that many small answers cannot exceed the bound unseen.
const entryOverhead = 128

// Cache is a bounded, least-recently-used map from a request's key to the answer last computed
// for it and the data version that answer reflects. It is safe for concurrent use.
type Cache struct {
	maxBytes, maxEntry int64

	mu      sync.Mutex
	size    int64
	entries map[string]*list.Element // of *entry
	lru     list.List                // front: most recently used

	hits, misses, evictions atomic.Uint64
}

type entry struct {
	key     string
	version int64
	body    []byte
}

func (e *entry) cost() int64 { return int64(len(e.key)+len(e.body)) + entryOverhead }

// New returns a cache that holds at most maxBytes of keys and answers. An answer larger than a
// sixteenth of that is never kept, so that one large read cannot push out the many small ones.
// A cache of maxBytes ≤ 0 keeps nothing.
func New(maxBytes int64) *Cache {
	return &Cache{maxBytes: maxBytes, maxEntry: maxBytes / 16, entries: map[string]*list.Element{}}
}

// Get returns the answer kept for key if it was computed at version. The caller must not
// modify the slice: it is shared with every other hit.
func (c *Cache) Get(key string, version int64) ([]byte, bool) {
	c.mu.Lock()
	el, ok := c.entries[key]
	if ok && el.Value.(*entry).version == version {
		c.lru.MoveToFront(el)
		body := el.Value.(*entry).body
		c.mu.Unlock()
		c.hits.Add(1)
		return body, true
	}
	c.mu.Unlock()
	c.misses.Add(1)
	return nil, false
}

// Put keeps body as the answer for key at version; the cache owns body from then on. An answer
// kept at a newer version stays: a slow request that read an older version must not replace
// what a later one computed.
func (c *Cache) Put(key string, version int64, body []byte) {
	e := &entry{key: key, version: version, body: body}
	if e.cost() > c.maxEntry {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		old := el.Value.(*entry)
		if old.version > version {
			return
		}
		c.size += e.cost() - old.cost()
		el.Value = e
		c.lru.MoveToFront(el)
	} else {
		c.entries[key] = c.lru.PushFront(e)
		c.size += e.cost()
	}
	for c.size > c.maxBytes {
		c.evictOldest()
	}
}

// evictOldest drops the least recently used entry; c.mu is held.
func (c *Cache) evictOldest() {
	el := c.lru.Back()
	e := el.Value.(*entry)
	c.lru.Remove(el)
	delete(c.entries, e.key)
	c.size -= e.cost()
	c.evictions.Add(1)
}

// Stats is what the cache did since it was made, and what it holds now.
type Stats struct {
	Hits, Misses, Evictions uint64
	Entries                 int
	Bytes                   int64
}

// Stats reports the counts so far and the current size.
func (c *Cache) Stats() Stats {
	c.mu.Lock()
	n, size := len(c.entries), c.size
	c.mu.Unlock()
	return Stats{Hits: c.hits.Load(), Misses: c.misses.Load(), Evictions: c.evictions.Load(), Entries: n, Bytes: size}
}
