-- Every index of observations now begins with the whole key (region,
-- indicator, period), so the merge's probe of a batch's keys is one index
-- lookup per row whatever the planner knows about the table
-- (docs/ingest.md, "Performance"). Before, on a table not yet analysed (any
-- first bulk load) the planner probed observations_by_indicator with
-- (indicator, period) and filtered on the region: a scan of every region's
-- row of that indicator and period for each staged row, which grew with the
-- table: about 1 s per 5,000-row batch near 1,000,000 rows, against 6-20 ms
-- for one lookup per row.
--
-- The primary key is reordered to lead with the indicator: it then serves
-- the reads by indicator (every framework read) and their ORDER BY
-- indicator, region, period, revision, which observations_by_indicator
-- served before, and one index fewer is maintained on every insert.
ALTER TABLE observations DROP CONSTRAINT observations_pkey;
ALTER TABLE observations
  ADD CONSTRAINT observations_pkey PRIMARY KEY (indicator_code, region_code, period, revision);
DROP INDEX observations_by_indicator;
