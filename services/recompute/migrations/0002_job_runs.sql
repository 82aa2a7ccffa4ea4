-- One row per run of the recompute job, whatever its outcome, written once
-- when the run ends (docs/operations.md, "Recompute job"). The job's
-- Pushgateway metrics are computed from this table, so they survive a
-- Pushgateway restart.
--
-- Per-index columns are JSON objects keyed by the index's entry key,
-- "<framework>/<universe>/<weighting>" (libs/recompute/config.h EntryKey):
--   entries       {"framework", "framework_version", "config" (fingerprint of
--                 its settings), "recomputed"} of every index of the config
--   changed       {scope: {"previous": v | null, "current": v}} and
--                 "config": {"previous", "current"} when the settings changed
--   data_versions {scope: version}: on success the versions the results rest
--                 on (carried over from the previous success for an index
--                 not recomputed); otherwise the versions read
--   run_ids       {"network_runs", "weight_sets", "score_runs",
--                 "uncertainty"}: on success only (an index not recomputed
--                 keeps the previous success's ids), {} otherwise
-- step_seconds is {"check", "network", "weights", "scores", "uncertainty"}
-- for the steps the run reached.
CREATE TABLE job_runs (
  id            bigserial PRIMARY KEY,
  started_at    timestamptz NOT NULL,
  finished_at   timestamptz NOT NULL,
  outcome       text NOT NULL
                CHECK (outcome IN ('success', 'unchanged', 'locked', 'failed')),
  forced        boolean NOT NULL DEFAULT false,
  failed_step   text CHECK ((outcome = 'failed') = (failed_step IS NOT NULL)),
  error         text NOT NULL DEFAULT '',
  entries       jsonb NOT NULL DEFAULT '{}',
  changed       jsonb NOT NULL DEFAULT '{}',
  data_versions jsonb NOT NULL DEFAULT '{}',
  run_ids       jsonb NOT NULL DEFAULT '{}',
  step_seconds  jsonb NOT NULL DEFAULT '{}',
  CHECK (outcome = 'success' OR run_ids = '{}')
);
-- The last successful run of an index, and the metrics' aggregates.
CREATE INDEX job_runs_by_outcome ON job_runs (outcome, id);
