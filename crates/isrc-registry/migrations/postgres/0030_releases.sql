-- isrc-registry schema version 30 (PostgreSQL): releases (issue 15). A release is identified by its
-- GTIN written with 13 digits (an EAN-13, or a UPC-A with a leading 0), belongs to one
-- registrant, and lists that registrant's ISRCs in track order. SQLite holds the same
-- tables. Versions 31 to 39 are left to this change's next steps.
CREATE TABLE releases (
    gtin          TEXT PRIMARY KEY CHECK (length(gtin) = 13),
    upc           TEXT NOT NULL,                -- as given: 12 digits (UPC-A) or 13 (EAN-13)
    prefix        TEXT NOT NULL REFERENCES registrants (prefix),
    title         TEXT NOT NULL,
    artist        TEXT NOT NULL DEFAULT '',
    label         TEXT NOT NULL DEFAULT '',
    p_line        TEXT NOT NULL DEFAULT '',
    release_date  TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX releases_by_prefix ON releases (prefix, gtin);

CREATE TABLE release_tracks (
    gtin      TEXT NOT NULL REFERENCES releases (gtin) ON DELETE CASCADE,
    position  INTEGER NOT NULL CHECK (position >= 1),
    isrc      TEXT NOT NULL REFERENCES recordings (isrc),
    PRIMARY KEY (gtin, position)
);
CREATE INDEX release_tracks_by_isrc ON release_tracks (isrc);
