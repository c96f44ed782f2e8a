-- The device side of the lock protocol (docs/lock-protocol.md).
--
-- key_signing_keys are the server's Ed25519 key-signing keys (KSKs): they sign mobile keys,
-- revocation lists and sync responses. Every node of a cluster signs with the same set, so the
-- seeds live here, like the token-signing keys. Ids are ordered names (ksk-1, ksk-2, ...) so
-- that nodes creating the same next key at once create it once.
CREATE TABLE key_signing_keys (
    id         TEXT PRIMARY KEY,
    seed       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- A lock's device key: its Ed25519 public key (Base64), which authenticates its sync requests;
-- the private half never leaves the lock. sync_counter is the highest request counter accepted,
-- so a replayed request is refused. kids is the key set the lock reported at its last sync
-- (a JSON array), which decides which KSK signs what is sent to it.
ALTER TABLE physical_locks ADD COLUMN device_public_key TEXT;
ALTER TABLE physical_locks ADD COLUMN sync_counter BIGINT NOT NULL DEFAULT 0;
ALTER TABLE physical_locks ADD COLUMN kids TEXT NOT NULL DEFAULT '[]';

-- lock_revocations is what a physical lock's revocation list names: the grants whose keys a
-- lock may hold (a key of it left the server) that were revoked. It is kept per physical lock,
-- not per binding, so that a lock bound to another account still refuses the keys of its old
-- account's grants until they expire. A list names the rows revoked within the key validity.
CREATE TABLE lock_revocations (
    physical_lock_id TEXT NOT NULL REFERENCES physical_locks (id),
    grant_id         TEXT NOT NULL,
    card             BOOLEAN NOT NULL,
    revoked_at       BIGINT NOT NULL,
    PRIMARY KEY (physical_lock_id, grant_id)
);
CREATE INDEX lock_revocations_recent ON lock_revocations (physical_lock_id, revoked_at);
