-- The series of a run: runs of one spec that differ only in their period
-- share it (Run.series, docs/scoring.md "Series and changes"), so CompareRuns
-- finds the previous period's run of the same spec. Runs stored before this
-- migration have no series ('') and are found by id only.
ALTER TABLE runs ADD COLUMN series text NOT NULL DEFAULT '';
CREATE INDEX runs_by_series ON runs (series, period, created_at) WHERE series <> '';
