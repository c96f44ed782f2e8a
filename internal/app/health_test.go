package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/keyward"
)

// TestLockHealth seeds lock1's readings through the store, as the device API will upload them,
// and reads them back through healthStatuses: a current battery voltage is Ok, a warning level
// measured over 7 days ago is Outdated, a temperature of 120 °C is Invalid.
func TestLockHealth(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		ctx, now := context.Background(), time.Now()
		fresh, old := keyward.NewTime(now.Add(-time.Hour)), keyward.NewTime(now.Add(-8*24*time.Hour))
		f.ids["fresh"], f.ids["old"] = fresh.String(), old.String()
		lock1 := f.ids["lock1"]
		locks, err := f.m.Store.Direct().FindBoundLocks(ctx, keyward.BoundLockFilter{OwnerID: f.ids["o1"], ID: &lock1})
		f.must(err)
		f.ids["phys1"] = locks[0].PhysicalLockID
		f.must(f.m.Store.InOwnerTx(ctx, f.ids["o1"], func(tx keyward.OwnerTx) error {
			return tx.ReportHealth(ctx, lock1, []keyward.HealthReading{{Type: keyward.HealthBatteryVoltage, Value: 2.9, MeasuredAt: fresh},
				{Type: keyward.HealthBatteryWarningLevel, Value: keyward.BatteryWarningLow, MeasuredAt: old},
				{Type: keyward.HealthTemperature, Value: 120, MeasuredAt: fresh}})
		}))
		f.run(t, []scenario{
			{name: "Expanded", method: "GET", path: "/api/v1/Owners/{o1}/BoundLocks/{lock1}?expand=healthStatuses", as: "reader", wantStatus: 200,
				dynamic: []string{"bindDate"},
				wantBody: `{"id":"{lock1}","ownerAccountId":"{o1}","physicalLockId":"{phys1}","title":"Front Door","description":"",` + lockType +
					`,"bindDate":"<time>","unbindDate":null,"active":true,"rclSerialNo":0,"rclDate":null,"lastSeenRclSerialNo":null,"lastSeenRclUpdateDate":null,"targetType":"Lock","supportedFeatures":null,"membershipStatistics":null,"healthStatuses":[` +
					`{"id":"{lock1}-BatteryVoltage","physicalLockId":"{phys1}","timestamp":"{fresh}","type":"BatteryVoltage","value":2.9,"valueStatus":"Ok"},` +
					`{"id":"{lock1}-BatteryWarningLevel","physicalLockId":"{phys1}","timestamp":"{old}","type":"BatteryWarningLevel","value":1,"valueStatus":"Outdated"},` +
					`{"id":"{lock1}-Temperature","physicalLockId":"{phys1}","timestamp":"{fresh}","type":"Temperature","value":120,"valueStatus":"Invalid"}]}`},
		})
	})
}
