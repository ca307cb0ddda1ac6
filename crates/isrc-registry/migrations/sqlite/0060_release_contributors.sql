-- isrc-registry schema version 60 (SQLite): a release's contributors (issue 15), in the order
-- given: a name, a DDEX role (MainArtist, FeaturedArtist, Composer...; the list is
-- isrc_registry::ContributorRole, checked in Rust so that a new role needs no migration), and
-- the track position it is credited on, NULL for the whole release. PostgreSQL holds the same
-- table. Versions 61-69 are left to this change's next steps.
CREATE TABLE release_contributors (
    gtin      TEXT NOT NULL REFERENCES releases (gtin) ON DELETE CASCADE,
    position  INTEGER NOT NULL CHECK (position >= 1),
    name      TEXT NOT NULL,
    role      TEXT NOT NULL,
    track     INTEGER CHECK (track >= 1),
    PRIMARY KEY (gtin, position)
);
