-- isrc-registry schema version 15 (PostgreSQL): the public search index (issue 15). One row per
-- published recording (code = recordings.code), its title, artist, version and ISRC folded by
-- the program (isrc::recording::fold), searched by substring through a pg_trgm index. SQLite
-- holds the same rows under FTS5's trigram index, so both find the same recordings.
-- Versions 4 and 6 to 14 are left to other changes.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE publication_search (
    code  BIGINT PRIMARY KEY,
    body  TEXT NOT NULL
);
CREATE INDEX publication_search_body ON publication_search USING gin (body gin_trgm_ops);

-- The folding is Unicode-aware and done in Rust, so the rows of the recordings published before
-- this version are written when the store is next opened (then this row is deleted).
CREATE TABLE search_reindex (pending INTEGER PRIMARY KEY);
INSERT INTO search_reindex (pending) VALUES (1);
