package storetest

import (
	"errors"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/keyward/keyward/internal/keyward"
)

// reportHealth uploads a lock's readings in its own transaction.
func reportHealth(s flat, ownerID, lockID string, readings ...keyward.HealthReading) error {
	return s.on(ctx, ownerID, func(tx keyward.OwnerTx) error { return tx.ReportHealth(ctx, lockID, readings) })
}

func reading(typ string, value float64, i int) keyward.HealthReading {
	return keyward.HealthReading{Type: typ, Value: value, MeasuredAt: at(i)}
}

// testLockHealth checks that a lock keeps its newest reading of each type, whatever order the
// uploads come in, and that one query reads the health of several locks.
func testLockHealth(t *testing.T, s flat) {
	o := mkOwner(t, s, 1)
	a := mkBoundLock(t, s, o.ID, mkPhysicalLock(t, s, 2).ID, 3, "A")
	b := mkBoundLock(t, s, o.ID, mkPhysicalLock(t, s, 4).ID, 5, "B")
	volt, temp, warn := keyward.HealthBatteryVoltage, keyward.HealthTemperature, keyward.HealthBatteryWarningLevel
	must(t, reportHealth(s, o.ID, a.ID, reading(volt, 3.1, 10), reading(temp, 21.5, 10), reading(volt, 3.0, 12), reading(volt, 2.9, 11)))
	must(t, reportHealth(s, o.ID, a.ID, reading(temp, 30, 9), reading(temp, 31, 10), reading(warn, 1, 8))) // older or as old: kept out, except the new type
	must(t, reportHealth(s, o.ID, a.ID, reading(volt, 2.8, 13)))
	must(t, reportHealth(s, o.ID, a.ID))
	got, err := s.LockHealth(ctx, []string{a.ID, b.ID, "unknown"})
	must(t, err)
	want := map[string][]keyward.HealthReading{
		a.ID:      {reading(volt, 2.8, 13), reading(warn, 1, 8), reading(temp, 21.5, 10)},
		b.ID:      {},
		"unknown": {},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("health (-want +got):\n%s", diff)
	}
	if err := reportHealth(s, o.ID, b.ID, reading(temp, math.NaN(), 1)); !errors.Is(err, keyward.ErrInvalid) {
		t.Errorf("a NaN reading: %v, want ErrInvalid", err)
	}
	if err := reportHealth(s, o.ID, "unknown", reading(temp, 20, 1)); !errors.Is(err, keyward.ErrNotFound) {
		t.Errorf("an unknown lock's reading: %v, want ErrNotFound", err)
	}
	none, err := s.LockHealth(ctx, nil)
	must(t, err)
	if len(none) != 0 {
		t.Errorf("no locks: %v, want an empty map", none)
	}
}
