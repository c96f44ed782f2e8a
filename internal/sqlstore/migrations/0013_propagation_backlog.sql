-- The propagation backlog the metrics read on every scrape: only the rows still pending, so the
-- count costs what is pending and not what the server holds.
CREATE INDEX grants_revocation_pending ON grants (id) WHERE state = 'RevocationPending';
CREATE INDEX lock_revocations_grant ON lock_revocations (grant_id);
CREATE INDEX bound_cards_write_pending ON bound_cards (id) WHERE image_version > written_version;
