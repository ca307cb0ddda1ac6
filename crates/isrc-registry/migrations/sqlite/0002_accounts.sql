-- isrc-registry schema version 2 (SQLite): accounts, sessions, API tokens, mail outbox, and
-- which recordings their registrant chose to show in the public lookup.
CREATE TABLE users (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    email          TEXT NOT NULL UNIQUE,          -- stored lower-cased
    password_hash  TEXT NOT NULL,                 -- argon2 PHC string, never the password
    role           TEXT NOT NULL CHECK (role IN ('admin', 'registrant')),
    prefix         TEXT REFERENCES registrants (prefix),
    created_at     TEXT NOT NULL,
    CHECK ((role = 'admin' AND prefix IS NULL) OR (role = 'registrant' AND prefix IS NOT NULL))
);

-- Only a hash of the session id is kept: a stolen database does not hand out live sessions.
CREATE TABLE sessions (
    id_hash     TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    csrf_token  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  BIGINT NOT NULL                   -- Unix seconds
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash  TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);

CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient   TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    sent_at     TEXT,
    error       TEXT
);

CREATE TABLE publications (
    isrc          TEXT PRIMARY KEY REFERENCES recordings (isrc),
    published_at  TEXT NOT NULL
);
