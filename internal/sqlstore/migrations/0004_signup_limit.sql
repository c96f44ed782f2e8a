-- Sign-up attempts per client network, for the sign-up limit that all nodes share.

CREATE TABLE signup_attempts (
    network      TEXT NOT NULL,
    attempted_at BIGINT NOT NULL
);
CREATE INDEX signup_attempts_network ON signup_attempts (network, attempted_at);
