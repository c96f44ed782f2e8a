-- The mobile API: the phones users register, and the lookup of a user's contacts across owner
-- accounts that a phone's key fetch starts from.
--
-- A mobile belongs to a user (not to an owner account) and is known by its Ed25519 public key
-- (Base64), to which every key issued for the phone is bound: a key is registered once, so that
-- a phone's keys never go to two users. Removing a mobile deletes its row; its keys are no
-- longer served and the key may be registered again.
CREATE TABLE mobiles (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    platform   TEXT NOT NULL,
    public_key TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX mobiles_public_key ON mobiles (public_key);
CREATE INDEX mobiles_user ON mobiles (user_id, created_at, id);

-- A user's contacts in every owner account, by their identity (the natural key: provider and
-- case-folded address, or provider and external user id).
CREATE INDEX contacts_identity ON contacts (natural_key);
