-- Least-privilege database roles: one login role per deployable, each owning
-- only its own schema (its tables and its schema_migrations bookkeeping).
--
-- Run with psql, connected to the application database as its owner or a
-- superuser (on a managed PostgreSQL: the administrator role the provider
-- gives you); idempotent, so it is also the upgrade of a database whose
-- schemas were created by one shared role:
--
--   psql "postgresql://admin@db:5432/innoscope" -v ON_ERROR_STOP=1 \
--        -f deploy/sql/database_roles.sql
--
-- deploy/local/stack.sh runs it on the local stack's database and the
-- integration tests on every database they create (docs/operations.md,
-- "Database roles"). Passwords are not set here: set them with
-- `ALTER ROLE innoscope_ingest PASSWORD '...'` (or \password) per role.
--
-- What each role may do afterwards:
--   * LOGIN, CONNECT and TEMPORARY on this database (ingest stages batches in
--     temporary tables), nothing else on the database: no CREATE, so no new
--     schemas;
--   * own its schema and everything in it (migrations run as that role);
--   * nothing on the other schemas: PUBLIC gets no privilege on them, so a
--     SELECT or INSERT there is "permission denied for schema ...".

-- Roles are cluster-wide: create the missing ones.
SELECT format('CREATE ROLE %I LOGIN', 'innoscope_' || s)
  FROM unnest(ARRAY['ingest', 'weighting', 'scoring', 'network', 'recompute']) AS s
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'innoscope_' || s)
\gexec

-- Session defaults of each role, so that every server connection has them,
-- also one that a pooler in transaction mode (PgBouncer) opened and hands
-- to a client that never ran the service's own SETs (docs/operations.md,
-- "PgBouncer"): the role's schema first, and the services' default
-- statement and lock timeouts (--db_statement_timeout_seconds,
-- --db_lock_timeout_seconds). A parameter the role has already is kept
-- (an administrator's choice, and no concurrent update of the same row).
SELECT format('ALTER ROLE %I SET %s = %s', 'innoscope_' || s, k, v)
  FROM unnest(ARRAY['ingest', 'weighting', 'scoring', 'network', 'recompute']) AS s,
       LATERAL (VALUES ('search_path', format('%I, public', s)),
                       ('statement_timeout', '''300s'''),
                       ('lock_timeout', '''60s''')) AS setting(k, v)
 WHERE NOT EXISTS (SELECT 1 FROM pg_db_role_setting d JOIN pg_roles r ON r.oid = d.setrole
                    WHERE r.rolname = 'innoscope_' || s AND d.setdatabase = 0
                      AND EXISTS (SELECT 1 FROM unnest(d.setconfig) c WHERE c LIKE k || '=%'))
\gexec

-- The database: only connecting and temporary tables, and only for our roles
-- (and its owner); PUBLIC keeps nothing.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database())
\gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', current_database(), 'innoscope_' || s)
  FROM unnest(ARRAY['ingest', 'weighting', 'scoring', 'network', 'recompute']) AS s
\gexec
-- PostgreSQL 15 already denies CREATE on schema public to PUBLIC; older
-- clusters and upgraded ones may not.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- Each schema, owned by its role (created here, or handed over when a
-- previous release created it as the shared role).
SELECT format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', s, 'innoscope_' || s)
  FROM unnest(ARRAY['ingest', 'weighting', 'scoring', 'network', 'recompute']) AS s
\gexec
SELECT format('ALTER SCHEMA %I OWNER TO %I', s, 'innoscope_' || s)
  FROM unnest(ARRAY['ingest', 'weighting', 'scoring', 'network', 'recompute']) AS s
\gexec
SELECT format('REVOKE ALL ON SCHEMA %I FROM PUBLIC', s)
  FROM unnest(ARRAY['ingest', 'weighting', 'scoring', 'network', 'recompute']) AS s
\gexec

-- Tables, views and free-standing sequences already in a schema move to its
-- role (sequences of serial/identity columns follow their table).
SELECT format('ALTER %s %I.%I OWNER TO %I',
              CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                             WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
              n.nspname, c.relname, 'innoscope_' || n.nspname)
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('ingest', 'weighting', 'scoring', 'network', 'recompute')
   AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
   AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = 'innoscope_' || n.nspname)
   AND NOT (c.relkind = 'S' AND EXISTS (
         SELECT 1 FROM pg_depend d
          WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
            AND d.deptype IN ('a', 'i')))
\gexec
