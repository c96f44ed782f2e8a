-- Grants, revocation bookkeeping and lock syncs.

CREATE TABLE grants (
    id                    TEXT PRIMARY KEY,
    owner_id              TEXT NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
    target_id             TEXT NOT NULL,
    target_type           TEXT NOT NULL,
    contact_id            TEXT REFERENCES contacts (id) ON DELETE CASCADE,
    bound_card_id         TEXT REFERENCES bound_cards (id) ON DELETE CASCADE,
    grantee_key           TEXT NOT NULL,
    valid_from            BIGINT,
    valid_before          BIGINT,
    time_restriction_ical TEXT,
    state                 TEXT NOT NULL,
    active                BOOLEAN NOT NULL,
    delivered             BOOLEAN NOT NULL DEFAULT FALSE,
    created_at            BIGINT NOT NULL,
    revoked_at            BIGINT
);
-- The Duplicate rule: one active grant per (lock or group, contact or card), across every node.
CREATE UNIQUE INDEX grants_one_active ON grants (target_id, grantee_key) WHERE active = TRUE;
CREATE INDEX grants_owner ON grants (owner_id, created_at);
CREATE INDEX grants_contact ON grants (contact_id);
CREATE INDEX grants_card ON grants (bound_card_id);

-- When a lock last synced with Keyward; a pending revocation is confirmed by a later sync.
ALTER TABLE bound_locks ADD COLUMN last_sync_at BIGINT;
