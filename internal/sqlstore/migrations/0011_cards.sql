-- Card writes (docs/lock-protocol.md, "Cards"). A card holds an image of all its grants, which a
-- lock writes when the card is held to it. image_version grows with every change of the card's
-- grants; written_version is the newest image a lock reported writing. A card grant's
-- card_version is the first image that reflects it (that holds it, or for a revoked grant the
-- first that no longer does): the card holds what the grant says once written_version reaches it.
ALTER TABLE bound_cards ADD COLUMN image_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE bound_cards ADD COLUMN image_changed_at BIGINT;
ALTER TABLE bound_cards ADD COLUMN written_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE grants ADD COLUMN card_version BIGINT;
