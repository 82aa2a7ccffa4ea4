-- The ingest schema is owned by innoscope-ingest alone; no other service reads
-- or writes it (docs/architecture.md). The schema itself and its
-- schema_migrations table are created by the migration runner.
COMMENT ON SCHEMA ingest IS 'Owned by innoscope-ingest; other services use its gRPC API.';
