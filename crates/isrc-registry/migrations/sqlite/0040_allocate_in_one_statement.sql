-- isrc-registry schema version 40 (SQLite): nothing. PostgreSQL's version 40 adds a function
-- that allocates in one statement; SQLite holds its write lock without round trips over a
-- network, so it keeps the transaction of several statements. The versions stay the same in
-- both trees.
SELECT 1;
