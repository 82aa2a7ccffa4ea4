-- The network schema is owned by innoscope-network alone; no other service reads
-- or writes it (docs/architecture.md). The schema itself and its
-- schema_migrations table are created by the migration runner.
COMMENT ON SCHEMA network IS 'Owned by innoscope-network; other services use its gRPC API.';
