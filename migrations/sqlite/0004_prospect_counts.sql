-- draftd migration 4 (SQLite): the number of prospects in each draft status, kept in one
-- row by triggers in the same transaction as every insert, delete and status change, so
-- that a list's total is one row read instead of a count over the table, and is exact.
-- +up
CREATE TABLE prospect_counts (
    id         INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    n_none     INTEGER NOT NULL,
    n_drafted  INTEGER NOT NULL,
    n_approved INTEGER NOT NULL,
    n_rejected INTEGER NOT NULL,
    n_failed   INTEGER NOT NULL
);
INSERT INTO prospect_counts
SELECT 1,
       coalesce(sum(draft_status = 'none'), 0),
       coalesce(sum(draft_status = 'drafted'), 0),
       coalesce(sum(draft_status = 'approved'), 0),
       coalesce(sum(draft_status = 'rejected'), 0),
       coalesce(sum(draft_status = 'failed'), 0)
FROM prospects;

CREATE TRIGGER prospect_counts_insert AFTER INSERT ON prospects
BEGIN
    UPDATE prospect_counts SET
        n_none = n_none + (NEW.draft_status = 'none'),
        n_drafted = n_drafted + (NEW.draft_status = 'drafted'),
        n_approved = n_approved + (NEW.draft_status = 'approved'),
        n_rejected = n_rejected + (NEW.draft_status = 'rejected'),
        n_failed = n_failed + (NEW.draft_status = 'failed')
    WHERE id = 1;
END;

CREATE TRIGGER prospect_counts_delete AFTER DELETE ON prospects
BEGIN
    UPDATE prospect_counts SET
        n_none = n_none - (OLD.draft_status = 'none'),
        n_drafted = n_drafted - (OLD.draft_status = 'drafted'),
        n_approved = n_approved - (OLD.draft_status = 'approved'),
        n_rejected = n_rejected - (OLD.draft_status = 'rejected'),
        n_failed = n_failed - (OLD.draft_status = 'failed')
    WHERE id = 1;
END;

CREATE TRIGGER prospect_counts_update AFTER UPDATE OF draft_status ON prospects
WHEN OLD.draft_status IS NOT NEW.draft_status
BEGIN
    UPDATE prospect_counts SET
        n_none = n_none + (NEW.draft_status = 'none') - (OLD.draft_status = 'none'),
        n_drafted = n_drafted + (NEW.draft_status = 'drafted') - (OLD.draft_status = 'drafted'),
        n_approved = n_approved + (NEW.draft_status = 'approved') - (OLD.draft_status = 'approved'),
        n_rejected = n_rejected + (NEW.draft_status = 'rejected') - (OLD.draft_status = 'rejected'),
        n_failed = n_failed + (NEW.draft_status = 'failed') - (OLD.draft_status = 'failed')
    WHERE id = 1;
END;
-- +down
DROP TRIGGER prospect_counts_update;
DROP TRIGGER prospect_counts_delete;
DROP TRIGGER prospect_counts_insert;
DROP TABLE prospect_counts;
