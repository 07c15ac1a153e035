-- draftd migration 4 (PostgreSQL): the number of prospects in each draft status, kept in
-- one row by statement-level triggers (transition tables: one counter update per
-- statement, not per row) in the same transaction as every insert, delete and status
-- change, so that a list's total is one row read instead of a count over the table, and
-- is exact. One row, not one per status: a writer takes exactly one counter lock, always
-- after its prospect rows, so two writers cannot deadlock on the counters.
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
       count(*) FILTER (WHERE draft_status = 'none'),
       count(*) FILTER (WHERE draft_status = 'drafted'),
       count(*) FILTER (WHERE draft_status = 'approved'),
       count(*) FILTER (WHERE draft_status = 'rejected'),
       count(*) FILTER (WHERE draft_status = 'failed')
FROM prospects;

CREATE FUNCTION prospect_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d_none integer := 0; d_drafted integer := 0; d_approved integer := 0;
    d_rejected integer := 0; d_failed integer := 0;
    o record; n record;
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT count(*) FILTER (WHERE draft_status = 'none') AS none,
               count(*) FILTER (WHERE draft_status = 'drafted') AS drafted,
               count(*) FILTER (WHERE draft_status = 'approved') AS approved,
               count(*) FILTER (WHERE draft_status = 'rejected') AS rejected,
               count(*) FILTER (WHERE draft_status = 'failed') AS failed
        INTO n FROM new_rows;
        d_none := n.none; d_drafted := n.drafted; d_approved := n.approved;
        d_rejected := n.rejected; d_failed := n.failed;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        SELECT count(*) FILTER (WHERE draft_status = 'none') AS none,
               count(*) FILTER (WHERE draft_status = 'drafted') AS drafted,
               count(*) FILTER (WHERE draft_status = 'approved') AS approved,
               count(*) FILTER (WHERE draft_status = 'rejected') AS rejected,
               count(*) FILTER (WHERE draft_status = 'failed') AS failed
        INTO o FROM old_rows;
        d_none := d_none - o.none; d_drafted := d_drafted - o.drafted;
        d_approved := d_approved - o.approved; d_rejected := d_rejected - o.rejected;
        d_failed := d_failed - o.failed;
    END IF;
    IF d_none <> 0 OR d_drafted <> 0 OR d_approved <> 0 OR d_rejected <> 0 OR d_failed <> 0 THEN
        UPDATE prospect_counts SET
            n_none = n_none + d_none, n_drafted = n_drafted + d_drafted,
            n_approved = n_approved + d_approved, n_rejected = n_rejected + d_rejected,
            n_failed = n_failed + d_failed
        WHERE id = 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER prospect_counts_insert AFTER INSERT ON prospects
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION prospect_counts_apply();
CREATE TRIGGER prospect_counts_update AFTER UPDATE ON prospects
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION prospect_counts_apply();
CREATE TRIGGER prospect_counts_delete AFTER DELETE ON prospects
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION prospect_counts_apply();
-- +down
DROP TRIGGER prospect_counts_delete ON prospects;
DROP TRIGGER prospect_counts_update ON prospects;
DROP TRIGGER prospect_counts_insert ON prospects;
DROP FUNCTION prospect_counts_apply();
DROP TABLE prospect_counts;
