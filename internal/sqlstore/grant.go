package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/odata"
)

var grantSchema = odata.Schema{
	{Name: "id", Column: "id", Type: odata.String},
	{Name: "ownerAccountId", Column: "owner_id", Type: odata.String},
	{Name: "boundLockId", Column: "target_id", Type: odata.String},
	{Name: "contactId", Column: "contact_id", Type: odata.String, Nullable: true},
	{Name: "boundCardId", Column: "bound_card_id", Type: odata.String, Nullable: true},
	{Name: "validFrom", Column: "valid_from", Type: odata.Time, Nullable: true},
	{Name: "validBefore", Column: "valid_before", Type: odata.Time, Nullable: true},
	{Name: "timeRestrictionIcal", Column: "time_restriction_ical", Type: odata.String, Nullable: true},
	{Name: "state", Column: "state", Type: odata.String},
	{Name: "active", Column: "active", Type: odata.Bool},
}

// granteeKey is what the Duplicate index compares: the contact or the card.
func granteeKey(g *keyward.Grant) string {
	if g.BoundCardID != nil {
		return "card:" + *g.BoundCardID
	}
	if g.ContactID != nil {
		return "contact:" + *g.ContactID
	}
	return "contact:"
}

// CreateGrant stores g; a second active grant for the same target and grantee is ErrDuplicate.
func (s *ownerStore) CreateGrant(ctx context.Context, g *keyward.Grant) error {
	if err := s.mine("grant", g.OwnerAccountID); err != nil {
		return err
	}
	if g.BoundCardID != nil {
		if err := s.changeCards(ctx, []string{*g.BoundCardID}, g.CreatedAt); err != nil {
			return err
		}
	}
	_, err := s.q.ExecContext(ctx, `INSERT INTO grants (id, owner_id, target_id, target_type, contact_id, bound_card_id,
		grantee_key, valid_from, valid_before, time_restriction_ical, state, active, delivered, created_at, card_version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
			(SELECT image_version FROM bound_cards WHERE id = $6))`,
		g.ID, g.OwnerAccountID, g.BoundLockID, g.TargetType, g.ContactID, g.BoundCardID, granteeKey(g),
		nullTime(g.ValidFrom), nullTime(g.ValidBefore), g.TimeRestrictionIcal, g.State, g.Active, g.Delivered, g.CreatedAt.Millis())
	if isUniqueViolation(err) {
		return keyward.ErrDuplicate.WithDetails("%s already has an active grant for %s %q", g.Grantee(), g.TargetType, g.BoundLockID)
	}
	if err != nil {
		return fmt.Errorf("sqlstore: create grant: %w", err)
	}
	return nil
}

const grantColumns = `id, owner_id, target_id, target_type, contact_id, bound_card_id, valid_from, valid_before,
	time_restriction_ical, state, active, delivered, created_at, revoked_at, revoked_seq,
	CASE WHEN bound_card_id IS NULL THEN NULL
		WHEN COALESCE(card_version, 0) <= (SELECT written_version FROM bound_cards c WHERE c.id = grants.bound_card_id) THEN 'Written'
		ELSE 'WritePending' END`

// grantFilterSQL turns the fixed fields of a filter into conditions.
func grantFilterSQL(d dialect, f keyward.GrantFilter, a *args) []string {
	where := []string{"owner_id = " + a.bind(f.OwnerID)}
	for _, c := range []struct {
		col string
		v   *string
	}{{"id", f.ID}, {"target_id", f.BoundLockID}, {"contact_id", f.ContactID}, {"bound_card_id", f.BoundCardID}} {
		if c.v != nil {
			where = append(where, c.col+" = "+a.bind(*c.v))
		}
	}
	if f.IDs != nil {
		where = append(where, d.in("id", f.IDs, a))
	}
	if f.TargetIDs != nil {
		where = append(where, d.in("target_id", f.TargetIDs, a))
	}
	if f.ContactIDs != nil {
		where = append(where, d.in("contact_id", f.ContactIDs, a))
	}
	if f.CardIDs != nil {
		where = append(where, d.in("bound_card_id", f.CardIDs, a))
	}
	if f.Active != nil {
		where = append(where, "active = "+a.bind(*f.Active))
	}
	return where
}

