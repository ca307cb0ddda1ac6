-- isrc-registry schema version 5 (SQLite): an account (an organisation) holds several prefixes,
-- passwords that must be changed, disabled accounts, password-reset tokens (hashed), and API
-- tokens with scopes and an expiry. Versions 3 and 4 are left to other changes.
CREATE TABLE user_prefixes (
    user_id     INTEGER NOT NULL REFERENCES users (id),
    prefix      TEXT NOT NULL REFERENCES registrants (prefix),
    added_at    TEXT NOT NULL,
    PRIMARY KEY (user_id, prefix)
);
CREATE INDEX user_prefixes_prefix ON user_prefixes (prefix);
INSERT INTO user_prefixes (user_id, prefix, added_at)
    SELECT id, prefix, created_at FROM users WHERE prefix IS NOT NULL;

ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN disabled_at TEXT;

-- What a token may do ('read', 'allocate', 'admin', comma-separated) and when it stops working
-- (Unix seconds). Tokens made before scopes existed could read and allocate: they keep that.
ALTER TABLE api_tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT 'read,allocate';
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;

-- Only a hash of the mailed secret is kept; a token works once, until expires_at.
CREATE TABLE password_resets (
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    created_at  TEXT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     TEXT
);
CREATE INDEX password_resets_user ON password_resets (user_id);
