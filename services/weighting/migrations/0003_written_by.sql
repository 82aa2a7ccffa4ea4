-- Provenance: the caller identity that computed each weight set first
-- (docs/security.md). Sets stored before keep '' (unknown).
ALTER TABLE weight_sets ADD COLUMN written_by text NOT NULL DEFAULT '';