// FindGrants lists grants in creation order.
func (s *store) FindGrants(ctx context.Context, f keyward.GrantFilter) ([]*keyward.Grant, error) {
	var a args
	spec := listSpec{
		selectFrom:   `SELECT ` + grantColumns + ` FROM grants`,
		where:        grantFilterSQL(s.d, f, &a),
		schema:       grantSchema,
		defaultOrder: "created_at, id",
	}
	var list []*keyward.Grant
	err := s.list(ctx, spec, a, f.Query, func(rows *sql.Rows) error {
		g, err := scanGrant(rows)
		list = append(list, g)
		return err
	})
	return list, err
}

func scanGrant(rows *sql.Rows) (*keyward.Grant, error) {
	var g keyward.Grant
	var contactID, cardID, ical, cardState sql.NullString
	var from, before, revoked sql.NullInt64
	var created int64
	err := rows.Scan(&g.ID, &g.OwnerAccountID, &g.BoundLockID, &g.TargetType, &contactID, &cardID, &from, &before,
		&ical, &g.State, &g.Active, &g.Delivered, &created, &revoked, &g.RevokedSeq, &cardState)
	g.ContactID, g.BoundCardID, g.TimeRestrictionIcal = strPtr(contactID), strPtr(cardID), strPtr(ical)
	g.CardWriteState = strPtr(cardState)
	g.ValidFrom, g.ValidBefore, g.RevokedAt = timePtr(from), timePtr(before), timePtr(revoked)
	g.CreatedAt = keyward.TimeFromMillis(created)
	return &g, err
}

