package apitest

import (
	"sync"
	"time"
)

// Clock is a settable clock for tests: its Now is what a Config's Now takes, and the test moves
// it with Advance or Set. It is safe for concurrent use, as the servers that read it are.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock is a clock that stands at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}
