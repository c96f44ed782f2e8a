package locksim

import "time"

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
