-- run_results loses its foreign key to runs. A run's rows are written only
-- by ScoringStore::InsertRun, in the transaction that inserts the run
-- itself (and only when that insert created it), and runs are never
-- deleted, so every row's run exists without the check. The check cost one
-- trigger call and one index probe of runs per row: about 1,000,000 per
-- run of 3,000 regions x 337 nodes, more than half of the time PostgreSQL
-- spent storing such a run (bench/scoring/services.sh, bench/README.md).
ALTER TABLE run_results DROP CONSTRAINT run_results_run_id_fkey;
