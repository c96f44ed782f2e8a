-- Fewer indexes for a grant and a contact to write, in a form that nodes of the version before
-- still running during a rollout read and write as they did.
--
-- One unique index on a contact's (natural_key, owner_id) serves both lookups by identity: in
-- one account (the Duplicate rule, a grant's inline contact) and across accounts (a phone's key
-- fetch, which contacts_identity served).
DROP INDEX contacts_identity;
DROP INDEX contacts_natural_key;
CREATE UNIQUE INDEX contacts_natural_key ON contacts (natural_key, owner_id);
-- A grant names a contact or a card, never both: each index holds only the grants that name one.
DROP INDEX grants_card;
CREATE INDEX grants_card ON grants (bound_card_id, created_at, id) WHERE bound_card_id IS NOT NULL;
DROP INDEX grants_contact;
CREATE INDEX grants_contact ON grants (contact_id, created_at, id) WHERE contact_id IS NOT NULL;
