package cli

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/keyward/keyward/internal/client"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
)

// runDeviceSync syncs a lock over the device API as the lock itself would, with its device key:
// for locks that have no phone or gateway of their own, and for trying Keyward out. It keeps no
// state between runs, so it is a lock that has just been reset: it holds no key set (the server
// anchors its answer with the binding code) and uses the clock in milliseconds as its counter.
// When the list it receives is newer than the one it reported, it confirms it with a second sync
// at once, as a lock does.
func runDeviceSync(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "device sync")
	base := fs.String("base", env.Getenv("KEYWARD_BASE"), "the server's base URL, e.g. http://127.0.0.1:8080 (env KEYWARD_BASE)")
	lockID := fs.String("physical-lock-id", "", "the lock (required)")
	seed := fs.String("device-key", "", "the lock's device key seed, Base64, as `admin lock register` printed it (required)")
	code := fs.String("binding-code", "", "the lock's binding code (required)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := firstErr(required("base", *base), required("physical-lock-id", *lockID), required("device-key", *seed),
		required("binding-code", *code)); err != nil {
		return err
	}
	lock, err := newStatelessLock(*lockID, *seed, *code)
	if err != nil {
		return err
	}
	resp, err := lock.sync(ctx, client.New(*base, nil), 0)
	if err != nil {
		return err
	}
	if resp.Revocations.SerialNo > 0 {
		if resp, err = lock.sync(ctx, client.New(*base, nil), resp.Revocations.SerialNo); err != nil {
			return err
		}
	}
	return output(env, *asJSON, map[string]any{"physicalLockId": lock.State.LockID, "rclSerialNo": resp.Revocations.SerialNo,
		"revokedGrantIds": resp.Revocations.GrantIDs, "timeZone": resp.TimeZone, "keySet": resp.KeySet.KIDs()},
		fmt.Sprintf("lock %s synced: revocation list serial %d with %d revoked grants, time zone %s, key set %v",
			lock.State.LockID, resp.Revocations.SerialNo, len(resp.Revocations.GrantIDs), resp.TimeZone, resp.KeySet.KIDs()))
}

// statelessLock is a lock that remembers nothing but its identity: a client.DeviceLock whose
// counter is the clock's microseconds, so that two runs of the command never reuse one.
type statelessLock struct{ *client.DeviceLock }

func newStatelessLock(lockID, seed, code string) (*statelessLock, error) {
	id, err := lockproto.ParseLockID(lockID)
	if err != nil {
		return nil, fmt.Errorf("%w: --physical-lock-id: %v", errUsage, err)
	}
	raw, err := base64.StdEncoding.DecodeString(seed)
	if err != nil || len(raw) != ed25519.SeedSize {
		return nil, fmt.Errorf("%w: --device-key: must be the Base64 of a %d-byte Ed25519 seed", errUsage, ed25519.SeedSize)
	}
	return &statelessLock{client.NewDeviceLock(id, ed25519.NewKeyFromSeed(raw), code)}, nil
}

// sync sends one sync request reporting the revocation list serial held and applies the answer.
func (l *statelessLock) sync(ctx context.Context, c *client.Client, held int64) (*lockproto.SyncResponse, error) {
	l.State.Revocations.SerialNo = held
	l.Counter = uint64(time.Now().UnixMicro()) - 1 // SyncOnce sends the next
	resp, err := l.SyncOnce(ctx, c, nil, nil)
	if errors.Is(err, client.ErrAnswerRefused) {
		return nil, fmt.Errorf("%w (wrong binding code?)", err)
	}
	return resp, err
}

func runKSKRotate(ctx context.Context, env Env, args []string) error {
	fs, a := newAdminFlags(env, "admin ksk rotate")
	if err := parse(fs, args); err != nil {
		return err
	}
	return withService(ctx, a, func(ctx context.Context, s keyward.Services) error {
		kid, err := s.Locks.RotateKeySigningKey(ctx)
		if err != nil {
			return err
		}
		return output(env, a.asJSON, map[string]any{"kid": kid},
			"key-signing key "+kid+" signs from now on; locks learn it at their next sync")
	})
}
