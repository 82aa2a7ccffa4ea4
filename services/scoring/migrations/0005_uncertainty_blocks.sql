-- Monte Carlo blocks (ComputeUncertaintyRequest.block, docs/scoring.md
-- "Monte Carlo blocks"): the competition ranks of replicates
-- [first_replicate, first_replicate + replicate_count) of an analysis, so
-- that a sharded recompute spreads one analysis over processes and a call
-- without a block assembles the intervals from them. analysis_id is the id
-- the analysis gets (no row in uncertainty_analyses yet, hence no foreign
-- key); ranks holds replicate_count x regions 32-bit little-endian
-- integers, replicate-major.
CREATE TABLE uncertainty_blocks (
  analysis_id     text NOT NULL,
  first_replicate bigint NOT NULL CHECK (first_replicate >= 0),
  replicate_count bigint NOT NULL CHECK (replicate_count >= 1),
  regions         int NOT NULL CHECK (regions >= 1),
  ranks           bytea NOT NULL
                  CHECK (octet_length(ranks) = 4 * replicate_count * regions),
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (analysis_id, first_replicate)
);
