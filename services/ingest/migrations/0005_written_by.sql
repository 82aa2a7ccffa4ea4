-- Provenance: the caller identity that wrote each revision and batch
-- (docs/security.md; a client certificate's SAN, "sha256:<hex>" of a bearer
-- token, or "anonymous" on a server without authentication). Rows written
-- before keep '' (unknown). A constant default: no table rewrite.
ALTER TABLE observations ADD COLUMN written_by text NOT NULL DEFAULT '';
ALTER TABLE actors ADD COLUMN written_by text NOT NULL DEFAULT '';
ALTER TABLE relations ADD COLUMN written_by text NOT NULL DEFAULT '';
ALTER TABLE batches ADD COLUMN written_by text NOT NULL DEFAULT '';