// CountGrants counts the grants a filter selects (its Query is ignored).
func (s *store) CountGrants(ctx context.Context, f keyward.GrantFilter) (int, error) {
	var a args
	var n int
	err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM grants WHERE `+joinAnd(grantFilterSQL(s.d, f, &a)), a...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: count grants: %w", err)
	}
	return n, nil
}

// CountSmartphoneUsers counts the account's contacts that hold at least one active grant.
func (s *store) CountSmartphoneUsers(ctx context.Context, ownerID string) (int, error) {
	var n int
	err := s.q.QueryRowContext(ctx, `SELECT COUNT(DISTINCT contact_id) FROM grants
		WHERE owner_id = $1 AND active = TRUE AND contact_id IS NOT NULL`, ownerID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: count smartphone users: %w", err)
	}
	return n, nil
}

// RevokeGrant ends an active grant with the given state (RevocationPending when a lock holds its
// key, else Revoked); ErrNotFound when no active grant has that id.
func (s *ownerStore) RevokeGrant(ctx context.Context, id string, state string, at keyward.Time) error {
	res, err := s.q.ExecContext(ctx, `UPDATE grants SET active = FALSE, state = $1, revoked_at = $2,
		revoked_seq = (SELECT version FROM owners WHERE id = grants.owner_id)
		WHERE owner_id = $3 AND id = $4 AND active = TRUE`, state, at.Millis(), s.owner, id)
	if err != nil {
		return fmt.Errorf("sqlstore: revoke grant: %w", err)
	}
	if err := mustAffect(res, keyward.ErrNotFound.WithDetails("grant %q is not active", id)); err != nil {
		return err
	}
	return s.changeGrantCards(ctx, []string{id}, at)
}

// RevokeGrants ends the filter's active grants in one statement that also decides their states,
// then gives each lock that held one of their keys one revocation-list change.
func (s *ownerStore) RevokeGrants(ctx context.Context, f keyward.GrantFilter, pending bool, at keyward.Time) ([]string, error) {
	f.Active, f.OwnerID = nil, s.owner
	a := args{pending, at.Millis()}
	conds := append(grantFilterSQL(s.d, f, &a), "active = TRUE")
	rows, err := s.q.QueryContext(ctx, `UPDATE grants SET active = FALSE, revoked_at = $2,
		state = CASE WHEN delivered AND $1 THEN 'RevocationPending' ELSE 'Revoked' END,
		revoked_seq = (SELECT version FROM owners WHERE id = grants.owner_id)
		WHERE `+joinAnd(conds)+` RETURNING id`, a...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: revoke grants: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("sqlstore: revoke grants: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: revoke grants: %w", err)
	}
	if err := s.changeGrantCards(ctx, ids, at); err != nil {
		return nil, err
	}
	return ids, s.bumpHolders(ctx, f.OwnerID, ids, at)
}

// bumpHolders puts the grants on the revocation list of each lock that may hold a key of one of
// them (the grant's own lock, or the members of its group) and gives each such lock one
// revocation-list change.
func (s *store) bumpHolders(ctx context.Context, ownerID string, grantIDs []string, at keyward.Time) error {
	if len(grantIDs) == 0 {
		return nil
	}
	a := args{at.Millis(), ownerID}
	if _, err := s.q.ExecContext(ctx, `INSERT INTO lock_revocations (physical_lock_id, grant_id, card, revoked_at)
		SELECT b.physical_lock_id, g.id, g.bound_card_id IS NOT NULL, $1 FROM grants g JOIN bound_locks b
			ON b.id = g.target_id OR b.id IN (SELECT bound_lock_id FROM lock_group_members WHERE group_id = g.target_id)
		WHERE b.owner_id = $2 AND g.owner_id = $2 AND g.delivered = TRUE AND `+s.d.in("g.id", grantIDs, &a)+`
		ON CONFLICT (physical_lock_id, grant_id) DO NOTHING`, a...); err != nil {
		return fmt.Errorf("sqlstore: list revocations: %w", err)
	}
	a = args{at.Millis(), ownerID}
	delivered := `SELECT target_id FROM grants WHERE delivered = TRUE AND ` + s.d.in("id", grantIDs, &a)
	_, err := s.q.ExecContext(ctx, `UPDATE bound_locks SET rcl_serial_no = rcl_serial_no + 1, rcl_date = $1
		WHERE owner_id = $2 AND (id IN (`+delivered+`)
			OR id IN (SELECT bound_lock_id FROM lock_group_members WHERE group_id IN (`+delivered+`)))`, a...)
	if err != nil {
		return fmt.Errorf("sqlstore: bump revocation lists: %w", err)
	}
	return nil
}

// FindPendingRevocations lists the account's grants on the lock's revocation list that wait
// for this lock's confirmation: its confirmed syncs all ran before the revocation.
func (s *store) FindPendingRevocations(ctx context.Context, boundLockID string) ([]keyward.PendingRevocation, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT g.id, g.contact_id, g.bound_card_id, g.revoked_at, g.valid_before
		FROM bound_locks b JOIN lock_revocations r ON r.physical_lock_id = b.physical_lock_id
		JOIN grants g ON g.id = r.grant_id AND g.owner_id = b.owner_id
		WHERE b.id = $1 AND g.state = 'RevocationPending' AND b.last_sync_seq <= g.revoked_seq
		ORDER BY g.revoked_at, g.id`, boundLockID)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find pending revocations: %w", err)
	}
	defer rows.Close()
	list := []keyward.PendingRevocation{}
	for rows.Next() {
		var p keyward.PendingRevocation
		var revoked int64
		var before sql.NullInt64
		if err := rows.Scan(&p.GrantID, &p.ContactID, &p.BoundCardID, &revoked, &before); err != nil {
			return nil, fmt.Errorf("sqlstore: find pending revocations: %w", err)
		}
		p.RevokedAt, p.ValidBefore = keyward.TimeFromMillis(revoked), timePtr(before)
		list = append(list, p)
	}
	return list, rows.Err()
}

// FindLockRevocations lists the grants on a physical lock's revocation list.
func (s *store) FindLockRevocations(ctx context.Context, physicalLockID string, since keyward.Time) (keys, cards []string, err error) {
	// A key's row ends with its retention; a card grant's only once its card was rewritten
	// without it, since a card is not renewed and holds its grants until then.
	rows, err := s.q.QueryContext(ctx, `SELECT r.grant_id, r.card FROM lock_revocations r
		LEFT JOIN grants g ON g.id = r.grant_id LEFT JOIN bound_cards c ON c.id = g.bound_card_id
		WHERE r.physical_lock_id = $1 AND ((r.card = FALSE AND r.revoked_at >= $2)
			OR (r.card = TRUE AND (c.id IS NULL OR c.written_version < COALESCE(g.card_version, 0))))
		ORDER BY r.grant_id`, physicalLockID, since.Millis())
	if err != nil {
		return nil, nil, fmt.Errorf("sqlstore: find lock revocations: %w", err)
	}
	defer rows.Close()
	keys, cards = []string{}, []string{}
	for rows.Next() {
		var id string
		var card bool
		if err := rows.Scan(&id, &card); err != nil {
			return nil, nil, fmt.Errorf("sqlstore: find lock revocations: %w", err)
		}
		if card {
			cards = append(cards, id)
		} else {
			keys = append(keys, id)
		}
	}
	return keys, cards, rows.Err()
}

