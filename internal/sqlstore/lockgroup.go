package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/odata"
)

var lockGroupSchema = odata.Schema{
	{Name: "id", Column: "id", Type: odata.String},
	{Name: "ownerAccountId", Column: "owner_id", Type: odata.String},
	{Name: "title", Column: "title", Type: odata.String},
	{Name: "description", Column: "description", Type: odata.String},
	{Name: "active", Column: "active", Type: odata.Bool},
	// A group has no revocation list or physical lock of its own. The constants are typed, since
	// PostgreSQL cannot infer a parameter's type from a bare NULL and refuses a bare literal as
	// an ORDER BY key.
	{Name: "targetType", Column: "CAST('Group' AS TEXT)", Type: odata.String},
	{Name: "rclSerialNo", Column: "CAST(NULL AS BIGINT)", Type: odata.Int, Nullable: true},
	{Name: "rclDate", Column: "CAST(NULL AS BIGINT)", Type: odata.Time, Nullable: true},
	{Name: "physicalLockId", Column: "CAST(NULL AS TEXT)", Type: odata.String, Nullable: true},
}

// CreateLockGroup stores g.
func (s *ownerStore) CreateLockGroup(ctx context.Context, g *keyward.LockGroup) error {
	if err := s.mine("lock group", g.OwnerAccountID); err != nil {
		return err
	}
	_, err := s.q.ExecContext(ctx, `INSERT INTO lock_groups (id, owner_id, title, description, active, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, g.ID, g.OwnerAccountID, g.Title, g.Description, g.Active, g.CreatedAt.Millis())
	if err != nil {
		return fmt.Errorf("sqlstore: create lock group: %w", err)
	}
	return nil
}

// FindLockGroups lists the lock groups of one owner account.
func (s *store) FindLockGroups(ctx context.Context, f keyward.LockGroupFilter) ([]*keyward.LockGroup, error) {
	var a args
	spec := listSpec{
		selectFrom:   `SELECT id, owner_id, title, description, active, created_at FROM lock_groups`,
		where:        []string{"owner_id = " + a.bind(f.OwnerID)},
		schema:       lockGroupSchema,
		defaultOrder: "created_at, id",
	}
	if f.ID != nil {
		spec.where = append(spec.where, "id = "+a.bind(*f.ID))
	}
	if f.IDs != nil {
		spec.where = append(spec.where, s.d.in("id", f.IDs, &a))
	}
	if f.MemberLockID != nil {
		spec.where = append(spec.where, "id IN (SELECT group_id FROM lock_group_members WHERE bound_lock_id = "+a.bind(*f.MemberLockID)+")")
	}
	var list []*keyward.LockGroup
	err := s.list(ctx, spec, a, f.Query, func(rows *sql.Rows) error {
		var g keyward.LockGroup
		var created int64
		if err := rows.Scan(&g.ID, &g.OwnerAccountID, &g.Title, &g.Description, &g.Active, &created); err != nil {
			return err
		}
		g.CreatedAt, g.TargetType = keyward.TimeFromMillis(created), "Group"
		list = append(list, &g)
		return nil
	})
	return list, err
}

// UpdateLockGroup changes title and description.
func (s *ownerStore) UpdateLockGroup(ctx context.Context, id string, u keyward.LockGroupUpdate) error {
	return s.updateTitled(ctx, "lock_groups", "lock group", id, u.Title, u.Description)
}

// DeleteLockGroup ends a group: it stays readable with active false, so that the grants that
// targeted it keep their embedded group, and it loses its members.
func (s *ownerStore) DeleteLockGroup(ctx context.Context, id string) error {
	res, err := s.q.ExecContext(ctx, `UPDATE lock_groups SET active = FALSE WHERE owner_id = $1 AND id = $2`, s.owner, id)
	if err != nil {
		return fmt.Errorf("sqlstore: delete lock group: %w", err)
	}
	if err := mustAffect(res, keyward.ErrNotFound.WithDetails("lock group %q does not exist", id)); err != nil {
		return err
	}
	if _, err := s.q.ExecContext(ctx, `DELETE FROM lock_group_members WHERE group_id = $1`, id); err != nil {
		return fmt.Errorf("sqlstore: delete lock group: %w", err)
	}
	return nil
}

// AddLockGroupMember adds a lock to a group; it stays JoinPending until the lock syncs. Adding a
// member twice leaves the first membership as it is. Both must belong to the account (ErrNotFound).
func (s *ownerStore) AddLockGroupMember(ctx context.Context, groupID, boundLockID string, at keyward.Time) error {
	var n int
	err := s.q.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM lock_groups WHERE id = $1 AND owner_id = $3)
		+ (SELECT COUNT(*) FROM bound_locks WHERE id = $2 AND owner_id = $3)`, groupID, boundLockID, s.owner).Scan(&n)
	if err != nil {
		return fmt.Errorf("sqlstore: add lock group member: %w", err)
	}
	if n != 2 {
		return keyward.ErrNotFound.WithDetails("lock group %q or bound lock %q is not in this owner account", groupID, boundLockID)
	}
	_, err = s.q.ExecContext(ctx, `INSERT INTO lock_group_members (group_id, bound_lock_id, state, created_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (group_id, bound_lock_id) DO NOTHING`,
		groupID, boundLockID, keyward.MembershipJoinPending, at.Millis())
	if err != nil {
		return fmt.Errorf("sqlstore: add lock group member: %w", err)
	}
	return s.rejoin(ctx, groupID, boundLockID, at)
}

