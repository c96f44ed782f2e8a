-- The access log that locks upload. An upload is idempotent by (bound lock, entry number): the
-- unique key turns a retried or overlapping upload into a no-op for the entries already stored.
-- Every entry gets, at ingestion and under the owner account's lock, three dense sequence
-- numbers starting at 1: seq in the account (the lists' default order), kind_seq in the account
-- per (log_type, command) and lock_kind_seq in the bound lock per (log_type, command). With the
-- default order being seq, the N-th entry of one kind is the one whose kind_seq is N, so the log
-- export's "$skip=N with logType eq … and command eq …" is a seek on an index instead of an
-- OFFSET that reads and drops N rows. contact_id and bound_card_id name who opened the lock and
-- are no foreign keys: the log outlives a deleted contact.

CREATE TABLE log_entries (
    id             TEXT PRIMARY KEY,
    owner_id       TEXT NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
    bound_lock_id  TEXT NOT NULL REFERENCES bound_locks (id) ON DELETE CASCADE,
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
    lock_kind_seq  BIGINT NOT NULL
);
CREATE UNIQUE INDEX log_entries_entry_no ON log_entries (bound_lock_id, entry_no);
CREATE UNIQUE INDEX log_entries_owner ON log_entries (owner_id, seq);
CREATE INDEX log_entries_lock ON log_entries (bound_lock_id, seq);
CREATE UNIQUE INDEX log_entries_export ON log_entries (owner_id, log_type, command, kind_seq);
CREATE UNIQUE INDEX log_entries_lock_export ON log_entries (bound_lock_id, log_type, command, lock_kind_seq);
