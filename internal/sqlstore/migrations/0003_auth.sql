-- Users signing in, authorization codes, refresh-token families, identity providers and their users.

ALTER TABLE clients ADD COLUMN logo_url TEXT NOT NULL DEFAULT '';

CREATE TABLE login_failures (
    email_key TEXT NOT NULL,
    failed_at BIGINT NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email_key, failed_at);

CREATE TABLE sessions (
    hash       TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE token_families (
    id         TEXT PRIMARY KEY,
    client_id  TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE auth_codes (
    hash                  TEXT PRIMARY KEY,
    client_id             TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    user_id               TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    redirect_uri          TEXT NOT NULL,
    scopes                TEXT NOT NULL,
    code_challenge        TEXT NOT NULL,
    code_challenge_method TEXT NOT NULL,
    nonce                 TEXT NOT NULL,
    family_id             TEXT NOT NULL REFERENCES token_families (id) ON DELETE CASCADE,
    created_at            BIGINT NOT NULL,
    expires_at            BIGINT NOT NULL,
    used_at               BIGINT
);

CREATE TABLE refresh_tokens (
    hash       TEXT PRIMARY KEY,
    family_id  TEXT NOT NULL REFERENCES token_families (id) ON DELETE CASCADE,
    client_id  TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scopes     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

CREATE TABLE server_secrets (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE identity_providers (
    id             TEXT PRIMARY KEY,
    owner_id       TEXT NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
    issuer         TEXT NOT NULL,
    audience       TEXT NOT NULL,
    public_key_pem TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);

CREATE TABLE ip_users (
    id         TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    owner_id   TEXT NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
    ip_id      TEXT NOT NULL REFERENCES identity_providers (id) ON DELETE CASCADE,
    ip_user_id TEXT NOT NULL,
    identifier TEXT,
    status     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX ip_users_external_id ON ip_users (ip_id, ip_user_id);
