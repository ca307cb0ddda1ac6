-- isrc-registry schema version 15 (SQLite): the public search index (issue 15). One row per
-- published recording (rowid = recordings.code), its title, artist, version and ISRC folded by
-- the program (isrc::recording::fold), searched by substring through FTS5's trigram index.
-- PostgreSQL holds the same rows under a pg_trgm index, so both find the same recordings.
-- Versions 4 and 6 to 14 are left to other changes.
CREATE VIRTUAL TABLE publication_search USING fts5(body, tokenize = 'trigram case_sensitive 1');

-- The folding is Unicode-aware and done in Rust, so the rows of the recordings published before
-- this version are written when the store is next opened (then this row is deleted).
CREATE TABLE search_reindex (pending INTEGER PRIMARY KEY);
INSERT INTO search_reindex (pending) VALUES (1);