// SyncLock records that a bound lock synced at, holding the revocation list with serial
// rclSerialNo. When that is the lock's newest list, the lock has learned of every revocation so
// far and knows its group memberships: a pending revocation of a grant on the lock is
// confirmed, and one on a group once every member has confirmed a list made after it. "After"
// compares the owner account's version at the confirming sync and at the revocation (both run
// under the account's lock, which bumps it), so it is exact where clock times could be equal.
// A lock that reports an older list confirms nothing.
func (s *ownerStore) SyncLock(ctx context.Context, boundLockID string, rclSerialNo int64, at keyward.Time) error {
	res, err := s.q.ExecContext(ctx, `UPDATE bound_locks SET last_sync_at = $1,
		last_seen_rcl_update_date = CASE WHEN last_seen_rcl_serial_no = $2 THEN last_seen_rcl_update_date ELSE $1 END,
		last_seen_rcl_serial_no = $2,
		last_sync_seq = CASE WHEN $2 >= rcl_serial_no THEN (SELECT version FROM owners WHERE id = bound_locks.owner_id)
			ELSE last_sync_seq END
		WHERE id = $3 AND owner_id = $4`, at.Millis(), rclSerialNo, boundLockID, s.owner)
	if err != nil {
		return fmt.Errorf("sqlstore: sync lock: %w", err)
	}
	if err := mustAffect(res, keyward.ErrNotFound.WithDetails("bound lock %q is not in this owner account", boundLockID)); err != nil {
		return err
	}
	// Each statement acts only when the sync above confirmed the newest list.
	const current = ` AND EXISTS (SELECT 1 FROM bound_locks c WHERE c.id = $1 AND c.last_seen_rcl_serial_no >= c.rcl_serial_no)`
	stmts := []string{
		`UPDATE lock_group_members SET state = 'Joined' WHERE bound_lock_id = $1 AND state = 'JoinPending'` + current,
		`UPDATE grants SET state = 'Revoked' WHERE state = 'RevocationPending' AND target_id = $1` + current,
		`UPDATE grants SET state = 'Revoked' WHERE state = 'RevocationPending'
			AND target_id IN (SELECT group_id FROM lock_group_members WHERE bound_lock_id = $1)
			AND NOT EXISTS (SELECT 1 FROM lock_group_members m JOIN bound_locks b ON b.id = m.bound_lock_id
				WHERE m.group_id = grants.target_id AND b.last_sync_seq <= grants.revoked_seq)` + current,
	}
	for _, q := range stmts {
		if _, err := s.q.ExecContext(ctx, q, boundLockID); err != nil {
			return fmt.Errorf("sqlstore: sync lock: %w", err)
		}
	}
	return nil
}

// MarkGrantsDelivered records that keys of these active grants of the account left the server.
// Grants delivered already are not written again, so that a phone polling for keys it holds
// changes nothing.
func (s *ownerStore) MarkGrantsDelivered(ctx context.Context, grantIDs []string) error {
	a := args{s.owner}
	_, err := s.q.ExecContext(ctx, `UPDATE grants SET delivered = TRUE WHERE owner_id = $1 AND active = TRUE
		AND delivered = FALSE AND `+s.d.in("id", grantIDs, &a), a...)
	if err != nil {
		return fmt.Errorf("sqlstore: mark grants delivered: %w", err)
	}
	return nil
}

// changeCards gives each of the account's cards a new image version: its grants changed, so a
// lock shall write it again.
func (s *ownerStore) changeCards(ctx context.Context, cardIDs []string, at keyward.Time) error {
	a := args{at.Millis(), s.owner}
	_, err := s.q.ExecContext(ctx, `UPDATE bound_cards SET image_version = image_version + 1, image_changed_at = $1
		WHERE owner_id = $2 AND `+s.d.in("id", cardIDs, &a), a...)
	if err != nil {
		return fmt.Errorf("sqlstore: change cards: %w", err)
	}
	return nil
}

