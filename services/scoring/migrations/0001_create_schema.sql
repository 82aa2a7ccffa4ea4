-- The scoring schema is owned by innoscope-scoring alone; no other service reads
-- or writes it (docs/architecture.md). The schema itself and its
-- schema_migrations table are created by the migration runner.
COMMENT ON SCHEMA scoring IS 'Owned by innoscope-scoring; other services use its gRPC API.';
