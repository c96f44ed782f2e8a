package lockproto

import "slices"

// LockType is a model of lock: who makes it and the technologies it opens by. The Management API
// shows it as keyward.LockType, which has the same fields so that one converts to the other.
type LockType struct {
	ID                    string
	ManufacturerID        int
	ModelName             string
	SupportedTechnologies []string
}

// lockTypes is the catalog of lock types Keyward knows; a physical lock names one of them.
var lockTypes = map[string]LockType{
	"TK.Td30": {ID: "TK.Td30", ManufacturerID: 1, ModelName: "Td30", SupportedTechnologies: []string{"nfc", "ble"}},
	"TK.Td20": {ID: "TK.Td20", ManufacturerID: 1, ModelName: "Td20", SupportedTechnologies: []string{"nfc", "ble"}},
	"KW.Sim1": {ID: "KW.Sim1", ManufacturerID: 99, ModelName: "Keyward Simulator", SupportedTechnologies: []string{"nfc", "ble"}},
}

// LookupLockType returns the lock type with the id, a copy the caller may change; ok is false
// for a type Keyward does not know.
func LookupLockType(id string) (lt LockType, ok bool) {
	lt, ok = lockTypes[id]
	lt.SupportedTechnologies = slices.Clone(lt.SupportedTechnologies)
	return lt, ok
}
