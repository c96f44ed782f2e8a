-- The order of a lock's syncs and the revocations they confirm, by the owner account's version
-- rather than by clock time: every write on an account's data bumps owners.version under the
-- account's lock, so two such writes never share a version even within one millisecond.
-- Existing rows get 0, which counts as "not synced after the revocation": a pending group
-- revocation then waits for one more sync of each member instead of being confirmed early.

ALTER TABLE grants ADD COLUMN revoked_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE bound_locks ADD COLUMN last_sync_seq BIGINT NOT NULL DEFAULT 0;
