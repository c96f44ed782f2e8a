-- Keyward schema, version 1. The same text runs on SQLite and PostgreSQL: times are BIGINT Unix
-- milliseconds, ids are TEXT, booleans are BOOLEAN, and every uniqueness rule is an index.

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL,
    email_key     TEXT NOT NULL,
    kind          TEXT NOT NULL,
    verified      BOOLEAN NOT NULL,
    password_hash TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (email_key);

CREATE TABLE owners (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    active     BOOLEAN NOT NULL,
    plan       TEXT NOT NULL DEFAULT '',
    version    BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE contacts (
    id             TEXT PRIMARY KEY,
    owner_id       TEXT NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
    natural_key    TEXT NOT NULL,
    identifier     TEXT,
    identifier_key TEXT,
    ip_id          TEXT NOT NULL,
    ip_user_id     TEXT,
    title          TEXT,
    comment        TEXT,
    created_at     BIGINT NOT NULL
);
CREATE UNIQUE INDEX contacts_natural_key ON contacts (owner_id, natural_key);
CREATE INDEX contacts_identifier_key ON contacts (identifier_key);

CREATE TABLE permissions (
    id         TEXT PRIMARY KEY,
    owner_id   TEXT NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
    contact_id TEXT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    role       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX permissions_owner_contact ON permissions (owner_id, contact_id);

CREATE TABLE physical_locks (
    id                       TEXT PRIMARY KEY,
    lock_type_id             TEXT NOT NULL,
    protocol_version         INTEGER NOT NULL,
    binding_code_hash        TEXT NOT NULL,
    time_zone                TEXT NOT NULL,
    time_restriction_support BOOLEAN NOT NULL,
    created_at               BIGINT NOT NULL
);

CREATE TABLE bound_locks (
    id                        TEXT PRIMARY KEY,
    owner_id                  TEXT NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
    physical_lock_id          TEXT NOT NULL REFERENCES physical_locks (id),
    title                     TEXT NOT NULL,
    description               TEXT NOT NULL,
    bind_date                 BIGINT NOT NULL,
    unbind_date               BIGINT,
    active                    BOOLEAN NOT NULL,
    rcl_serial_no             BIGINT NOT NULL DEFAULT 0,
    rcl_date                  BIGINT,
    last_seen_rcl_serial_no   BIGINT,
    last_seen_rcl_update_date BIGINT,
    created_at                BIGINT NOT NULL
);
CREATE UNIQUE INDEX bound_locks_one_active ON bound_locks (physical_lock_id) WHERE active = TRUE;
CREATE INDEX bound_locks_owner ON bound_locks (owner_id, created_at);

CREATE TABLE lock_groups (
    id          TEXT PRIMARY KEY,
    owner_id    TEXT NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    active      BOOLEAN NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX lock_groups_owner ON lock_groups (owner_id, created_at);

CREATE TABLE lock_group_members (
    group_id      TEXT NOT NULL REFERENCES lock_groups (id) ON DELETE CASCADE,
    bound_lock_id TEXT NOT NULL REFERENCES bound_locks (id) ON DELETE CASCADE,
    state         TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (group_id, bound_lock_id)
);
CREATE INDEX lock_group_members_lock ON lock_group_members (bound_lock_id);

CREATE TABLE physical_cards (
    id         TEXT PRIMARY KEY,
    uid        TEXT NOT NULL,
    capacity   INTEGER NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX physical_cards_uid ON physical_cards (uid);

CREATE TABLE bound_cards (
    id               TEXT PRIMARY KEY,
    owner_id         TEXT NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
    physical_card_id TEXT NOT NULL REFERENCES physical_cards (id),
    title            TEXT,
    label            TEXT NOT NULL,
    bind_date        BIGINT NOT NULL,
    unbind_date      BIGINT,
    active           BOOLEAN NOT NULL,
    created_at       BIGINT NOT NULL
);
CREATE UNIQUE INDEX bound_cards_one_active ON bound_cards (physical_card_id) WHERE active = TRUE;
CREATE INDEX bound_cards_owner ON bound_cards (owner_id, created_at);

CREATE TABLE clients (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    secret_hash     TEXT NOT NULL,
    grant_types     TEXT NOT NULL,
    scopes          TEXT NOT NULL,
    redirect_uris   TEXT NOT NULL,
    public          BOOLEAN NOT NULL,
    service_user_id TEXT REFERENCES users (id),
    owner_user_id   TEXT REFERENCES users (id),
    created_at      BIGINT NOT NULL
);

CREATE TABLE signing_keys (
    id              TEXT PRIMARY KEY,
    algorithm       TEXT NOT NULL,
    private_key_pem TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
