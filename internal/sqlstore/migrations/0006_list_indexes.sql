-- Every list's default order (creation order, then id) and the lookups the server makes on every
-- request are served by an index, so that the first and the last page of a large account cost
-- the same and no query reads another account's rows. A test runs EXPLAIN on each of them.

DROP INDEX bound_locks_owner;
CREATE INDEX bound_locks_owner ON bound_locks (owner_id, created_at, id);
DROP INDEX lock_groups_owner;
CREATE INDEX lock_groups_owner ON lock_groups (owner_id, created_at, id);
DROP INDEX bound_cards_owner;
CREATE INDEX bound_cards_owner ON bound_cards (owner_id, created_at, id);
DROP INDEX grants_owner;
CREATE INDEX grants_owner ON grants (owner_id, created_at, id);
DROP INDEX grants_contact;
CREATE INDEX grants_contact ON grants (contact_id, created_at, id);
DROP INDEX grants_card;
CREATE INDEX grants_card ON grants (bound_card_id, created_at, id);
CREATE INDEX grants_target ON grants (target_id, created_at, id);
CREATE INDEX contacts_owner ON contacts (owner_id, created_at, id);
CREATE INDEX permissions_owner ON permissions (owner_id, created_at, id);
CREATE INDEX permissions_contact ON permissions (contact_id);
CREATE INDEX ip_users_provider ON ip_users (ip_id, created_at, id);
CREATE INDEX grants_smartphone_users ON grants (owner_id, contact_id) WHERE active = TRUE AND contact_id IS NOT NULL;
