-- New revisions are written with COPY; their valid_from is the writing
-- transaction's start time, as now() gave it before.
ALTER TABLE observations ALTER COLUMN valid_from SET DEFAULT now();
ALTER TABLE actors ALTER COLUMN valid_from SET DEFAULT now();
ALTER TABLE relations ALTER COLUMN valid_from SET DEFAULT now();
