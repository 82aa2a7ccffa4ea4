-- One unique index on observations instead of two (docs/ingest.md,
-- "Performance"). Until now every inserted row went into two B-trees: the
-- primary key (indicator_code, region_code, period, revision) and the
-- partial unique index of current revisions (region_code, indicator_code,
-- period) WHERE valid_to IS NULL. In a bulk load every row is current, so
-- both held every row, and the two insertions were most of PostgreSQL's
-- time per row.
--
-- observations_key keeps both rules in one index over the key and a
-- "revision slot": the revision for a closed row, and 2147483647 (the
-- largest integer) for the current one. So
--
-- * a key has at most one current row: all of its current rows would
--   share the slot 2147483647 (the rule the partial index kept);
-- * a closed revision number appears once per key (the primary key's
--   rule for closed rows). A current row's revision is the number after
--   the row it closed: the merge inserts it in the transaction that
--   closes that row, and aborts when the row it meant to close is not
--   the one it closed (services/ingest/revision_merge.cc), and the slot of
--   the current row keeps a concurrent second current row out;
-- * the index order is the primary key's: closed revisions in revision
--   order, then the current one (it has the highest revision), so reads
--   by indicator and the keyset pages of ReadObservations are still range
--   scans of one index, also on a table never analysed.
--
-- A revision is at most 2147483646 (one below the slot of current rows).
ALTER TABLE observations ADD CONSTRAINT observations_revision_below_current_slot
  CHECK (revision < 2147483647);
CREATE UNIQUE INDEX observations_key ON observations
  (indicator_code, region_code, period,
   (CASE WHEN valid_to IS NULL THEN 2147483647 ELSE revision END));
ALTER TABLE observations DROP CONSTRAINT observations_pkey;
DROP INDEX observations_current;
