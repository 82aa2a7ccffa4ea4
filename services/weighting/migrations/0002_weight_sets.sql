-- Immutable weight sets. The full result (weights, diagnostics, the request
-- that produced it) is kept as the WeightSet protobuf message; node weights
-- are also relational for SQL access and reporting.
CREATE TABLE weight_sets (
  id                text PRIMARY KEY,
  framework_code    text NOT NULL,
  framework_version integer NOT NULL,
  method            text NOT NULL,
  label             text NOT NULL DEFAULT '',
  period            integer,
  data_version      bigint,
  content           bytea NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX weight_sets_by_framework ON weight_sets (framework_code, framework_version, created_at);

CREATE TABLE node_weights (
  weight_set_id  text NOT NULL REFERENCES weight_sets (id),
  node_code      text NOT NULL,
  parent_code    text NOT NULL,
  level          integer NOT NULL,
  local_weight   double precision NOT NULL,
  global_weight  double precision NOT NULL,
  printed_weight double precision,
  PRIMARY KEY (weight_set_id, node_code)
);
