-- isrc-registry schema version 21 (PostgreSQL): duplicate-recording keys folded as the one
-- same-recording rule folds them (isrc::recording::fold: letters and digits only, lowercased),
-- instead of lowercased with runs of spaces as one. The folding is Unicode-aware, beyond SQL:
-- this table marks the ledger's stored keys as still in the old form, and the store recomputes
-- every key and drops the table in the transaction that applies this migration (migrate.rs,
-- refold_match_keys), so a ledger holds either every key in the old form or every key in the new one.
-- Version 21 (the issue's number) leaves 6-20 to other changes.
CREATE TABLE match_key_refold (pending INTEGER);
