package locksim

import "github.com/keyward/keyward/internal/lockproto"

// Battery levels in volts of a simulated lock with two 1.5 V cells.
const (
	VoltsFull     = 3.0
	voltsLow      = 2.6  // below: Low
	voltsCritical = 2.4  // below: Critical
	voltsDead     = 2.2  // below: the lock no longer wakes up
	drainPerOpen  = 0.01 // what one motor run costs
)

// Battery is a lock's power. A dead battery makes the lock refuse everything and record nothing,
// as a real lock does that no longer wakes up.
type Battery struct {
	Volts float64
}

// Warning is the lock's own judgement of the battery, as a HealthReport carries it.
func (b Battery) Warning() string {
	switch {
	case b.Volts < voltsCritical:
		return lockproto.BatteryCritical
	case b.Volts < voltsLow:
		return lockproto.BatteryLow
	}
	return lockproto.BatteryOk
}

// Dead reports whether the lock can no longer wake up.
func (b Battery) Dead() bool { return b.Volts < voltsDead }

// drain takes what a motor run costs.
func (b *Battery) drain() { b.Volts = max(0, b.Volts-drainPerOpen) }
