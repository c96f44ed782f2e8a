package apitest

import (
	"time"

	"github.com/keyward/keyward/internal/locksim"
)

// Clock is a settable clock for tests: its Now is what a Config's Now takes, and the test moves
// it with Advance or Set. It is the simulator's clock, which a world moves the same way; it is
// safe for concurrent use, as the servers that read it are.
type Clock = locksim.VirtualClock

// NewClock is a clock that stands at t.
func NewClock(t time.Time) *Clock { return locksim.NewVirtualClock(t) }
