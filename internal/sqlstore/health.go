package sqlstore

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/keyward/keyward/internal/keyward"
)

// ReportHealth keeps the newest reading of each type: the batch is first reduced to its newest
// reading per type (PostgreSQL's upsert may not touch one row twice), then each replaces the
// stored row only when measured later.
func (s *ownerStore) ReportHealth(ctx context.Context, boundLockID string, readings []keyward.HealthReading) error {
	if err := s.checkOwnLock(ctx, boundLockID, "report health"); err != nil {
		return err
	}
	for _, r := range newestByType(readings) {
		if math.IsNaN(r.Value) || math.IsInf(r.Value, 0) {
			return keyward.Invalidf("health reading %s: the value %v is not a finite number", r.Type, r.Value)
		}
		_, err := s.q.ExecContext(ctx, `INSERT INTO lock_health (bound_lock_id, type, value, measured_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (bound_lock_id, type) DO UPDATE SET value = excluded.value, measured_at = excluded.measured_at
			WHERE excluded.measured_at > lock_health.measured_at`, boundLockID, r.Type, r.Value, r.MeasuredAt.Millis())
		if err != nil {
			return fmt.Errorf("sqlstore: report health: %w", err)
		}
	}
	return nil
}

// newestByType returns the newest reading of each type, by type; of two measured at the same
// time the first wins, as the stored one wins over an equally old upload.
func newestByType(readings []keyward.HealthReading) []keyward.HealthReading {
	sorted := slices.Clone(readings)
	slices.SortStableFunc(sorted, func(a, b keyward.HealthReading) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), b.MeasuredAt.Compare(a.MeasuredAt.Time))
	})
	return slices.CompactFunc(sorted, func(a, b keyward.HealthReading) bool { return a.Type == b.Type })
}

// LockHealth reads the locks' readings in one query for all of them.
func (s *store) LockHealth(ctx context.Context, boundLockIDs []string) (map[string][]keyward.HealthReading, error) {
	health := make(map[string][]keyward.HealthReading, len(boundLockIDs))
	for _, id := range boundLockIDs {
		health[id] = []keyward.HealthReading{}
	}
	if len(boundLockIDs) == 0 {
		return health, nil
	}
	var a args
	rows, err := s.q.QueryContext(ctx, `SELECT bound_lock_id, type, value, measured_at FROM lock_health WHERE `+
		s.d.in("bound_lock_id", boundLockIDs, &a)+` ORDER BY bound_lock_id, type`, a...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: lock health: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var r keyward.HealthReading
		var ms int64
		if err := rows.Scan(&id, &r.Type, &r.Value, &ms); err != nil {
			return nil, fmt.Errorf("sqlstore: lock health: %w", err)
		}
		r.MeasuredAt = keyward.TimeFromMillis(ms)
		health[id] = append(health[id], r)
	}
	return health, rows.Err()
}
