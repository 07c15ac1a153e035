/*
 * schema — see schema.h. The guard: history, model and statements against the live
 * database, each difference one struct schema_problem.
 */
#include "schema.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static struct schema_problem *add(struct schema_report *r, enum problem_kind kind)
{
    if (r->count == r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : 16;
        struct schema_problem *grown = realloc(r->items, ncap * sizeof *grown);
        if (!grown) return NULL;
        r->items = grown;
        r->cap = ncap;
    }
    struct schema_problem *p = &r->items[r->count++];
    memset(p, 0, sizeof *p);
    p->kind = kind;
    return p;
}

#define ADD_OR_FAIL(p, r, kind)                                                                    \
    do {                                                                                           \
        if (!((p) = add((r), (kind)))) return err_set(e, ERR_NOMEM, "out of memory");              \
    } while (0)

static int check_history(struct schema_report *r, struct store *s, const struct migration_set *set,
                         struct err *e)
{
    struct migration_history h;
    int rc = migrate_read_history(&h, s, e);
    if (rc) return rc;
    r->schema_version = migration_history_version(&h);
    struct schema_problem *p;
    for (size_t i = 0; i < h.count; i++) {
        const struct applied_migration *a = &h.items[i];
        const struct migration *m = migration_set_find(set, a->version);
        if (!m) {
            if (!(p = add(r, PROBLEM_UNKNOWN))) goto nomem;
            p->version = a->version;
            snprintf(p->name, sizeof p->name, "%s", a->name);
        } else if (strcmp(m->checksum, a->checksum) != 0) {
            if (!(p = add(r, PROBLEM_CHECKSUM))) goto nomem;
            p->version = a->version;
            snprintf(p->name, sizeof p->name, "%s", m->name);
            snprintf(p->expected, sizeof p->expected, "%s", m->checksum);
            snprintf(p->actual, sizeof p->actual, "%s", a->checksum);
        }
    }
    for (size_t i = 0; i < set->count; i++) {
        bool applied = false;
        for (size_t j = 0; j < h.count && !applied; j++)
            applied = h.items[j].version == set->items[i].version;
        if (applied) continue;
        if (!(p = add(r, PROBLEM_PENDING))) goto nomem;
        p->version = set->items[i].version;
        snprintf(p->name, sizeof p->name, "%s", set->items[i].name);
    }
    migration_history_release(&h);
    return 0;
nomem:
    migration_history_release(&h);
    return err_set(e, ERR_NOMEM, "out of memory");
}

struct live_column {
    char name[64], type[64];
    bool not_null;
};

static int check_table(struct schema_report *r, struct store *s, const struct model_table *t,
                       struct err *e)
{
    struct live_column live[64];
    size_t n = 0;
    struct store_rows *rows = NULL;
    struct sval name = SV_TEXT(t->name);
    int rc = store_query(s, STMT_SCHEMA_COLUMNS, &name, 1, &rows, e);
    if (rc) return rc;
    while ((rc = store_rows_next(rows, e)) == 1 && n < sizeof live / sizeof *live) {
        const char *cn = store_rows_text(rows, 0), *ct = store_rows_text(rows, 1);
        snprintf(live[n].name, sizeof live[n].name, "%s", cn ? cn : "");
        snprintf(live[n].type, sizeof live[n].type, "%s", ct ? ct : "");
        /* SQLite: an INTEGER PRIMARY KEY is the rowid, never NULL, yet reports notnull 0. */
        live[n].not_null = store_rows_int(rows, 2) != 0 || store_rows_int(rows, 3) != 0;
        n++;
    }
    store_rows_free(rows);
    if (rc < 0) return rc;

    struct schema_problem *p;
    if (n == 0) {
        ADD_OR_FAIL(p, r, PROBLEM_MISSING_TABLE);
        snprintf(p->table, sizeof p->table, "%s", t->name);
        return 0;
    }
    for (size_t i = 0; i < t->ncolumns; i++) {
        const struct model_column *mc = &t->columns[i];
        const char *want = schema_type_name(s->kind, mc->type);
        const struct live_column *lc = NULL;
        for (size_t j = 0; j < n && !lc; j++)
            if (strcmp(live[j].name, mc->name) == 0) lc = &live[j];
        enum problem_kind kind;
        if (!lc) kind = PROBLEM_MISSING_COLUMN;
        else if (strcasecmp(lc->type, want) != 0) kind = PROBLEM_WRONG_TYPE;
        else if (lc->not_null != mc->not_null) kind = PROBLEM_WRONG_NULLABILITY;
        else continue;
        ADD_OR_FAIL(p, r, kind);
        snprintf(p->table, sizeof p->table, "%s", t->name);
        snprintf(p->column, sizeof p->column, "%s", mc->name);
        snprintf(p->expected, sizeof p->expected, "%s %s", want, mc->not_null ? "NOT NULL" : "NULL");
        if (lc)
            snprintf(p->actual, sizeof p->actual, "%s %s", lc->type,
                     lc->not_null ? "NOT NULL" : "NULL");
    }
    return 0;
}

