-- The primary key of relations follows the order relation reads page in
-- (ReadRelations: year, type, source, target, qualifier; docs/api.md,
-- "Lists and streams"), so each keyset page of a relation set is one index
-- range scan after the last key seen, O(page) (libs/storage/paged_read.h).
-- Before, the key led with the source and every page of a read sorted the
-- whole set for its LIMIT: a 1,000,000-relation read took 200 pages of a
-- full scan and sort each, minutes instead of seconds (bench/network/
-- service.sh). The merge's probes use relations_current (the whole key, any
-- order), and the table keeps the same number of indexes.
ALTER TABLE relations DROP CONSTRAINT relations_pkey;
ALTER TABLE relations
  ADD CONSTRAINT relations_pkey
  PRIMARY KEY (relation_set, year, type, source_code, target_code, qualifier, revision);
