package client

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"time"

	"github.com/keyward/keyward/internal/lockproto"
)

// DeviceLock is a lock as a program drives one over the device API: its device key and what it
// holds, synced as a real lock does, with lockproto. The tests and `keyward bench` use it.
type DeviceLock struct {
	Device  lockproto.Signer
	State   lockproto.LockState
	Counter uint64
}

// NewDeviceLock is the lock physicalLockID with its device key and binding code, holding nothing yet.
func NewDeviceLock(physicalLockID string, device ed25519.PrivateKey, bindingCode string) *DeviceLock {
	return &DeviceLock{Device: lockproto.Signer{KID: physicalLockID, Key: device},
		State: lockproto.LockState{LockID: physicalLockID, ProtocolVersion: lockproto.ProtocolLatest, BindingCode: bindingCode,
			Revocations: lockproto.RevocationList{LockID: physicalLockID}}}
}

// Sync sends one sync request with the entries and readings, applies the answer, and, when the
// revocation list grew, confirms it with a second request, as a lock does.
func (l *DeviceLock) Sync(ctx context.Context, c *Client, entries []lockproto.LogEntry, health []lockproto.HealthReport) (*lockproto.SyncResponse, error) {
	held := l.State.Revocations.SerialNo
	resp, err := l.SyncOnce(ctx, c, entries, health)
	if err != nil || resp.Revocations.SerialNo == held {
		return resp, err
	}
	return l.SyncOnce(ctx, c, nil, nil)
}

// SyncOnce sends one sync request and applies the answer.
func (l *DeviceLock) SyncOnce(ctx context.Context, c *Client, entries []lockproto.LogEntry, health []lockproto.HealthReport) (*lockproto.SyncResponse, error) {
	req, env, err := l.Request(entries, health)
	if err != nil {
		return nil, err
	}
	answer, err := c.SyncLock(ctx, env)
	if err != nil {
		return nil, err
	}
	resp, err := l.State.ApplySync(req, answer)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrAnswerRefused, err)
	}
	return resp, nil
}

// ErrAnswerRefused is a sync response the lock does not accept: not signed by a key it trusts,
// or not the answer to its request.
var ErrAnswerRefused = errors.New("the server's answer does not verify for this lock")

// Request makes the lock's next signed sync request.
func (l *DeviceLock) Request(entries []lockproto.LogEntry, health []lockproto.HealthReport) (*lockproto.SyncRequest, *lockproto.Envelope, error) {
	l.Counter++
	req := l.State.SyncRequest(l.Counter, time.Now(), entries, health)
	env, err := lockproto.SignSyncRequest(l.Device, req)
	return req, env, err
}