static int check_object(struct schema_report *r, struct store *s, const struct model_object *o,
                        struct err *e)
{
    struct sval params[3] = {SV_TEXT(o->kind), SV_TEXT(o->name), SV_TEXT(o->table)};
    long long n = 0;
    int rc = store_query_int(s, STMT_SCHEMA_OBJECT, params, 3, &n, e);
    if (rc || n > 0) return rc;
    struct schema_problem *p;
    ADD_OR_FAIL(p, r, PROBLEM_MISSING_OBJECT);
    snprintf(p->table, sizeof p->table, "%s", o->table);
    p->object = o;
    return 0;
}

int schema_check(struct schema_report *out, struct store *s, const struct migration_set *set,
                 struct err *e)
{
    memset(out, 0, sizeof *out);
    out->latest_version = migration_set_latest(set);
    int rc = check_history(out, s, set, e);
    if (rc) return rc;
    for (size_t i = 0; i < schema_model_count; i++)
        if ((rc = check_table(out, s, &schema_model[i], e))) return rc;
    for (size_t i = 0; i < schema_objects_count; i++)
        if ((rc = check_object(out, s, &schema_objects[i], e))) return rc;

    for (int id = 0; id < STMT__COUNT; id++) {
        struct err pe = {0};
        rc = store_prepare_check(s, (enum stmt_id)id, &pe);
        if (rc == ERR_UNAVAILABLE) return err_set(e, rc, "%s", pe.msg);
        if (!rc) continue;
        struct schema_problem *p;
        ADD_OR_FAIL(p, out, PROBLEM_STATEMENT);
        snprintf(p->statement, sizeof p->statement, "%s", stmt_name((enum stmt_id)id));
        snprintf(p->detail, sizeof p->detail, "%s", pe.msg);
    }
    return 0;
}

void schema_report_release(struct schema_report *r)
{
    free(r->items);
    memset(r, 0, sizeof *r);
}

void schema_problem_text(const struct schema_problem *p, char *buf, size_t len)
{
    switch (p->kind) {
    case PROBLEM_PENDING: snprintf(buf, len, "pending"); break;
    case PROBLEM_CHECKSUM:
        snprintf(buf, len, "edited after it was applied (applied checksum %s, this build %s)",
                 p->actual, p->expected);
        break;
    case PROBLEM_UNKNOWN: snprintf(buf, len, "applied but unknown to this build"); break;
    case PROBLEM_MISSING_TABLE:
    case PROBLEM_MISSING_COLUMN: snprintf(buf, len, "missing"); break;
    case PROBLEM_WRONG_TYPE:
        snprintf(buf, len, "wrong type: %s, expected %s", p->actual, p->expected);
        break;
    case PROBLEM_WRONG_NULLABILITY:
        snprintf(buf, len, "wrong nullability: %s, expected %s", p->actual, p->expected);
        break;
    case PROBLEM_STATEMENT: snprintf(buf, len, "does not prepare: %s", p->detail); break;
    case PROBLEM_MISSING_OBJECT: snprintf(buf, len, "missing"); break;
    }
}

void schema_problem_line(const struct schema_problem *p, char *buf, size_t len)
{
    char text[700];
    schema_problem_text(p, text, sizeof text);
    switch (p->kind) {
    case PROBLEM_PENDING:
    case PROBLEM_CHECKSUM:
    case PROBLEM_UNKNOWN:
        snprintf(buf, len, "migration %d (%s): %s", p->version, p->name, text);
        break;
    case PROBLEM_MISSING_TABLE: snprintf(buf, len, "%s: missing table", p->table); break;
    case PROBLEM_MISSING_COLUMN:
        snprintf(buf, len, "%s.%s: missing column (expected %s)", p->table, p->column,
                 p->expected);
        break;
    case PROBLEM_WRONG_TYPE:
    case PROBLEM_WRONG_NULLABILITY:
        snprintf(buf, len, "%s.%s: %s", p->table, p->column, text);
        break;
    case PROBLEM_STATEMENT: snprintf(buf, len, "statement %s: %s", p->statement, text); break;
    case PROBLEM_MISSING_OBJECT:
        snprintf(buf, len, "%s: missing %s %s (%s)", p->table, p->object->kind, p->object->name,
                 p->object->purpose);
        break;
    }
}

const char *schema_report_fix(const struct schema_report *r)
{
    bool pending = false, unknown = false, edited = false;
    for (size_t i = 0; i < r->count; i++) {
        pending |= r->items[i].kind == PROBLEM_PENDING;
        unknown |= r->items[i].kind == PROBLEM_UNKNOWN;
        edited |= r->items[i].kind == PROBLEM_CHECKSUM;
    }
    if (unknown)
        return "the database was migrated by a newer draftd: run that build (or newer), not this "
               "one";
    if (edited)
        return "restore the edited migration file to the text that was applied; an applied "
               "migration is never changed, a new migration is added instead";
    if (pending || !r->count) return "draftd migrate up";
    return "the live schema was changed outside draftd's migrations, and draftd migrate up has "
           "nothing left to apply: restore the listed tables, columns, indexes and triggers as "
           "migrations/ defines them (or restore the database from a backup)";
}

void schema_report_print(const struct schema_report *r, FILE *f)
{
    char line[1024];
    for (size_t i = 0; i < r->count; i++) {
        schema_problem_line(&r->items[i], line, sizeof line);
        fprintf(f, "%s\n", line);
    }
    fprintf(f, "fix: %s\n", schema_report_fix(r));
}
