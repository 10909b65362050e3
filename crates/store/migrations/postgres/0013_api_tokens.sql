-- API tokens for machines (Dinas Sosial systems, partners' databases, Satu Data portals).
-- Each token acts as a service account: an app_user row that cannot sign in with a password
-- and carries the role and scope the token was issued with. Only a hash of the token is kept.

ALTER TABLE app_user ADD COLUMN service BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE api_token (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES app_user (id),
    label        TEXT NOT NULL CHECK (length(label) > 0),
    token_hash   TEXT NOT NULL UNIQUE,
    -- The first characters of the token, so an admin can tell tokens apart.
    prefix       TEXT NOT NULL,
    created_by   BIGINT REFERENCES app_user (id),
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    revoked_at   TEXT,
    last_used_at TEXT
);
CREATE INDEX api_token_user ON api_token (user_id);
