-- isrc-registry schema version 70 (SQLite): nothing to change. PostgreSQL's version 70 rewrites
-- its isrc_allocate function (the duplicate check, one index probe per key); SQLite has no
-- such function. The versions are kept the same in both trees (store/migrate.rs).
SELECT 1;
