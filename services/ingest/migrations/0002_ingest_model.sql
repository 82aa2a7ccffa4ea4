-- The ingest data model (docs/ingest.md). Nothing is ever deleted or
-- updated in place except the valid_to column that closes a revision.

CREATE TABLE regions (
  code        text PRIMARY KEY,
  name        text NOT NULL,
  name_en     text NOT NULL DEFAULT '',
  kind        text NOT NULL CHECK (kind IN ('country', 'province', 'city', 'cluster', 'custom')),
  parent_code text REFERENCES regions (code) DEFERRABLE INITIALLY DEFERRED,
  attributes  jsonb NOT NULL DEFAULT '{}',
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Cluster membership may differ per year: [first_year, last_year], 0 = open.
CREATE TABLE cluster_members (
  cluster_code text NOT NULL REFERENCES regions (code),
  member_code  text NOT NULL REFERENCES regions (code),
  first_year   integer NOT NULL DEFAULT 0,
  last_year    integer NOT NULL DEFAULT 0,
  PRIMARY KEY (cluster_code, member_code, first_year)
);

-- The indicator catalogue shared by every framework.
CREATE TABLE indicators (
  code        text PRIMARY KEY,
  name        text NOT NULL,
  name_en     text NOT NULL DEFAULT '',
  unit        text NOT NULL DEFAULT '',
  description text NOT NULL DEFAULT '',
  is_count    boolean NOT NULL DEFAULT false,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Framework versions are immutable once created.
CREATE TABLE frameworks (
  code              text NOT NULL,
  version           integer NOT NULL CHECK (version >= 1),
  name              text NOT NULL DEFAULT '',
  description       text NOT NULL DEFAULT '',
  weight_convention text NOT NULL DEFAULT 'relative',
  content_hash      text NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (code, version)
);

CREATE TABLE framework_nodes (
  framework_code    text NOT NULL,
  framework_version integer NOT NULL,
  position          integer NOT NULL,
  code              text NOT NULL,
  name              text NOT NULL DEFAULT '',
  name_en           text NOT NULL DEFAULT '',
  parent_code       text NOT NULL DEFAULT '',
  level             integer NOT NULL,
  is_leaf           boolean NOT NULL,
  direction         smallint NOT NULL DEFAULT 1 CHECK (direction IN (-1, 1)),
  weight            double precision,
  unit              text NOT NULL DEFAULT '',
  denominator_code  text NOT NULL DEFAULT '',
  goal_min          double precision,
  goal_max          double precision,
  target            double precision,
  measurement       text NOT NULL DEFAULT '',
  PRIMARY KEY (framework_code, framework_version, code),
  FOREIGN KEY (framework_code, framework_version) REFERENCES frameworks (code, version)
);
CREATE INDEX framework_nodes_by_code ON framework_nodes (code);

-- Every applied write batch: the idempotency record and its original result.
CREATE TABLE batches (
  batch_id     text PRIMARY KEY,
  kind         text NOT NULL,
  content_hash text NOT NULL,
  inserted     integer NOT NULL,
  revised      integer NOT NULL,
  unchanged    integer NOT NULL,
  applied_at   timestamptz NOT NULL DEFAULT now()
);

-- Observations with revisions: the current revision has valid_to NULL.
CREATE TABLE observations (
  region_code    text NOT NULL REFERENCES regions (code),
  indicator_code text NOT NULL REFERENCES indicators (code),
  period         integer NOT NULL,
  revision       integer NOT NULL CHECK (revision >= 1),
  value          double precision NOT NULL,
  source         text NOT NULL DEFAULT '',
  batch_id       text NOT NULL,
  note           text NOT NULL DEFAULT '',
  valid_from     timestamptz NOT NULL,
  valid_to       timestamptz,
  PRIMARY KEY (region_code, indicator_code, period, revision)
);
-- At most one current revision per key, enforced by the database.
CREATE UNIQUE INDEX observations_current
  ON observations (region_code, indicator_code, period) WHERE valid_to IS NULL;
CREATE INDEX observations_by_indicator ON observations (indicator_code, period);

-- Actors and relations of a relation set, with the same revision rule.
CREATE TABLE actors (
  relation_set  text NOT NULL,
  code          text NOT NULL,
  revision      integer NOT NULL CHECK (revision >= 1),
  name          text NOT NULL DEFAULT '',
  kind          text NOT NULL,
  province_code text NOT NULL DEFAULT '',
  city_code     text NOT NULL DEFAULT '',
  sample        boolean NOT NULL DEFAULT false,
  platform      boolean NOT NULL DEFAULT false,
  is_foreign    boolean NOT NULL DEFAULT false,
  layer         text NOT NULL DEFAULT '',
  attributes    jsonb NOT NULL DEFAULT '{}',
  batch_id      text NOT NULL,
  valid_from    timestamptz NOT NULL,
  valid_to      timestamptz,
  PRIMARY KEY (relation_set, code, revision)
);
CREATE UNIQUE INDEX actors_current ON actors (relation_set, code) WHERE valid_to IS NULL;

CREATE TABLE relations (
  relation_set text NOT NULL,
  source_code  text NOT NULL,
  target_code  text NOT NULL,
  type         text NOT NULL,
  year         integer NOT NULL,
  qualifier    text NOT NULL DEFAULT '',
  revision     integer NOT NULL CHECK (revision >= 1),
  weight       double precision,
  amount       double precision,
  tags         jsonb NOT NULL DEFAULT '{}',
  batch_id     text NOT NULL,
  valid_from   timestamptz NOT NULL,
  valid_to     timestamptz,
  PRIMARY KEY (relation_set, source_code, target_code, type, year, qualifier, revision)
);
CREATE UNIQUE INDEX relations_current
  ON relations (relation_set, source_code, target_code, type, year, qualifier)
  WHERE valid_to IS NULL;

-- Effective changes per scope: 'framework:<code>', 'relations:<set>'.
CREATE TABLE data_versions (
  scope      text PRIMARY KEY,
  version    bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
