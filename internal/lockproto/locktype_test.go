package lockproto

import (
	"slices"
	"testing"
)

func TestLookupLockType(t *testing.T) {
	lt, ok := LookupLockType("KW.Sim1")
	if !ok || lt.ModelName != "Keyward Simulator" || lt.ManufacturerID != 99 || !slices.Equal(lt.SupportedTechnologies, []string{"nfc", "ble"}) {
		t.Fatalf("LookupLockType(KW.Sim1) = %+v, %v", lt, ok)
	}
	lt.SupportedTechnologies[0] = "changed"
	if again, _ := LookupLockType("KW.Sim1"); again.SupportedTechnologies[0] != "nfc" {
		t.Fatalf("changing a looked-up type changed the catalog: %+v", again)
	}
	if lt, ok := LookupLockType("XX.None"); ok || lt.ID != "" {
		t.Fatalf("LookupLockType(XX.None) = %+v, %v; want no type", lt, ok)
	}
}
