-- isrc-registry schema version 50 (PostgreSQL): the same-recording fold keeps numbers apart
-- (isrc::recording::fold: punctuation or spaces between two digits become one space, so that
-- "Take 1-12" and "Take 11-2" are two recordings; before, both folded to "take112"). The
-- duplicate-recording keys and the public search rows are computed by that fold in Rust, so this
-- marks both as stale, as versions 21 and 15 did: the store recomputes every key and every
-- search row in the transaction that applies this migration (migrate.rs, refold_match_keys;
-- search.rs, reindex_if_pending). A ledger older than 21 or 15 gets the markers from those
-- versions already, in the same transaction: IF NOT EXISTS and NOT EXISTS leave them as they are.
-- Versions 50-59 are this change's; 51-59 are left free.
CREATE TABLE IF NOT EXISTS match_key_refold (pending INTEGER);
INSERT INTO search_reindex (pending) SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM search_reindex);
