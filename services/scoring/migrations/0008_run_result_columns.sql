-- Run results by column: one row per (run, regions or clusters, node)
-- holding that node's values of every region (or cluster) of the run as
-- arrays, in the order of run_result_regions.regions, instead of one row per
-- (run, region, node). A run of 3,000 regions x 337 nodes stored 1,011,000
-- rows, each with its own tuple header, key and index entry; PostgreSQL
-- spent most of a ComputeScores of nine such periods on them
-- (bench/scoring/services.sh, bench/README.md). It is now 337 rows and one
-- region list. The view run_results below keeps the relational shape (and
-- the name) for SQL users; docs/scoring.md "Storage".

-- The regions (is_cluster false) or clusters (true) of a run, in the
-- database's order of their codes (ORDER BY region): element i of every
-- array in run_result_columns belongs to regions[i].
CREATE TABLE run_result_regions (
  run_id     text NOT NULL,
  is_cluster boolean NOT NULL,
  regions    text[] NOT NULL,
  PRIMARY KEY (run_id, is_cluster)
);

-- One node's results for every region (or cluster) of the run, aligned with
-- run_result_regions.regions; a NULL element is an absent value (no score,
-- no rank, raw and normalised of inner nodes, no tier), as the NULLs of the
-- relational rows were. Like the rows before, written only by
-- ScoringStore::InsertRun in the transaction that creates the run, never
-- changed, never deleted (hence no foreign key, migration 0007).
CREATE TABLE run_result_columns (
  run_id        text NOT NULL,
  is_cluster    boolean NOT NULL,
  node          text NOT NULL,
  node_position integer NOT NULL,  -- the node's place in the framework
  score         double precision[] NOT NULL,
  rank          integer[] NOT NULL,
  raw           double precision[] NOT NULL,
  normalised    double precision[] NOT NULL,
  imputed       boolean[] NOT NULL,
  tier          integer[] NOT NULL,
  PRIMARY KEY (run_id, is_cluster, node),
  CHECK (cardinality(rank) = cardinality(score) AND cardinality(raw) = cardinality(score)
         AND cardinality(normalised) = cardinality(score)
         AND cardinality(imputed) = cardinality(score) AND cardinality(tier) = cardinality(score))
);
-- Arrays of doubles do not compress: out of line without a pglz attempt.
ALTER TABLE run_result_columns ALTER COLUMN score SET STORAGE EXTERNAL;
ALTER TABLE run_result_columns ALTER COLUMN raw SET STORAGE EXTERNAL;
ALTER TABLE run_result_columns ALTER COLUMN normalised SET STORAGE EXTERNAL;

-- The rows stored so far, moved. Every run holds a full grid (each of its
-- regions, and each of its clusters, has a row for every node), which the
-- check below confirms before the old table goes.
INSERT INTO run_result_regions (run_id, is_cluster, regions)
SELECT run_id, is_cluster, array_agg(DISTINCT region ORDER BY region)
FROM run_results GROUP BY run_id, is_cluster;

INSERT INTO run_result_columns (run_id, is_cluster, node, node_position, score, rank, raw,
                                normalised, imputed, tier)
SELECT run_id, is_cluster, node, min(node_position), array_agg(score ORDER BY region),
       array_agg(rank ORDER BY region), array_agg(raw ORDER BY region),
       array_agg(normalised ORDER BY region), array_agg(imputed ORDER BY region),
       array_agg(tier ORDER BY region)
FROM run_results GROUP BY run_id, is_cluster, node;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM run_results
             GROUP BY run_id, is_cluster, node HAVING count(DISTINCT node_position) > 1)
     OR EXISTS (SELECT 1 FROM run_result_columns c JOIN run_result_regions g
                  ON g.run_id = c.run_id AND g.is_cluster = c.is_cluster
                WHERE cardinality(c.score) <> cardinality(g.regions)) THEN
    RAISE EXCEPTION 'scoring.run_results: a run without a full grid of regions x nodes';
  END IF;
END
$$;

DROP TABLE run_results;

-- The relational shape of before: one row per (run, region or cluster,
-- node), the same columns, the same rows.
CREATE VIEW run_results AS
SELECT c.run_id, u.region, c.node, c.node_position, c.is_cluster, u.score, u.rank, u.raw,
       u.normalised, u.imputed, u.tier
FROM run_result_columns c
JOIN run_result_regions g ON g.run_id = c.run_id AND g.is_cluster = c.is_cluster
CROSS JOIN LATERAL unnest(g.regions, c.score, c.rank, c.raw, c.normalised, c.imputed, c.tier)
  AS u (region, score, rank, raw, normalised, imputed, tier);
