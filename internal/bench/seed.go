package bench

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/keyward/keyward/internal/client"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
	"github.com/keyward/keyward/internal/service"
)

// The seeding here is shared by `keyward bench` and the Go benchmarks (BenchmarkKeyFetch,
// BenchmarkLogIngestion), so that both measure the same shapes.

// asOperator is the operator's context, which registering users, accounts and locks needs.
func asOperator(ctx context.Context) context.Context {
	return keyward.NewContextWithPrincipal(ctx, keyward.Operator())
}

// KeyUser is a user with grants and a phone: the context of the phone's token, its mobile and
// the user.
type KeyUser struct {
	Phone    context.Context
	MobileID string
	User     *keyward.User
}

// SeedKeyUser gives Ada n grants in one account (owned by Olga), the first on a lock and the
// others on groups holding that lock, and registers her phone.
func SeedKeyUser(ctx context.Context, s *service.Service, n int) (KeyUser, error) {
	op := asOperator(ctx)
	u, err := s.CreateUser(op, keyward.UserCreate{Email: "ada@example.com", Verified: true})
	if err != nil {
		return KeyUser{}, err
	}
	owner, err := s.CreateUser(op, keyward.UserCreate{Email: "olga@example.com", Verified: true})
	if err != nil {
		return KeyUser{}, err
	}
	acct, err := s.RegisterOwner(op, keyward.OwnerRegistration{Name: "Office", OwnerEmail: owner.Email})
	if err != nil {
		return KeyUser{}, err
	}
	as := keyward.NewContextWithPrincipal(op, keyward.SessionPrincipal(owner))
	lock, _, err := bindLock(as, s, acct.ID, "Front Door")
	if err != nil {
		return KeyUser{}, err
	}
	contact, err := s.CreateContact(as, acct.ID, keyward.ContactCreate{Identifier: &u.Email})
	if err != nil {
		return KeyUser{}, err
	}
	targets := []string{lock.ID}
	for i := 1; i < n; i++ {
		g, err := s.CreateLockGroup(as, acct.ID, keyward.LockGroupCreate{Title: fmt.Sprint("Group ", i)})
		if err != nil {
			return KeyUser{}, err
		}
		if _, err := s.AddLockGroupMember(as, acct.ID, g.ID, keyward.LockGroupMemberRequest{BoundLockID: lock.ID}); err != nil {
			return KeyUser{}, err
		}
		targets = append(targets, g.ID)
	}
	for _, target := range targets {
		if _, err := s.CreateGrant(as, acct.ID, keyward.GrantCreate{BoundLockID: target, ContactID: &contact.ID}); err != nil {
			return KeyUser{}, err
		}
	}
	phone := keyward.NewContextWithPrincipal(op, keyward.TokenPrincipal(u, "mobile-app",
		[]string{keyward.ScopeRegisterMobiles, keyward.ScopeHandleKeys}))
	m, err := s.RegisterMobile(phone, keyward.MobileCreate{PublicKey: bytes.Repeat([]byte{7}, 32), Name: "Pixel", Platform: keyward.PlatformAndroid})
	if err != nil {
		return KeyUser{}, err
	}
	return KeyUser{Phone: phone, MobileID: m.ID, User: u}, nil
}

// bindLock registers a lock with a new device key and binds it to the account as the session of
// ctx, returning the bound lock and the lock as a device.
func bindLock(ctx context.Context, s *service.Service, ownerID, title string) (*keyward.BoundLock, *client.DeviceLock, error) {
	pub, device := lockproto.NewDeviceKey()
	phys, code, err := s.RegisterLock(asOperator(ctx), keyward.PhysicalLockCreate{DevicePublicKey: pub, LockTypeID: "TK.Td30",
		ProtocolVersion: lockproto.ProtocolLatest, TimeZone: "Europe/Vienna", TimeRestrictionSupport: true})
	if err != nil {
		return nil, nil, err
	}
	l, err := s.BindLock(ctx, ownerID, keyward.BindLockRequest{PhysicalLockID: phys.ID, BindingCode: code, Title: &title})
	if err != nil {
		return nil, nil, err
	}
	return l, client.NewDeviceLock(phys.ID, device, code), nil
}

// SeedLock registers and binds a lock in a new account of its own owned by email, as the
// operator and an owner would, and returns the account, the bound lock's id and the lock ready
// to sync over the wire.
func SeedLock(ctx context.Context, s *service.Service, email string) (ownerID, boundLockID string, lock *client.DeviceLock, err error) {
	ownerID, ids, locks, err := SeedLocks(ctx, s, email, 1)
	if err != nil {
		return "", "", nil, err
	}
	return ownerID, ids[0], locks[0], nil
}

// SeedLocks is SeedLock with n locks in the one new account.
func SeedLocks(ctx context.Context, s *service.Service, email string, n int) (ownerID string, boundLockIDs []string, locks []*client.DeviceLock, err error) {
	op := asOperator(ctx)
	u, err := s.CreateUser(op, keyward.UserCreate{Email: email, Verified: true})
	if err != nil {
		return "", nil, nil, err
	}
	o, err := s.RegisterOwner(op, keyward.OwnerRegistration{Name: "Bench", OwnerEmail: u.Email})
	if err != nil {
		return "", nil, nil, err
	}
	as := keyward.NewContextWithPrincipal(op, keyward.SessionPrincipal(u))
	for i := range n {
		l, lock, err := bindLock(as, s, o.ID, fmt.Sprint("Door ", i+1))
		if err != nil {
			return "", nil, nil, err
		}
		boundLockIDs, locks = append(boundLockIDs, l.ID), append(locks, lock)
	}
	return o.ID, boundLockIDs, locks, nil
}

// IngestBatch is the log entries of one sync request: the most one request may carry.
const IngestBatch = 1000

// Entries are n openings numbered from first, a minute apart.
func Entries(first uint64, n int) []lockproto.LogEntry {
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	grant, contact := "grant-1", "contact-1"
	list := make([]lockproto.LogEntry, n)
	for i := range list {
		no := first + uint64(i)
		list[i] = lockproto.LogEntry{EntryNo: no, LockTimestamp: keyward.NewTime(at.Add(time.Duration(no) * time.Minute)),
			LogType: lockproto.LogTypeCommand, Command: lockproto.CommandTriggerLock, Result: lockproto.ResultAllowed,
			Reason: lockproto.ReasonAllowed, GrantID: &grant, ContactID: &contact}
	}
	return list
}
