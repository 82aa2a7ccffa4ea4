-- The recompute schema is owned by the recompute job (`innoscope recompute`,
-- the Kubernetes CronJob); no service reads or writes it. The schema itself
-- and its schema_migrations table are created by the migration runner.
COMMENT ON SCHEMA recompute IS 'Owned by the recompute job (innoscope recompute).';
