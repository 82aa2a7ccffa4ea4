-- Draft runs (ComputeScoresRequest.draft, docs/scoring.md "Drafts and
-- publishing"): a draft is readable by id but not listed by ListRuns and not
-- found as the newest run of a series or period until PublishRuns sets
-- published in one transaction for a whole batch (the recompute job's runs),
-- so a batch that fails half-way leaves no partial set visible. Runs stored
-- before this migration were visible, and stay so.
ALTER TABLE runs ADD COLUMN published boolean NOT NULL DEFAULT true;
