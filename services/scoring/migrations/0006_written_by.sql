-- Provenance (docs/security.md): the caller identity that computed each run
-- first, and the one that published it ('' while a draft). Runs stored
-- before keep '' (unknown).
ALTER TABLE runs ADD COLUMN written_by text NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN published_by text NOT NULL DEFAULT '';
