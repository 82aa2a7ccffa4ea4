-- Development only: the passwords of the per-deployable roles, matching the
-- innoscope-database-<name> Secrets of kustomization.yaml. Production sets
-- its own (docs/operations.md, "Database roles").
ALTER ROLE innoscope_ingest PASSWORD 'innoscope-dev-ingest';
ALTER ROLE innoscope_weighting PASSWORD 'innoscope-dev-weighting';
ALTER ROLE innoscope_scoring PASSWORD 'innoscope-dev-scoring';
ALTER ROLE innoscope_network PASSWORD 'innoscope-dev-network';
ALTER ROLE innoscope_recompute PASSWORD 'innoscope-dev-recompute';
