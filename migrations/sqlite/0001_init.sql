-- draftd migration 1 (SQLite): prospects and jobs as the first release had them,
-- before jobs tracked their progress. Timestamps are RFC 3339 UTC text.
-- +up
CREATE TABLE prospects (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL,
    first_name    TEXT,
    last_name     TEXT,
    company       TEXT,
    title         TEXT,
    website       TEXT,
    draft_subject TEXT,
    draft_body    TEXT,
    draft_status  TEXT NOT NULL DEFAULT 'none'
                  CHECK (draft_status IN ('none', 'drafted', 'approved', 'rejected', 'failed')),
    draft_error   TEXT,
    drafted_at    TEXT,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE UNIQUE INDEX prospects_email_key ON prospects (lower(email));
CREATE INDEX prospects_draft_status_idx ON prospects (draft_status, id);

CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY,
    job_type    TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
    error       TEXT,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    started_at  TEXT,
    finished_at TEXT
);
CREATE INDEX jobs_status_idx ON jobs (status, id);
-- +down
DROP TABLE jobs;
DROP TABLE prospects;
