-- Current actors and current relations per relation set, kept up to date by
-- every write batch in its own transaction (new keys add to it; revisions
-- and replays do not), so the --max_relation_set_rows cap
-- (docs/operations.md, "Input limits") is one row lookup instead of a count
-- over the set. Filled from the stored rows once, here.
CREATE TABLE relation_set_sizes (
  relation_set text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('actors', 'relations')),
  current_rows bigint NOT NULL,
  PRIMARY KEY (relation_set, kind)
);

INSERT INTO relation_set_sizes (relation_set, kind, current_rows)
SELECT relation_set, 'actors', count(*) FROM actors WHERE valid_to IS NULL GROUP BY relation_set;

INSERT INTO relation_set_sizes (relation_set, kind, current_rows)
SELECT relation_set, 'relations', count(*) FROM relations WHERE valid_to IS NULL
GROUP BY relation_set;
