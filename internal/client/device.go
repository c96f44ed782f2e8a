package client

import (
	"context"
	"net/http"

	"github.com/keyward/keyward/internal/lockproto"
)

// SyncLock relays a lock's signed sync request to the device API and returns the signed
// response for the lock. The route needs no token: the lock's signature authenticates the
// request, so whoever relays it (a phone, a gateway) cannot forge or alter it.
func (c *Client) SyncLock(ctx context.Context, req *lockproto.Envelope) (*lockproto.Envelope, error) {
	return entity[lockproto.Envelope](ctx, c, http.MethodPost, "/Devices/Locks/Sync", nil, req)
}
