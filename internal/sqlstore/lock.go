package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
	"github.com/keyward/keyward/internal/odata"
)

// CreatePhysicalLock registers a lock in the device registry.
func (s *store) CreatePhysicalLock(ctx context.Context, l *keyward.PhysicalLock) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO physical_locks
		(id, lock_type_id, protocol_version, binding_code_hash, time_zone, time_restriction_support, device_public_key, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		l.ID, l.LockTypeID, l.ProtocolVersion, l.BindingCodeHash, l.TimeZone, l.TimeRestrictionSupport,
		nullBase64(l.DevicePublicKey), l.CreatedAt.Millis())
	if isUniqueViolation(err) {
		return keyward.ErrInvalid.WithDetails("physical lock %q is already registered", l.ID)
	}
	if err != nil {
		return fmt.Errorf("sqlstore: create physical lock: %w", err)
	}
	return nil
}

// FindPhysicalLockByID returns the registered lock or ErrNotFound.
func (s *store) FindPhysicalLockByID(ctx context.Context, id string) (*keyward.PhysicalLock, error) {
	var l keyward.PhysicalLock
	var created int64
	var device sql.NullString
	var kids string
	err := s.q.QueryRowContext(ctx, `SELECT id, lock_type_id, protocol_version, binding_code_hash, time_zone,
		time_restriction_support, device_public_key, sync_counter, kids, created_at FROM physical_locks WHERE id = $1`, id).
		Scan(&l.ID, &l.LockTypeID, &l.ProtocolVersion, &l.BindingCodeHash, &l.TimeZone, &l.TimeRestrictionSupport,
			&device, &l.SyncCounter, &kids, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, keyward.ErrNotFound.WithDetails("physical lock %q is not registered", id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find physical lock: %w", err)
	}
	if l.DevicePublicKey, err = decodeNullBase64(device); err != nil {
		return nil, fmt.Errorf("sqlstore: find physical lock %s: device key: %w", id, err)
	}
	if err := json.Unmarshal([]byte(kids), &l.KIDs); err != nil {
		return nil, fmt.Errorf("sqlstore: find physical lock %s: kids: %w", id, err)
	}
	l.CreatedAt = keyward.TimeFromMillis(created)
	return &l, nil
}

// AcceptLockSync takes a sync request's counter only when it is above the one stored, in the
// statement that stores it, so that of two nodes that got the same request one takes it.
func (s *store) AcceptLockSync(ctx context.Context, physicalLockID string, counter uint64, kids []string) error {
	if counter > math.MaxInt64 {
		return keyward.ErrReplay.WithDetails("counter %d is out of range", counter)
	}
	list, _ := json.Marshal(kids) // a []string always marshals
	res, err := s.q.ExecContext(ctx, `UPDATE physical_locks SET sync_counter = $1, kids = $2
		WHERE id = $3 AND sync_counter < $1`, int64(counter), string(list), physicalLockID)
	if err != nil {
		return fmt.Errorf("sqlstore: accept lock sync: %w", err)
	}
	return mustAffect(res, keyward.ErrReplay.WithDetails("lock %q sent counter %d, which is not above the last one accepted", physicalLockID, counter))
}

// nullBase64 stores bytes as Base64 text, nil as NULL.
func nullBase64(b []byte) any {
	if b == nil {
		return nil
	}
	return base64.StdEncoding.EncodeToString(b)
}

func decodeNullBase64(v sql.NullString) ([]byte, error) {
	if !v.Valid {
		return nil, nil
	}
	return base64.StdEncoding.DecodeString(v.String)
}

var boundLockSchema = odata.Schema{
	{Name: "id", Column: "b.id", Type: odata.String},
	{Name: "ownerAccountId", Column: "b.owner_id", Type: odata.String},
	{Name: "physicalLockId", Column: "b.physical_lock_id", Type: odata.String},
	{Name: "title", Column: "b.title", Type: odata.String},
	{Name: "description", Column: "b.description", Type: odata.String},
	{Name: "lockTypeId", Column: "p.lock_type_id", Type: odata.String},
	{Name: "bindDate", Column: "b.bind_date", Type: odata.Time},
	{Name: "unbindDate", Column: "b.unbind_date", Type: odata.Time, Nullable: true},
	{Name: "active", Column: "b.active", Type: odata.Bool},
	{Name: "rclSerialNo", Column: "b.rcl_serial_no", Type: odata.Int},
	{Name: "rclDate", Column: "b.rcl_date", Type: odata.Time, Nullable: true},
	{Name: "lastSeenRclSerialNo", Column: "b.last_seen_rcl_serial_no", Type: odata.Int, Nullable: true},
	{Name: "lastSeenRclUpdateDate", Column: "b.last_seen_rcl_update_date", Type: odata.Time, Nullable: true},
	{Name: "targetType", Column: "CAST('Lock' AS TEXT)", Type: odata.String},
	{Name: "lockType", Column: "p.lock_type_id", Type: odata.String},
}

// CreateBoundLock binds a physical lock; a lock that has an active binding is ErrLockAlreadyBound.
func (s *ownerStore) CreateBoundLock(ctx context.Context, l *keyward.BoundLock) error {
	if err := s.mine("bound lock", l.OwnerAccountID); err != nil {
		return err
	}
	_, err := s.q.ExecContext(ctx, `INSERT INTO bound_locks
		(id, owner_id, physical_lock_id, title, description, bind_date, active, rcl_serial_no, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		l.ID, l.OwnerAccountID, l.PhysicalLockID, l.Title, l.Description, l.BindDate.Millis(), l.Active, l.RclSerialNo, l.CreatedAt.Millis())
	if isUniqueViolation(err) {
		return keyward.ErrLockAlreadyBound.WithDetails("physical lock %q is bound to an owner account already", l.PhysicalLockID)
	}
	if err != nil {
		return fmt.Errorf("sqlstore: create bound lock: %w", err)
	}
	return nil
}

// FindBoundLocks lists bound locks, joined with their registry entries.
func (s *store) FindBoundLocks(ctx context.Context, f keyward.BoundLockFilter) ([]*keyward.BoundLock, error) {
	var a args
	spec := listSpec{
		selectFrom: `SELECT b.id, b.owner_id, b.physical_lock_id, b.title, b.description, b.bind_date, b.unbind_date,
			b.active, b.rcl_serial_no, b.rcl_date, b.last_seen_rcl_serial_no, b.last_seen_rcl_update_date, b.created_at,
			b.last_sync_seq, b.last_sync_at, p.lock_type_id, p.protocol_version, p.time_zone, p.time_restriction_support
			FROM bound_locks b JOIN physical_locks p ON p.id = b.physical_lock_id`,
		where:        []string{"b.owner_id = " + a.bind(f.OwnerID)},
		schema:       boundLockSchema,
		defaultOrder: "b.created_at, b.id",
	}
	if f.ID != nil {
		spec.where = append(spec.where, "b.id = "+a.bind(*f.ID))
	}
	if f.IDs != nil {
		spec.where = append(spec.where, s.d.in("b.id", f.IDs, &a))
	}
	if f.PhysicalLockID != nil {
		spec.where = append(spec.where, "b.physical_lock_id = "+a.bind(*f.PhysicalLockID))
	}
	if f.LockGroupID != nil {
		spec.where = append(spec.where, "b.id IN (SELECT bound_lock_id FROM lock_group_members WHERE group_id = "+a.bind(*f.LockGroupID)+")")
	}
	if f.NotInGroupID != nil {
		spec.where = append(spec.where, "b.id NOT IN (SELECT bound_lock_id FROM lock_group_members WHERE group_id = "+a.bind(*f.NotInGroupID)+")")
	}
	if f.Active != nil {
		spec.where = append(spec.where, "b.active = "+a.bind(*f.Active))
	}
	var list []*keyward.BoundLock
	err := s.list(ctx, spec, a, f.Query, func(rows *sql.Rows) error {
		l, err := scanBoundLock(rows)
		list = append(list, l)
		return err
	})
	return list, err
}

// boundLockRow is one row of a bound-lock query and what it scans into: one allocation per row,
// where the lock and each scan target taken by address on its own were eight (Scan's arguments
// escape), a fifth of a 100-lock list's allocations.
type boundLockRow struct {
	l                                     keyward.BoundLock
	bind, created                         int64
	unbind, rclDate, seenSerial, seenDate sql.NullInt64
	synced                                sql.NullInt64
	unbindAt, rclAt, seenAt, syncedAt     keyward.Time
	lockType                              lockproto.LockType
}

func scanBoundLock(rows *sql.Rows) (*keyward.BoundLock, error) {
	r := new(boundLockRow)
	l := &r.l
	err := rows.Scan(&l.ID, &l.OwnerAccountID, &l.PhysicalLockID, &l.Title, &l.Description, &r.bind, &r.unbind,
		&l.Active, &l.RclSerialNo, &r.rclDate, &r.seenSerial, &r.seenDate, &r.created,
		&l.SyncSeq, &r.synced, &l.LockTypeID, &l.ProtocolVersion, &l.TimeZone, &l.TimeRestrictionSupport)
	l.BindDate, l.CreatedAt = keyward.TimeFromMillis(r.bind), keyward.TimeFromMillis(r.created)
	l.UnbindDate = timeIn(&r.unbindAt, r.unbind)
	l.RclDate = timeIn(&r.rclAt, r.rclDate)
	l.LastSeenRclUpdateDate = timeIn(&r.seenAt, r.seenDate)
	l.LastSyncAt = timeIn(&r.syncedAt, r.synced)
	if r.seenSerial.Valid {
		l.LastSeenRclSerialNo = &r.seenSerial.Int64
	}
	l.TargetType = "Lock"
	var ok bool
	if r.lockType, ok = lockproto.LookupLockType(l.LockTypeID); ok {
		l.LockType = (*keyward.LockType)(&r.lockType)
	}
	return l, err
}

// UpdateBoundLock changes title and description.
func (s *ownerStore) UpdateBoundLock(ctx context.Context, id string, u keyward.BoundLockUpdate) error {
	return s.updateTitled(ctx, "bound_locks", "bound lock", id, u.Title, u.Description)
}

// updateTitled changes the title and description given (nil: unchanged) of the account's row id
// in table, a bound lock or a lock group, which what names in errors.
func (s *ownerStore) updateTitled(ctx context.Context, table, what, id string, title, description *string) error {
	a := args{}
	set := setClause{a: &a}
	if title != nil {
		set.add("title", *title)
	}
	if description != nil {
		set.add("description", *description)
	}
	if len(set.parts) == 0 {
		return nil
	}
	res, err := s.q.ExecContext(ctx, `UPDATE `+table+` SET `+set.String()+
		` WHERE owner_id = `+a.bind(s.owner)+` AND id = `+a.bind(id), a...)
	if err != nil {
		return fmt.Errorf("sqlstore: update %s: %w", what, err)
	}
	return mustAffect(res, keyward.ErrNotFound.WithDetails("%s %q does not exist", what, id))
}

// checkOwnLock returns ErrNotFound when the bound lock is not the account's; what names the
// write in other errors.
func (s *ownerStore) checkOwnLock(ctx context.Context, boundLockID, what string) error {
	var n int
	err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM bound_locks WHERE id = $1 AND owner_id = $2`, boundLockID, s.owner).Scan(&n)
	if err != nil {
		return fmt.Errorf("sqlstore: %s: %w", what, err)
	}
	if n == 0 {
		return keyward.ErrNotFound.WithDetails("bound lock %q does not exist", boundLockID)
	}
	return nil
}

// UnbindBoundLock ends an active binding and takes the lock out of its groups. Unbinding a lock
// that is not active is a no-op, so DELETE is idempotent; a lock of no binding in the account is
// ErrNotFound.
func (s *ownerStore) UnbindBoundLock(ctx context.Context, id string, at keyward.Time) error {
	if err := s.checkOwnLock(ctx, id, "unbind lock"); err != nil {
		return err
	}
	if _, err := s.q.ExecContext(ctx, `UPDATE bound_locks SET active = FALSE, unbind_date = $1
		WHERE owner_id = $2 AND id = $3 AND active = TRUE`, at.Millis(), s.owner, id); err != nil {
		return fmt.Errorf("sqlstore: unbind lock: %w", err)
	}
	if err := s.leaveGroups(ctx, id, nil, at); err != nil {
		return err
	}
	if _, err := s.q.ExecContext(ctx, `DELETE FROM lock_group_members WHERE bound_lock_id = $1`, id); err != nil {
		return fmt.Errorf("sqlstore: unbind lock: %w", err)
	}
	return nil
}

// FindLatestBoundLock returns the newest binding of a physical lock, in whatever account; a
// lock reports by its physical id and does not know its account. The active binding, when
// there is one, is the newest.
func (s *store) FindLatestBoundLock(ctx context.Context, physicalLockID string) (*keyward.BoundLock, error) {
	var ownerID, id string
	err := s.q.QueryRowContext(ctx, `SELECT owner_id, id FROM bound_locks WHERE physical_lock_id = $1
		ORDER BY active DESC, bind_date DESC, created_at DESC, id DESC LIMIT 1`, physicalLockID).Scan(&ownerID, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, keyward.ErrNotFound.WithDetails("physical lock %q was never bound", physicalLockID)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find latest bound lock: %w", err)
	}
	list, err := s.FindBoundLocks(ctx, keyward.BoundLockFilter{OwnerID: ownerID, ID: &id})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, keyward.ErrNotFound.WithDetails("physical lock %q was never bound", physicalLockID)
	}
	return list[0], nil
}
