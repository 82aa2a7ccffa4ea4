-- Provenance (docs/security.md): the caller identity that computed each run
-- first. Runs stored before keep '' (unknown).
ALTER TABLE runs ADD COLUMN written_by text NOT NULL DEFAULT '';
