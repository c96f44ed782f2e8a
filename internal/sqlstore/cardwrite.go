package sqlstore

import (
	"context"
	"fmt"

	"github.com/keyward/keyward/internal/keyward"
)

// FindCardWrites lists the cards waiting for a write by the lock, with their active grants, in
// two statements whatever their number.
func (s *store) FindCardWrites(ctx context.Context, boundLockID string, since keyward.Time) ([]*keyward.CardWrite, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT c.id, p.uid, c.image_version, COALESCE(c.image_changed_at, c.created_at)
		FROM bound_cards c JOIN physical_cards p ON p.id = c.physical_card_id
		WHERE c.image_version > c.written_version AND c.owner_id = (SELECT owner_id FROM bound_locks WHERE id = $1)
			AND EXISTS (SELECT 1 FROM grants g WHERE g.bound_card_id = c.id AND (g.active = TRUE OR g.revoked_at >= $2)
				AND (g.target_id = $1 OR g.target_id IN (SELECT group_id FROM lock_group_members WHERE bound_lock_id = $1)))
		ORDER BY 4, c.id`, boundLockID, since.Millis())
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find card writes: %w", err)
	}
	defer rows.Close()
	var list []*keyward.CardWrite
	byID := map[string]*keyward.CardWrite{}
	for rows.Next() {
		var w keyward.CardWrite
		var changed int64
		if err := rows.Scan(&w.BoundCardID, &w.UID, &w.Version, &changed); err != nil {
			return nil, fmt.Errorf("sqlstore: find card writes: %w", err)
		}
		w.ChangedAt, w.Grants = keyward.TimeFromMillis(changed), []*keyward.Grant{}
		list, byID[w.BoundCardID] = append(list, &w), &w
	}
	if err := rows.Err(); err != nil || len(list) == 0 {
		return list, err
	}
	var owner string
	if err := s.q.QueryRowContext(ctx, `SELECT owner_id FROM bound_locks WHERE id = $1`, boundLockID).Scan(&owner); err != nil {
		return nil, fmt.Errorf("sqlstore: find card writes: %w", err)
	}
	active := true
	grants, err := s.FindGrants(ctx, keyward.GrantFilter{OwnerID: owner, CardIDs: keys(byID), Active: &active})
	for _, g := range grants {
		w := byID[*g.BoundCardID]
		w.Grants = append(w.Grants, g)
	}
	return list, err
}

func keys[V any](m map[string]V) []string {
	list := make([]string, 0, len(m))
	for k := range m {
		list = append(list, k)
	}
	return list
}

// FindTargetLockIDs resolves locks and groups to the physical locks they open, in one statement.
func (s *store) FindTargetLockIDs(ctx context.Context, targetIDs []string) (map[string][]string, error) {
	a := args{}
	in1 := s.d.in("b.id", targetIDs, &a)
	in2 := s.d.in("m.group_id", targetIDs, &a)
	rows, err := s.q.QueryContext(ctx, `SELECT b.id, b.physical_lock_id FROM bound_locks b WHERE b.active = TRUE AND `+in1+`
		UNION ALL SELECT m.group_id, b.physical_lock_id FROM lock_group_members m JOIN bound_locks b ON b.id = m.bound_lock_id
			WHERE b.active = TRUE AND `+in2+` ORDER BY 1, 2`, a...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find target locks: %w", err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var target, lock string
		if err := rows.Scan(&target, &lock); err != nil {
			return nil, fmt.Errorf("sqlstore: find target locks: %w", err)
		}
		out[target] = append(out[target], lock)
	}
	return out, rows.Err()
}

// ConfirmCardWrite takes a lock's report that it wrote a card's image: the card holds the
// grants up to that version, and its revoked grants that the image no longer holds are Revoked
// (the card gave them back), whatever the locks' lists say.
func (s *ownerStore) ConfirmCardWrite(ctx context.Context, boundCardID string, version int64) error {
	res, err := s.q.ExecContext(ctx, `UPDATE bound_cards SET written_version = $1
		WHERE id = $2 AND owner_id = $3 AND written_version < $1 AND image_version >= $1`, version, boundCardID, s.owner)
	if err != nil {
		return fmt.Errorf("sqlstore: confirm card write: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	_, err = s.q.ExecContext(ctx, `UPDATE grants SET state = 'Revoked' WHERE owner_id = $1 AND bound_card_id = $2
		AND state = 'RevocationPending' AND card_version <= $3`, s.owner, boundCardID, version)
	if err != nil {
		return fmt.Errorf("sqlstore: confirm card write: %w", err)
	}
	return nil
}
