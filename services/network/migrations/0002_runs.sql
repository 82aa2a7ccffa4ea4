-- Every computation of the network service is recorded as a run: what was
-- asked (request, selection, convention), on which data (the relation set's
-- data version) and what came out (the result without per-node streams).
-- A run's id is derived from its request and data version, so computing the
-- same thing on the same data again finds the existing row.
CREATE TABLE runs (
  id           text PRIMARY KEY,
  kind         text NOT NULL,
  relation_set text NOT NULL,
  data_version bigint NOT NULL,
  convention   text NOT NULL,
  selection    jsonb NOT NULL,  -- the GraphSelection, readable from SQL
  run          bytea NOT NULL,  -- the Run message
  request      bytea NOT NULL,
  result       bytea NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX runs_by_set ON runs (relation_set, kind, created_at);
CREATE INDEX runs_by_time ON runs (created_at);
