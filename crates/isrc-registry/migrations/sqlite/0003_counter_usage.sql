-- isrc-registry schema version 3 (SQLite): the counter row of a prefix-year keeps how many designations
-- of the registrant's ranges are taken, so that allocation never counts the ledger.
--   used     codes of the prefix-year inside `ranges` (allocated, imported or void); NULL: not
--            known yet (counted once, on the next allocation)
--   ranges   the registrant's ranges `used` was counted for; a change of ranges recounts
--   run_end  the last designation of the free run that starts at next_designation (every
--            designation from next_designation to run_end is free and inside one range);
--            NULL: not known (an import may have landed above the cursor)
ALTER TABLE counters ADD COLUMN used BIGINT;
ALTER TABLE counters ADD COLUMN ranges TEXT;
ALTER TABLE counters ADD COLUMN run_end BIGINT;
