-- The weighting schema is owned by innoscope-weighting alone; no other service reads
-- or writes it (docs/architecture.md). The schema itself and its
-- schema_migrations table are created by the migration runner.
COMMENT ON SCHEMA weighting IS 'Owned by innoscope-weighting; other services use its gRPC API.';
