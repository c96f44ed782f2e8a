package sqlstore

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/keyward/keyward/internal/keyward"
)

// standingCache keeps the answers of CheckAccessToken on PostgreSQL, where the statement is a
// round trip on every authenticated request, while they are sure to be what the database holds
// (alone.go): the process is alone on the database, in one run of trusted looks, and none of its
// writes began since the answer was read. Any write of the process drops every answer: a
// revocation, a role or a scope change takes effect on the next request as before, on every node.
//
// The answers are kept for one tag at a time; a newer tag starts an empty map, so a write costs
// nothing here and stale answers are never looked at again.
type standingCache struct {
	watch *aloneWatch
	mu    sync.Mutex
	tag   standingTag
	m     map[keyward.TokenCheck]*keyward.TokenStanding
	// hits and misses count the checks answered from memory and from the database.
	hits, misses atomic.Uint64
}

// standingTag is what an answer was read under: the run of trusted looks and the count of
// writes begun.
type standingTag struct{ epoch, writes uint64 }

// newer reports whether t was taken after u: both counts only grow.
func (t standingTag) newer(u standingTag) bool {
	return t.epoch > u.epoch || (t.epoch == u.epoch && t.writes > u.writes)
}

// maxStandings bounds the cache: past it the map starts again (a standing is some 300 bytes).
const maxStandings = 10000

// StandingStats is what the standing cache did since the handle opened.
type StandingStats struct {
	Hits, Misses uint64
	// Alone is whether the process trusts, now, that it is alone on the database.
	Alone bool
}

// current returns the tag now and whether answers may be given and kept under it.
func (c *standingCache) current() (standingTag, bool) {
	epoch, alone := c.watch.alone()
	writes, quiet := writesQuiet()
	return standingTag{epoch: epoch, writes: writes}, alone && quiet
}

// check answers from memory when it may, and otherwise reads with read and keeps the answer
// when it was read under a tag that allows it. The tag is taken before the read, so a write that
// began after it makes the answer unusable even if the read saw the state before the write.
func (c *standingCache) check(ctx context.Context, tc keyward.TokenCheck,
	read func(context.Context, keyward.TokenCheck) (*keyward.TokenStanding, error)) (*keyward.TokenStanding, error) {
	tag, usable := c.current()
	if usable {
		c.mu.Lock()
		st := c.m[tc]
		if c.tag != tag {
			st = nil
		}
		c.mu.Unlock()
		if st != nil {
			c.hits.Add(1)
			return copyStanding(st), nil
		}
	}
	c.misses.Add(1)
	st, err := read(ctx, tc)
	if err != nil || !usable {
		return st, err
	}
	c.keep(tag, tc, copyStanding(st))
	return st, nil
}

// keep stores an answer read under tag, unless the cache already holds a newer tag's.
func (c *standingCache) keep(tag standingTag, tc keyward.TokenCheck, st *keyward.TokenStanding) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || tag.newer(c.tag) {
		c.tag, c.m = tag, map[keyward.TokenCheck]*keyward.TokenStanding{}
	}
	if tag != c.tag {
		return // read under a tag that a newer one replaced
	}
	if len(c.m) >= maxStandings {
		clear(c.m)
	}
	c.m[tc] = st
}

// stats reports the counters and whether the process is alone now.
func (c *standingCache) stats() StandingStats {
	_, alone := c.watch.alone()
	return StandingStats{Hits: c.hits.Load(), Misses: c.misses.Load(), Alone: alone}
}

// copyStanding copies a standing deeply enough that neither the cache nor a caller sees what the
// other changes.
func copyStanding(st *keyward.TokenStanding) *keyward.TokenStanding {
	cp := *st
	if st.User != nil {
		u := *st.User
		cp.User = &u
	}
	if st.FamilyRevokedAt != nil {
		t := *st.FamilyRevokedAt
		cp.FamilyRevokedAt = &t
	}
	if st.AccountVersion != nil {
		v := *st.AccountVersion
		cp.AccountVersion = &v
	}
	if st.ClientScopes != nil {
		cp.ClientScopes = slices.Clone(st.ClientScopes)
	}
	return &cp
}
