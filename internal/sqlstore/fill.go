package sqlstore

// FillLog writes n log entries of one lock in one statement, numbered as AddLogEntries numbers
// them, for benchmarks that need a large log (`keyward bench`, BenchmarkLogExport): three of every four are openings (Command,
// TriggerLock), the fourth of another type, so that the export's filter has rows to skip.
// The planner's statistics are refreshed afterwards.
func FillLog(db *DB, ownerID, lockID string, n int) error {
	defer beginWrite()()
	_, err := db.sql.Exec(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $3)
		INSERT INTO log_entries (id, owner_id, bound_lock_id, entry_no, lock_timestamp, received_at, log_type, command,
			seq, kind_seq, lock_kind_seq)
		SELECT 'bench-' || i, $1, $2, i + 1, CAST($4 AS BIGINT) + i * 1000, CAST($4 AS BIGINT) + i * 1000 + 500,
			CASE WHEN i % 4 = 3 THEN 'Other' ELSE 'Command' END, CASE WHEN i % 4 = 3 THEN '' ELSE 'TriggerLock' END,
			i + 1, CASE WHEN i % 4 = 3 THEN i / 4 + 1 ELSE (i / 4) * 3 + i % 4 + 1 END,
			CASE WHEN i % 4 = 3 THEN i / 4 + 1 ELSE (i / 4) * 3 + i % 4 + 1 END
		FROM n`, ownerID, lockID, n, int64(1_767_225_600_000))
	if err != nil {
		return err
	}
	_, err = db.sql.Exec(`ANALYZE log_entries`) // as autovacuum would after a load this size
	return err
}