// rejoin takes the group's active grants off the revocation list of a lock that left the group
// before and joins it again, so that their keys open it once more.
func (s *ownerStore) rejoin(ctx context.Context, groupID, boundLockID string, at keyward.Time) error {
	res, err := s.q.ExecContext(ctx, `DELETE FROM lock_revocations
		WHERE physical_lock_id = (SELECT physical_lock_id FROM bound_locks WHERE id = $1 AND owner_id = $3)
			AND grant_id IN (SELECT id FROM grants WHERE target_id = $2 AND owner_id = $3 AND active = TRUE)`, boundLockID, groupID, s.owner)
	if err != nil {
		return fmt.Errorf("sqlstore: add lock group member: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	return s.changeList(ctx, boundLockID, at)
}

// RemoveLockGroupMember takes a lock out of a group. Keys of the group's grants that left the
// server while the lock was a member name it, so those grants go onto its revocation list first.
func (s *ownerStore) RemoveLockGroupMember(ctx context.Context, groupID, boundLockID string, at keyward.Time) error {
	if err := s.leaveGroups(ctx, boundLockID, &groupID, at); err != nil {
		return err
	}
	res, err := s.q.ExecContext(ctx, `DELETE FROM lock_group_members WHERE group_id = $1 AND bound_lock_id = $2
		AND group_id IN (SELECT id FROM lock_groups WHERE owner_id = $3)`, groupID, boundLockID, s.owner)
	if err != nil {
		return fmt.Errorf("sqlstore: remove lock group member: %w", err)
	}
	return mustAffect(res, keyward.ErrNotFound.WithDetails("bound lock %q is not a member of lock group %q", boundLockID, groupID))
}

// leaveGroups puts the delivered active grants of the lock's groups (of groupID only, when
// given) onto the lock's revocation list, since keys and card images issued while it was a
// member name it, and gives the lock one list change when that added any. Cards holding such a
// grant get a new image, without the lock.
func (s *ownerStore) leaveGroups(ctx context.Context, boundLockID string, groupID *string, at keyward.Time) error {
	a := args{at.Millis(), s.owner, boundLockID}
	cond := ""
	if groupID != nil {
		cond = " AND m.group_id = " + a.bind(*groupID)
	}
	rows, err := s.q.QueryContext(ctx, `INSERT INTO lock_revocations (physical_lock_id, grant_id, card, revoked_at)
		SELECT b.physical_lock_id, g.id, g.bound_card_id IS NOT NULL, $1 FROM bound_locks b
			JOIN lock_group_members m ON m.bound_lock_id = b.id JOIN grants g ON g.target_id = m.group_id AND g.owner_id = b.owner_id
		WHERE b.id = $3 AND b.owner_id = $2 AND g.active = TRUE AND g.delivered = TRUE`+cond+`
		ON CONFLICT (physical_lock_id, grant_id) DO NOTHING RETURNING grant_id`, a...)
	if err != nil {
		return fmt.Errorf("sqlstore: leave lock groups: %w", err)
	}
	ids, err := scanStrings(rows)
	if err != nil || len(ids) == 0 {
		return err
	}
	if err := s.changeGrantCards(ctx, ids, at); err != nil {
		return err
	}
	return s.changeList(ctx, boundLockID, at)
}

// changeList gives one bound lock of the account a revocation-list change.
func (s *ownerStore) changeList(ctx context.Context, boundLockID string, at keyward.Time) error {
	if _, err := s.q.ExecContext(ctx, `UPDATE bound_locks SET rcl_serial_no = rcl_serial_no + 1, rcl_date = $1 WHERE id = $2 AND owner_id = $3`,
		at.Millis(), boundLockID, s.owner); err != nil {
		return fmt.Errorf("sqlstore: change revocation list: %w", err)
	}
	return nil
}

// LockGroupStatistics counts the groups' members by state, in one query for all of them.
func (s *store) LockGroupStatistics(ctx context.Context, groupIDs []string) (map[string][]keyward.StateCount, error) {
	return s.stateCounts(ctx, "group_id", groupIDs)
}

// LockGroupTimeRestrictionSupport finds, in one query for all the groups, those with a member
// that does not support time restrictions; the query stops at the first such member of a group.
func (s *store) LockGroupTimeRestrictionSupport(ctx context.Context, groupIDs []string) (map[string]bool, error) {
	support := make(map[string]bool, len(groupIDs))
	for _, id := range groupIDs {
		support[id] = true
	}
	if len(groupIDs) == 0 {
		return support, nil
	}
	var a args
	rows, err := s.q.QueryContext(ctx, `SELECT g.id FROM lock_groups g WHERE `+s.d.in("g.id", groupIDs, &a)+`
		AND EXISTS (SELECT 1 FROM lock_group_members m JOIN bound_locks b ON b.id = m.bound_lock_id
			JOIN physical_locks p ON p.id = b.physical_lock_id
			WHERE m.group_id = g.id AND p.time_restriction_support = FALSE)`, a...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: group time-restriction support: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("sqlstore: group time-restriction support: %w", err)
		}
		support[id] = false
	}
	return support, rows.Err()
}

// LockGroupZones reads the distinct zones of the account's groups' member locks in one query.
func (s *store) LockGroupZones(ctx context.Context, ownerID string, groupIDs []string) (map[string][]string, error) {
	zones := make(map[string][]string, len(groupIDs))
	if len(groupIDs) == 0 {
		return zones, nil
	}
	var a args
	rows, err := s.q.QueryContext(ctx, `SELECT DISTINCT m.group_id, p.time_zone FROM lock_group_members m
		JOIN lock_groups g ON g.id = m.group_id AND g.owner_id = `+a.bind(ownerID)+`
		JOIN bound_locks b ON b.id = m.bound_lock_id JOIN physical_locks p ON p.id = b.physical_lock_id
		WHERE `+s.d.in("m.group_id", groupIDs, &a)+` ORDER BY m.group_id, p.time_zone`, a...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: group zones: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, zone string
		if err := rows.Scan(&id, &zone); err != nil {
			return nil, fmt.Errorf("sqlstore: group zones: %w", err)
		}
		zones[id] = append(zones[id], zone)
	}
	return zones, rows.Err()
}

// LockMembershipStatistics counts the locks' memberships by state, in one query for all of them.
func (s *store) LockMembershipStatistics(ctx context.Context, boundLockIDs []string) (map[string][]keyward.StateCount, error) {
	return s.stateCounts(ctx, "bound_lock_id", boundLockIDs)
}

// stateCounts groups lock_group_members by key column and state.
func (s *store) stateCounts(ctx context.Context, key string, ids []string) (map[string][]keyward.StateCount, error) {
	counts := make(map[string][]keyward.StateCount, len(ids))
	for _, id := range ids {
		counts[id] = []keyward.StateCount{}
	}
	if len(ids) == 0 {
		return counts, nil
	}
	var a args
	rows, err := s.q.QueryContext(ctx, `SELECT `+key+`, state, COUNT(*) FROM lock_group_members WHERE `+s.d.in(key, ids, &a)+
		` GROUP BY `+key+`, state ORDER BY `+key+`, state`, a...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: membership statistics: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var c keyward.StateCount
		if err := rows.Scan(&id, &c.State, &c.Count); err != nil {
			return nil, fmt.Errorf("sqlstore: membership statistics: %w", err)
		}
		counts[id] = append(counts[id], c)
	}
	return counts, rows.Err()
}
