-- What users granted to clients, revoked access tokens, per-client CORS origins, and what
-- OpenID Connect needs to remember of an authorization.

-- One row per user and client: the scopes the user has consented to, so that the consent page
-- asks only for scopes not granted yet.
CREATE TABLE consents (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id  TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    scopes     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, client_id)
);

-- Access tokens revoked before their expiry, by jti; a row is useless once the token expired
-- and is pruned then.
CREATE TABLE revoked_access_tokens (
    jti        TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
CREATE INDEX revoked_access_tokens_expiry ON revoked_access_tokens (expires_at);

-- Withdrawing a consent revokes the families of one user and client.
CREATE INDEX token_families_user_client ON token_families (user_id, client_id);

ALTER TABLE clients ADD COLUMN allowed_origins TEXT NOT NULL DEFAULT '';
ALTER TABLE token_families ADD COLUMN auth_time BIGINT;
ALTER TABLE auth_codes ADD COLUMN redirect_uri_sent BOOLEAN NOT NULL DEFAULT TRUE;
