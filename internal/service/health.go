package service

import (
	"time"

	"github.com/keyward/keyward/internal/keyward"
)

// HealthOutdatedAfter is the age at which a lock's reading is reported Outdated: locks are
// offline devices that report on sync, and one not synced for a week says little of its
// battery today.
const HealthOutdatedAfter = 7 * 24 * time.Hour

// plausible holds, per reading type, the range of values a working lock can report; a value
// outside it is reported Invalid. Locks run on batteries of at most 12 V, and their
// electronics on the industrial range of -40 to +85 °C.
var plausible = map[string]struct{ min, max float64 }{
	keyward.HealthBatteryVoltage:      {0, 12},
	keyward.HealthTemperature:         {-40, 85},
	keyward.HealthBatteryWarningLevel: {keyward.BatteryWarningOk, keyward.BatteryWarningCritical},
}

// healthStatuses renders a lock's readings for the healthStatuses expansion.
func healthStatuses(l *keyward.BoundLock, readings []keyward.HealthReading, now keyward.Time) []keyward.HealthStatus {
	list := make([]keyward.HealthStatus, len(readings))
	for i, r := range readings {
		list[i] = keyward.HealthStatus{ID: l.ID + "-" + r.Type, PhysicalLockID: l.PhysicalLockID, Timestamp: r.MeasuredAt,
			Type: r.Type, Value: r.Value, ValueStatus: valueStatus(r, now)}
	}
	return list
}

// valueStatus is Invalid for a value out of its type's range (or of an unknown type, or a
// warning level that is no whole level), else Outdated when measured HealthOutdatedAfter or
// longer ago, else Ok.
func valueStatus(r keyward.HealthReading, now keyward.Time) string {
	bounds, known := plausible[r.Type]
	switch {
	case !known || r.Value < bounds.min || r.Value > bounds.max,
		r.Type == keyward.HealthBatteryWarningLevel && r.Value != float64(int(r.Value)):
		return keyward.HealthValueInvalid
	case now.Sub(r.MeasuredAt.Time) >= HealthOutdatedAfter:
		return keyward.HealthValueOutdated
	}
	return keyward.HealthValueOk
}