// changeGrantCards changes the cards of the revoked grants among ids and records in each grant
// the first image without it.
func (s *ownerStore) changeGrantCards(ctx context.Context, grantIDs []string, at keyward.Time) error {
	a := args{s.owner}
	cards := `SELECT bound_card_id FROM grants WHERE owner_id = $1 AND bound_card_id IS NOT NULL AND ` + s.d.in("id", grantIDs, &a)
	rows, err := s.q.QueryContext(ctx, cards, a...)
	if err != nil {
		return fmt.Errorf("sqlstore: change grant cards: %w", err)
	}
	ids, err := scanStrings(rows)
	if err != nil || len(ids) == 0 {
		return err
	}
	if err := s.changeCards(ctx, ids, at); err != nil {
		return err
	}
	a = args{s.owner}
	_, err = s.q.ExecContext(ctx, `UPDATE grants SET card_version = (SELECT image_version FROM bound_cards c WHERE c.id = grants.bound_card_id)
		WHERE owner_id = $1 AND bound_card_id IS NOT NULL AND `+s.d.in("id", grantIDs, &a), a...)
	if err != nil {
		return fmt.Errorf("sqlstore: change grant cards: %w", err)
	}
	return nil
}

// scanStrings reads one text column of every row and closes rows.
func scanStrings(rows *sql.Rows) ([]string, error) {
	defer rows.Close()
	var list []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		list = append(list, v)
	}
	return list, rows.Err()
}

// FindPropagationBacklog counts the pending revocations of active bound locks and the cards
// waiting for a write, in one statement of two aggregate rows; the partial indexes of migration
// 0013 keep it to the pending rows, however many grants and cards the server holds.
func (s *store) FindPropagationBacklog(ctx context.Context, since keyward.Time) (keyward.PropagationBacklog, error) {
	// CROSS JOIN fixes SQLite's join order (PostgreSQL plans by its statistics): from the few
	// pending grants to their list rows to the active binding, never from every lock.
	rows, err := s.q.QueryContext(ctx, `SELECT 'r', COUNT(*), MIN(g.revoked_at)
		FROM grants g CROSS JOIN lock_revocations r CROSS JOIN bound_locks b
		WHERE g.state = 'RevocationPending' AND r.grant_id = g.id AND b.physical_lock_id = r.physical_lock_id
			AND b.active = TRUE AND b.owner_id = g.owner_id AND b.last_sync_seq <= g.revoked_seq
		UNION ALL
		SELECT 'c', COUNT(*), MIN(COALESCE(c.image_changed_at, c.created_at)) FROM bound_cards c
		WHERE c.image_version > c.written_version
			AND EXISTS (SELECT 1 FROM grants g WHERE g.bound_card_id = c.id AND (g.active = TRUE OR g.revoked_at >= $1)
				AND (EXISTS (SELECT 1 FROM bound_locks b WHERE b.id = g.target_id AND b.active = TRUE)
					OR EXISTS (SELECT 1 FROM lock_group_members m JOIN bound_locks b ON b.id = m.bound_lock_id
						WHERE m.group_id = g.target_id AND b.active = TRUE)))`,
		since.Millis())
	if err != nil {
		return keyward.PropagationBacklog{}, fmt.Errorf("sqlstore: find propagation backlog: %w", err)
	}
	defer rows.Close()
	var b keyward.PropagationBacklog
	for rows.Next() {
		var kind string
		var n int
		var oldest sql.NullInt64
		if err := rows.Scan(&kind, &n, &oldest); err != nil {
			return keyward.PropagationBacklog{}, fmt.Errorf("sqlstore: find propagation backlog: %w", err)
		}
		if kind == "r" {
			b.PendingRevocations = n
		} else {
			b.PendingCardWrites = n
		}
		if t := timePtr(oldest); t != nil && (b.OldestPendingSince == nil || t.Before(b.OldestPendingSince.Time)) {
			b.OldestPendingSince = t
		}
	}
	if err := rows.Err(); err != nil {
		return keyward.PropagationBacklog{}, fmt.Errorf("sqlstore: find propagation backlog: %w", err)
	}
	return b, nil
}
