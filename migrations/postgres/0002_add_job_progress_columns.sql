-- draftd migration 2 (PostgreSQL): the job progress columns whose absence broke the
-- system draftd replaces.
-- +up
ALTER TABLE jobs ADD COLUMN drafts_created INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN total_targets INTEGER;
-- +down
ALTER TABLE jobs DROP COLUMN total_targets;
ALTER TABLE jobs DROP COLUMN drafts_created;
