-- isrc-registry schema version 1 (SQLite)
CREATE TABLE registrants (
    prefix      TEXT PRIMARY KEY CHECK (length(prefix) = 5),
    name        TEXT NOT NULL,
    contact     TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL CHECK (kind IN ('own', 'manager')),
    ranges      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE recordings (
    code            INTEGER PRIMARY KEY,          -- Isrc::to_u64, sort order of the codes
    isrc            TEXT NOT NULL UNIQUE CHECK (length(isrc) = 12),
    prefix          TEXT NOT NULL REFERENCES registrants (prefix),
    year            INTEGER NOT NULL CHECK (year BETWEEN 0 AND 99),
    designation     INTEGER NOT NULL CHECK (designation BETWEEN 0 AND 99999),
    artist          TEXT NOT NULL,
    title           TEXT NOT NULL,
    version         TEXT NOT NULL DEFAULT '',
    duration_ms     INTEGER,
    content_type    TEXT NOT NULL CHECK (content_type IN ('audio', 'video')),
    published       TEXT,
    language        TEXT,
    recording_year  INTEGER,
    iswc            TEXT,
    notes           TEXT,
    client          TEXT,
    parent          TEXT,
    change_kind     TEXT,
    status          TEXT NOT NULL CHECK (status IN ('active', 'void')),
    void_reason     TEXT,
    origin          TEXT NOT NULL CHECK (origin IN ('allocated', 'imported')),
    match_key       TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    UNIQUE (prefix, year, designation)
);
CREATE INDEX recordings_match ON recordings (prefix, match_key);

CREATE TABLE counters (
    prefix            TEXT NOT NULL,
    year              INTEGER NOT NULL,
    next_designation  INTEGER NOT NULL,
    PRIMARY KEY (prefix, year)
);

CREATE TABLE idempotency (
    key         TEXT PRIMARY KEY,
    request     TEXT NOT NULL,
    response    TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE audit (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    before      TEXT,
    after       TEXT
);
CREATE INDEX audit_subject ON audit (subject);

CREATE TABLE applications (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    contact     TEXT NOT NULL,
    address     TEXT NOT NULL,
    country     TEXT NOT NULL CHECK (length(country) = 2),
    kind        TEXT NOT NULL CHECK (kind IN ('own', 'manager')),
    status      TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    prefix      TEXT,
    reason      TEXT,
    created_at  TEXT NOT NULL,
    decided_at  TEXT
);

CREATE TABLE agency_codes (
    prefix          TEXT PRIMARY KEY CHECK (length(prefix) = 5),
    canonical       TEXT NOT NULL UNIQUE,          -- O->0, I->1: no two confusable codes
    name            TEXT NOT NULL,
    contact         TEXT NOT NULL,
    address         TEXT NOT NULL,
    kind            TEXT NOT NULL,
    application_id  INTEGER REFERENCES applications (id),
    issued_at       TEXT NOT NULL
);

-- The ledger never forgets: recordings are never deleted, the audit log is append-only.
CREATE TRIGGER recordings_no_delete BEFORE DELETE ON recordings
BEGIN SELECT RAISE(ABORT, 'recordings are never deleted: void them instead'); END;
CREATE TRIGGER recordings_code_fixed BEFORE UPDATE OF code, isrc, prefix, year, designation ON recordings
BEGIN SELECT RAISE(ABORT, 'an ISRC, once stored, never changes'); END;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
