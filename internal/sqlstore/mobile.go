package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/keyward/keyward/internal/keyward"
)

const mobileColumns = `id, user_id, name, platform, public_key, created_at`

// CreateMobile stores m unless its public key is registered, and returns the mobile registered
// under the key. The unique index decides, so that two registrations of one key racing on two
// nodes end with one mobile, which both answer.
func (s *store) CreateMobile(ctx context.Context, m *keyward.Mobile) (*keyward.Mobile, error) {
	key := base64.StdEncoding.EncodeToString(m.PublicKey)
	_, err := s.q.ExecContext(ctx, `INSERT INTO mobiles (`+mobileColumns+`) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (public_key) DO NOTHING`, m.ID, m.UserID, m.Name, m.Platform, key, m.CreatedAt.Millis())
	if err != nil {
		return nil, fmt.Errorf("sqlstore: create mobile: %w", err)
	}
	list, err := s.findMobiles(ctx, `public_key = $1`, key)
	if err == nil && len(list) == 0 {
		err = errors.New("the mobile stored under its key is gone")
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: create mobile: %w", err)
	}
	return list[0], nil
}

// FindMobiles lists a user's mobiles in the order they were registered.
func (s *store) FindMobiles(ctx context.Context, userID string) ([]*keyward.Mobile, error) {
	return s.findMobiles(ctx, `user_id = $1`, userID)
}

// FindMobile returns one mobile of a user.
func (s *store) FindMobile(ctx context.Context, userID, id string) (*keyward.Mobile, error) {
	list, err := s.findMobiles(ctx, `user_id = $1 AND id = $2`, userID, id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, errMobileNotFound(id)
	}
	return list[0], nil
}

func errMobileNotFound(id string) error {
	return keyward.ErrNotFound.WithDetails("the caller has no mobile %q", id)
}

// DeleteMobile removes one mobile of a user.
func (s *store) DeleteMobile(ctx context.Context, userID, id string) error {
	res, err := s.q.ExecContext(ctx, `DELETE FROM mobiles WHERE user_id = $1 AND id = $2`, userID, id)
	if err != nil {
		return fmt.Errorf("sqlstore: delete mobile: %w", err)
	}
	return mustAffect(res, errMobileNotFound(id))
}

func (s *store) findMobiles(ctx context.Context, cond string, a ...any) ([]*keyward.Mobile, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+mobileColumns+` FROM mobiles WHERE `+cond+` ORDER BY created_at, id`, a...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find mobiles: %w", err)
	}
	defer rows.Close()
	list := []*keyward.Mobile{}
	for rows.Next() {
		var m keyward.Mobile
		var key string
		var created int64
		if err := rows.Scan(&m.ID, &m.UserID, &m.Name, &m.Platform, &key, &created); err != nil {
			return nil, fmt.Errorf("sqlstore: find mobiles: %w", err)
		}
		if m.PublicKey, err = base64.StdEncoding.DecodeString(key); err != nil {
			return nil, fmt.Errorf("sqlstore: mobile %s has a public key that is not Base64: %w", m.ID, err)
		}
		m.CreatedAt = keyward.TimeFromMillis(created)
		list = append(list, &m)
	}
	return list, rows.Err()
}

// keyGrantsSQL reads the active grants of a user's contacts with one row per lock of each
// grant's target: the bound lock itself (no group has its id, so the member join finds
// nothing), or each member of the group. Only active bindings count; a target without one has
// no rows and so issues no key.
const keyGrantsSQL = `SELECT g.id, g.owner_id, g.contact_id, g.target_id, g.target_type, g.valid_from, g.valid_before,
	g.time_restriction_ical, g.delivered, b.physical_lock_id, b.rcl_serial_no, p.kids
	FROM contacts c
	JOIN grants g ON g.contact_id = c.id AND g.active = TRUE
	LEFT JOIN lock_group_members m ON m.group_id = g.target_id
	JOIN bound_locks b ON b.id = COALESCE(m.bound_lock_id, g.target_id) AND b.active = TRUE
	JOIN physical_locks p ON p.id = b.physical_lock_id
	WHERE c.natural_key = $1
	ORDER BY g.created_at, g.id`

// FindKeyGrants reads a user's grants with their locks in one statement, however many there
// are in however many accounts.
func (s *store) FindKeyGrants(ctx context.Context, contactKey string) ([]*keyward.KeyGrant, error) {
	rows, err := s.q.QueryContext(ctx, keyGrantsSQL, contactKey)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find key grants: %w", err)
	}
	defer rows.Close()
	var list []*keyward.KeyGrant
	for rows.Next() {
		g, l, err := scanKeyGrant(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: find key grants: %w", err)
		}
		if n := len(list); n == 0 || list[n-1].ID != g.ID {
			list = append(list, g)
		}
		last := list[len(list)-1]
		last.Locks = append(last.Locks, l)
	}
	for _, g := range list {
		slices.SortFunc(g.Locks, func(a, b keyward.KeyLock) int { return strings.Compare(a.PhysicalLockID, b.PhysicalLockID) })
	}
	return list, rows.Err()
}

// scanKeyGrant reads one row of keyGrantsSQL: a grant and one of its locks.
func scanKeyGrant(rows *sql.Rows) (*keyward.KeyGrant, keyward.KeyLock, error) {
	var g keyward.KeyGrant
	var l keyward.KeyLock
	var from, before sql.NullInt64
	var ical sql.NullString
	var kids string
	err := rows.Scan(&g.ID, &g.OwnerAccountID, &g.ContactID, &g.TargetID, &g.TargetType, &from, &before, &ical, &g.Delivered,
		&l.PhysicalLockID, &l.RclSerialNo, &kids)
	if err != nil {
		return nil, l, err
	}
	if err := json.Unmarshal([]byte(kids), &l.KIDs); err != nil {
		return nil, l, fmt.Errorf("the kids of lock %s are not a JSON array: %w", l.PhysicalLockID, err)
	}
	g.ValidFrom, g.ValidBefore, g.TimeRestrictionIcal = timePtr(from), timePtr(before), strPtr(ical)
	return &g, l, nil
}
