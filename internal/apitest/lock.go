package apitest

import (
	"crypto/ed25519"

	"github.com/keyward/keyward/internal/client"
)

// Lock is a lock as the tests need one, synced over the device API as a real lock does.
type Lock = client.DeviceLock

// NewLock is the lock physicalLockID with its device key and binding code, holding nothing yet.
func NewLock(physicalLockID string, device ed25519.PrivateKey, bindingCode string) *Lock {
	return client.NewDeviceLock(physicalLockID, device, bindingCode)
}
