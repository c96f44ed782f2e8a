package locksim

import (
	"sync"
	"time"
)

// Clock is a lock's own clock: the world's time plus an offset and a drift that accumulates at a
// rate from the moment it was set. A lock keeps its clock; a sync does not correct it, so an
// injected error stays visible until the scenario changes it.
type Clock struct {
	offset time.Duration
	rate   float64   // seconds gained per second of world time; negative runs slow
	since  time.Time // when rate was set
}

// Now is the lock's reading at the world's instant world.
func (c *Clock) Now(world time.Time) time.Time {
	return world.Add(c.offset + c.drift(world))
}

// drift is what the rate added since it was set.
func (c *Clock) drift(world time.Time) time.Duration {
	if c.rate == 0 || c.since.IsZero() {
		return 0
	}
	return time.Duration(float64(world.Sub(c.since)) * c.rate)
}

// SetRate makes the clock gain rate seconds per second from world on, keeping what the previous
// rate added.
func (c *Clock) SetRate(world time.Time, rate float64) {
	c.offset += c.drift(world)
	c.rate, c.since = rate, world
}

// Shift moves the clock by d at once, as a wrong setting or a reset does.
func (c *Clock) Shift(d time.Duration) { c.offset += d }

// VirtualClock is the world's time as a server reads it: a test runs a Keyward server on Now
// (app.Main.Now) and gives the clock to the world (Options.Clock), which moves it step by step,
// so that keys, token lifetimes and revocations follow the scenario's time. It is safe for the
// server's goroutines.
type VirtualClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewVirtualClock returns a clock standing at t.
func NewVirtualClock(t time.Time) *VirtualClock { return &VirtualClock{t: t} }

// Now is the clock's time.
func (c *VirtualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *VirtualClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Advance moves the clock on by d.
func (c *VirtualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
