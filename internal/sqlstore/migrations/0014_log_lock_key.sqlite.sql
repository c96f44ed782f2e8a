-- The same rule as 0014_log_lock_key.sql: one foreign key, (owner_id, bound_lock_id) to the
-- bound lock's (owner_id, id). SQLite cannot change a table's constraints, so the log moves into
-- a new table of the same columns and indexes (nothing refers to log entries). The accounts'
-- versions are raised, as for every migration that writes rows, although the rows stay the same.
CREATE UNIQUE INDEX bound_locks_owner_id ON bound_locks (owner_id, id);
CREATE TABLE log_entries_keyed (
    id             TEXT PRIMARY KEY,
    owner_id       TEXT NOT NULL,
    bound_lock_id  TEXT NOT NULL,
    entry_no       BIGINT NOT NULL,
    lock_timestamp BIGINT NOT NULL,
    received_at    BIGINT NOT NULL,
    bound_card_id  TEXT,
    contact_id     TEXT,
    log_type       TEXT NOT NULL,
    command        TEXT NOT NULL,
    result         TEXT,
    reason         TEXT,
    grant_id       TEXT,
    seq            BIGINT NOT NULL,
    kind_seq       BIGINT NOT NULL,
    lock_kind_seq  BIGINT NOT NULL,
    CONSTRAINT log_entries_lock_fkey FOREIGN KEY (owner_id, bound_lock_id)
        REFERENCES bound_locks (owner_id, id) ON DELETE CASCADE
);
INSERT INTO log_entries_keyed SELECT id, owner_id, bound_lock_id, entry_no, lock_timestamp, received_at, bound_card_id,
    contact_id, log_type, command, result, reason, grant_id, seq, kind_seq, lock_kind_seq FROM log_entries;
DROP TABLE log_entries;
ALTER TABLE log_entries_keyed RENAME TO log_entries;
CREATE UNIQUE INDEX log_entries_entry_no ON log_entries (bound_lock_id, entry_no);
CREATE UNIQUE INDEX log_entries_owner ON log_entries (owner_id, seq);
CREATE INDEX log_entries_lock ON log_entries (bound_lock_id, seq);
CREATE UNIQUE INDEX log_entries_export ON log_entries (owner_id, log_type, command, kind_seq);
CREATE UNIQUE INDEX log_entries_lock_export ON log_entries (bound_lock_id, log_type, command, lock_kind_seq);
UPDATE owners SET version = version + 1;
