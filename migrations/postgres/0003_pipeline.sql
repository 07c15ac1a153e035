-- draftd migration 3 (PostgreSQL): what the drafting pipeline needs. Failure counts,
-- cancel and lease columns on jobs; at most one pending or running job per type,
-- enforced by a partial unique index; job_targets with one row per (job, prospect) and
-- its state, so a resumed job can never draft a prospect twice; and the drafting template.
-- +up
ALTER TABLE jobs ADD COLUMN drafts_failed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN redraft BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE jobs ADD COLUMN cancel_requested BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE jobs ADD COLUMN lease_owner TEXT;
ALTER TABLE jobs ADD COLUMN lease_expires_at TIMESTAMPTZ;
CREATE UNIQUE INDEX jobs_one_active_per_type ON jobs (job_type)
    WHERE status IN ('pending', 'running');

CREATE TABLE templates (
    name       TEXT PRIMARY KEY,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE job_targets (
    job_id      BIGINT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    prospect_id BIGINT NOT NULL REFERENCES prospects (id) ON DELETE CASCADE,
    state       TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'drafted', 'failed', 'skipped')),
    error       TEXT,
    finished_at TIMESTAMPTZ,
    PRIMARY KEY (job_id, prospect_id)
);
CREATE INDEX job_targets_state_idx ON job_targets (job_id, state, prospect_id);
CREATE INDEX job_targets_prospect_idx ON job_targets (prospect_id);
-- +down
DROP TABLE job_targets;
DROP TABLE templates;
DROP INDEX jobs_one_active_per_type;
ALTER TABLE jobs DROP COLUMN lease_expires_at;
ALTER TABLE jobs DROP COLUMN lease_owner;
ALTER TABLE jobs DROP COLUMN cancel_requested;
ALTER TABLE jobs DROP COLUMN redraft;
ALTER TABLE jobs DROP COLUMN drafts_failed;
