-- Score runs and their results. A run is written in one transaction (the run
-- row and every result row), so a failed or interrupted computation leaves
-- nothing visible. Runs are immutable: their id is derived from their inputs.
-- The full Run message (spec, resolved universe, summary, statistics) is kept
-- as protobuf; results and uncertainty ranks are relational for SQL access.
CREATE TABLE runs (
  id                text PRIMARY KEY,
  framework_code    text NOT NULL,
  framework_version integer NOT NULL,
  period            integer NOT NULL,
  weight_set_id     text NOT NULL DEFAULT '',
  label             text NOT NULL DEFAULT '',
  content           bytea NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX runs_by_framework ON runs (framework_code, period, created_at);
CREATE INDEX runs_by_time ON runs (created_at);

-- One row per (region or cluster, node). NULL = absent: no score (then no
-- rank), raw / normalised for inner nodes, no tier.
CREATE TABLE run_results (
  run_id        text NOT NULL REFERENCES runs (id),
  region        text NOT NULL,
  node          text NOT NULL,
  node_position integer NOT NULL,  -- the node's place in the framework
  is_cluster    boolean NOT NULL,
  score         double precision,
  rank          integer,
  raw           double precision,
  normalised    double precision,
  imputed       boolean NOT NULL DEFAULT false,
  tier          integer,
  PRIMARY KEY (run_id, node, is_cluster, region)
);

-- Monte Carlo rank intervals and sensitivity indices of a run.
CREATE TABLE uncertainty_analyses (
  id         text PRIMARY KEY,
  run_id     text NOT NULL REFERENCES runs (id),
  content    bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX uncertainty_by_run ON uncertainty_analyses (run_id);

CREATE TABLE uncertainty_ranks (
  analysis_id   text NOT NULL REFERENCES uncertainty_analyses (id),
  region        text NOT NULL,
  nominal_score double precision NOT NULL,
  nominal_rank  integer NOT NULL,
  mean_rank     double precision NOT NULL,
  median_rank   double precision NOT NULL,
  p05_rank      double precision NOT NULL,
  p95_rank      double precision NOT NULL,
  PRIMARY KEY (analysis_id, region)
);

CREATE TABLE uncertainty_sensitivity (
  analysis_id      text NOT NULL REFERENCES uncertainty_analyses (id),
  factor           text NOT NULL,
  position         integer NOT NULL,
  first_order      double precision,
  total            double precision,
  first_order_low  double precision,
  first_order_high double precision,
  total_low        double precision,
  total_high       double precision,
  PRIMARY KEY (analysis_id, factor)
);
