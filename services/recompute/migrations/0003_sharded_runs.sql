-- Sharded runs of the recompute job (innoscope-recompute --shard_count N,
-- N >= 2: a Kubernetes Indexed Job, k8s/components/sharded-recompute).
-- Every shard of a run does its share of the run's work items
-- (libs/recompute/shards.h) and records each one here; the shard that
-- finds every item recorded publishes the run's score runs and records the
-- job run, once (docs/operations.md, "Sharding").
--
-- sharded_runs: one row per run. At most one run is open at a time (the
-- partial unique index); a shard joins the open run when its run_key (the
-- config's fingerprint, --force and the shard count) is the shard's own.
--   items         work items of the run, all steps
--   heartbeat_at  last time a shard recorded an item or waited for others;
--                 an open run of another key silent for --stale_seconds is
--                 abandoned by the next shard that finds it
--   used_versions ingest's data versions after the network items, recorded
--                 by the first shard past them; every shard must read the
--                 same, else the data changed during the run and it fails
CREATE TABLE sharded_runs (
  id            bigserial PRIMARY KEY,
  run_key       text NOT NULL,
  shard_count   int NOT NULL CHECK (shard_count >= 2),
  forced        boolean NOT NULL DEFAULT false,
  state         text NOT NULL DEFAULT 'open'
                CHECK (state IN ('open', 'published', 'failed', 'abandoned')),
  items         int NOT NULL CHECK (items >= 0),
  created_at    timestamptz NOT NULL DEFAULT now(),
  heartbeat_at  timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz,
  used_versions jsonb,
  job_run_id    bigint REFERENCES job_runs (id),
  error         text NOT NULL DEFAULT '',
  CHECK ((state = 'published') = (job_run_id IS NOT NULL))
);
CREATE UNIQUE INDEX sharded_runs_one_open ON sharded_runs (state) WHERE state = 'open';

-- The plan of a run, written with it by the shard that created it, read by
-- every shard that joins: per index of the config (entry key), whether the
-- run recomputes it, the framework version resolved and the data versions
-- the check read.
CREATE TABLE sharded_run_entries (
  run_id            bigint NOT NULL REFERENCES sharded_runs (id) ON DELETE CASCADE,
  entry_key         text NOT NULL,
  framework_version int NOT NULL,
  recompute         boolean NOT NULL,
  versions_before   jsonb NOT NULL,
  PRIMARY KEY (run_id, entry_key)
);

-- Work items done, each once (a rerun of a shard skips them): what it
-- produced and how long it took.
CREATE TABLE work_items (
  run_id       bigint NOT NULL REFERENCES sharded_runs (id) ON DELETE CASCADE,
  step         text NOT NULL CHECK (step IN ('network', 'scores', 'uncertainty')),
  entry_key    text NOT NULL,
  period       int NOT NULL,
  shard        int NOT NULL,
  network_run  text,
  weight_set   text,
  score_run    text,
  uncertainty  text,
  seconds      float8 NOT NULL,
  done_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, step, entry_key, period)
);

-- The job runs a shard records: its sharded run and "I/N".
ALTER TABLE job_runs
  ADD COLUMN sharded_run_id bigint REFERENCES sharded_runs (id),
  ADD COLUMN shard text;
