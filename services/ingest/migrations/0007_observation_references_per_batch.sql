-- Observations reference their region and indicator through a check per
-- batch instead of two foreign keys (docs/ingest.md, "Performance").
--
-- A foreign key is checked by a row trigger: for each inserted observation
-- one query on regions and one on indicators, each locking the referenced
-- row FOR KEY SHARE (concurrent batches share those locks through
-- multixacts). That was about 10 of the 14 CPU seconds PostgreSQL spent
-- importing 1,000,000 observations. The guarantee stays, enforced in two
-- halves:
--
-- * inserting: every batch checks, in its own transaction and after its
--   rows are written (so it holds ROW EXCLUSIVE on observations), that each
--   distinct region and indicator code of the batch exists; otherwise the
--   batch fails and nothing is written (IngestStore::WriteObservations);
-- * deleting or renaming a referenced region or indicator fails as the
--   foreign key's NO ACTION did. The trigger first takes SHARE on
--   observations, which waits for every batch in flight and blocks new ones
--   until it commits, so a batch either sees the deletion in its check or
--   is seen by the trigger's. TRUNCATE of a referenced table fails too.
ALTER TABLE observations DROP CONSTRAINT observations_region_code_fkey;
ALTER TABLE observations DROP CONSTRAINT observations_indicator_code_fkey;

CREATE FUNCTION observations_referenced() RETURNS trigger LANGUAGE plpgsql
  SET search_path FROM CURRENT AS $$
BEGIN
  LOCK TABLE observations IN SHARE MODE;
  IF TG_LEVEL = 'STATEMENT' THEN
    IF EXISTS (SELECT 1 FROM observations) THEN
      RAISE EXCEPTION 'cannot truncate %: observations reference it', TG_TABLE_NAME
        USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.code = NEW.code THEN
    RETURN NEW;
  END IF;
  IF (TG_TABLE_NAME = 'regions'
      AND EXISTS (SELECT 1 FROM observations WHERE region_code = OLD.code))
     OR (TG_TABLE_NAME = 'indicators'
      AND EXISTS (SELECT 1 FROM observations WHERE indicator_code = OLD.code)) THEN
    RAISE EXCEPTION '% % is still referenced by observations', TG_TABLE_NAME, OLD.code
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END
$$;

-- The same two triggers on each referenced table.
DO $$
DECLARE
  referenced text;
BEGIN
  FOREACH referenced IN ARRAY ARRAY['regions', 'indicators'] LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE DELETE OR UPDATE OF code ON %I '
                   'FOR EACH ROW EXECUTE FUNCTION observations_referenced()',
                   referenced || '_referenced_by_observations', referenced);
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I '
                   'FOR EACH STATEMENT EXECUTE FUNCTION observations_referenced()',
                   referenced || '_truncate_referenced_by_observations', referenced);
  END LOOP;
END
$$;
