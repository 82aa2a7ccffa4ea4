-- Monte Carlo blocks as work items (docs/operations.md "Sharding"): an
-- index's uncertainty analysis is split into blocks of replicates, one work
-- item each, told apart by the block's first replicate (0 for every other
-- item, and for the items recorded before this migration).
ALTER TABLE work_items ADD COLUMN block_first bigint NOT NULL DEFAULT 0;
ALTER TABLE work_items DROP CONSTRAINT work_items_pkey;
ALTER TABLE work_items ADD PRIMARY KEY (run_id, step, entry_key, period, block_first);
