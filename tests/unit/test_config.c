/*
 * Tests src/config.c: db_url_parse (accepted and rejected DATABASE_URL forms),
 * config_init (defaults and environment overrides) and config_set (validation of each
 * key, messages that name the variable or flag that was wrong, accepted bool spellings).
 */
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "unit.h"

/* ---- db_url_parse ------------------------------------------------------------------- */

static const struct {
    const char *url;
    enum db_kind kind;
    bool memory;
    const char *target; /* NULL: not checked (the memory database has no path) */
} good_urls[] = {
    {"sqlite:draftd.db", DB_SQLITE, false, "draftd.db"},
    {"sqlite:/abs/x.db", DB_SQLITE, false, "/abs/x.db"},
    {"sqlite:dir/sub dir/y.db", DB_SQLITE, false, "dir/sub dir/y.db"},
    {"sqlite::memory:", DB_SQLITE, true, NULL},
    {"postgres://u@h/db", DB_POSTGRES, false, "postgres://u@h/db"},
    {"postgresql://u@db.example:5432/draftd?sslmode=disable", DB_POSTGRES, false,
     "postgresql://u@db.example:5432/draftd?sslmode=disable"},
};

static void test_db_url_accepted(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof good_urls / sizeof *good_urls; i++) {
        struct db_url u;
        struct err e = {0};
        print_message("url %s\n", good_urls[i].url);
        assert_int_equal(db_url_parse(&u, good_urls[i].url, &e), 0);
        assert_int_equal(u.kind, good_urls[i].kind);
        assert_int_equal(u.memory, good_urls[i].memory);
        assert_string_equal(u.text, good_urls[i].url);
        if (good_urls[i].target) assert_string_equal(u.target, good_urls[i].target);
    }
}

/* text is for messages: it keeps the server and database but not the password. */
static void test_db_url_password_kept_out_of_text(void **state)
{
    (void)state;
    static const char url[] =
        "postgresql://draftd:s3cret-pw@db.example:5432/draftd?sslmode=disable";
    struct db_url u;
    struct err e = {0};
    assert_int_equal(db_url_parse(&u, url, &e), 0);
    assert_int_equal(u.kind, DB_POSTGRES);
    assert_string_equal(u.target, url); /* libpq still gets the whole URI */
    assert_not_contains(u.text, "s3cret-pw");
    assert_contains(u.text, "postgresql://draftd");
    assert_contains(u.text, "@db.example:5432/draftd");
}

/* A file that happens to be named like the memory form is not the memory database. */
static void test_db_url_memory_only_exact(void **state)
{
    (void)state;
    struct db_url u;
    struct err e = {0};
    assert_int_equal(db_url_parse(&u, "sqlite::memory:.db", &e), 0);
    assert_false(u.memory);
    assert_string_equal(u.target, ":memory:.db");
}

/* ERR_USAGE, and a message that quotes the value and names every accepted form. */
static void check_rejected(const char *url)
{
    struct db_url u;
    struct err e = {0};
    print_message("url \"%s\"\n", url);
    assert_int_equal(db_url_parse(&u, url, &e), ERR_USAGE);
    assert_int_equal(e.code, ERR_USAGE);
    assert_contains(e.msg, "sqlite:PATH");
    assert_contains(e.msg, "sqlite::memory:");
    assert_contains(e.msg, "postgres://");
    assert_contains(e.msg, "postgresql://");
    if (url[0]) assert_contains(e.msg, url);
}

static void test_db_url_rejected(void **state)
{
    (void)state;
    static const char *const bad_urls[] = {
        "mysql://x", "", "sqlite:", "postgres:/x", "http://x", "SQLITE:x.db", "postgres//x",
    };
    for (size_t i = 0; i < sizeof bad_urls / sizeof *bad_urls; i++)
        check_rejected(bad_urls[i]);
}

/* sqlite://x gets a hint of its own, but like every rejection it names the accepted forms. */
static void test_db_url_rejected_sqlite_slashes(void **state)
{
    (void)state;
    check_rejected("sqlite://x");
}

static void test_db_url_null_and_too_long(void **state)
{
    (void)state;
    struct db_url u;
    struct err e = {0};
    assert_int_equal(db_url_parse(&u, NULL, &e), ERR_USAGE);

    char *long_url = malloc(CONFIG_URL_MAX + 16);
    assert_non_null(long_url);
    memcpy(long_url, "sqlite:", 7);
    memset(long_url + 7, 'a', CONFIG_URL_MAX + 8);
    long_url[CONFIG_URL_MAX + 15] = '\0';
    err_clear(&e);
    int rc = db_url_parse(&u, long_url, &e);
    free(long_url);
    assert_int_equal(rc, ERR_USAGE);
    assert_int_equal(e.code, ERR_USAGE);
    assert_contains(e.msg, "longer than");
}

/* ---- the environment ---------------------------------------------------------------- */

static const char *const env_names[] = {"DATABASE_URL", "HOST",    "PORT",
                                        "AUTO_MIGRATE", "WORKERS", "LOG_LEVEL"};
#define N_ENV (sizeof env_names / sizeof *env_names)
static char *saved_env[N_ENV];

/* Saves and clears the variables config_init reads, so the caller's shell cannot leak in. */
static int env_save(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ENV; i++) {
        const char *v = getenv(env_names[i]);
        saved_env[i] = v ? strdup(v) : NULL;
        if (v && !saved_env[i]) return -1;
        unsetenv(env_names[i]);
    }
    return 0;
}

static int env_restore(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ENV; i++) {
        if (saved_env[i])
            setenv(env_names[i], saved_env[i], 1);
        else
            unsetenv(env_names[i]);
        free(saved_env[i]);
        saved_env[i] = NULL;
    }
    return 0;
}

/* Per test: start with none of the variables set, and leave none set. */
static int env_clear(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ENV; i++)
        unsetenv(env_names[i]);
    return 0;
}

static void test_init_defaults(void **state)
{
    (void)state;
    struct config c;
    struct err e = {0};
    memset(&c, 0x5a, sizeof c);
    assert_int_equal(config_init(&c, &e), 0);
    assert_string_equal(c.host, "127.0.0.1");
    assert_int_equal(c.port, 8080);
    assert_int_equal(c.workers, 2);
    assert_false(c.auto_migrate);
    assert_int_equal(c.log_level, LOG_INFO);
    assert_int_equal(c.db.kind, DB_SQLITE);
    assert_false(c.db.memory);
    assert_string_equal(c.db.text, "sqlite:draftd.db");
    assert_string_equal(c.db.target, "draftd.db");
}

static void test_init_env_overrides(void **state)
{
    (void)state;
    setenv("DATABASE_URL", "postgres://u@h/db", 1);
    setenv("HOST", "0.0.0.0", 1);
    setenv("PORT", "9090", 1);
    setenv("AUTO_MIGRATE", "true", 1);
    setenv("WORKERS", "8", 1);
    setenv("LOG_LEVEL", "debug", 1);
    struct config c;
    struct err e = {0};
    assert_int_equal(config_init(&c, &e), 0);
    assert_int_equal(c.db.kind, DB_POSTGRES);
    assert_string_equal(c.db.target, "postgres://u@h/db");
    assert_string_equal(c.host, "0.0.0.0");
    assert_int_equal(c.port, 9090);
    assert_true(c.auto_migrate);
    assert_int_equal(c.workers, 8);
    assert_int_equal(c.log_level, LOG_DEBUG);

    /* A flag then overrides its variable, through the same setter. */
    assert_int_equal(config_set(&c, CFG_PORT, "7000", "--port", &e), 0);
    assert_int_equal(c.port, 7000);
    assert_int_equal(config_set(&c, CFG_DATABASE_URL, "sqlite::memory:", "--database-url", &e), 0);
    assert_int_equal(c.db.kind, DB_SQLITE);
    assert_true(c.db.memory);
}

static void test_init_env_memory_url(void **state)
{
    (void)state;
    setenv("DATABASE_URL", "sqlite::memory:", 1);
    struct config c;
    struct err e = {0};
    assert_int_equal(config_init(&c, &e), 0);
    assert_int_equal(c.db.kind, DB_SQLITE);
    assert_true(c.db.memory);
}

/* ---- bad values: one table for variables and flags alike ------------------------------ */

static const struct {
    enum config_key key;
    const char *var, *flag, *value;
} bad_values[] = {
    {CFG_PORT, "PORT", "--port", "70000"},
    {CFG_PORT, "PORT", "--port", "65536"},
    {CFG_PORT, "PORT", "--port", "-1"},
    {CFG_PORT, "PORT", "--port", "abc"},
    {CFG_PORT, "PORT", "--port", "80x"},
    {CFG_PORT, "PORT", "--port", ""},
    {CFG_PORT, "PORT", "--port", "99999999999999999999999"},
    {CFG_WORKERS, "WORKERS", "--workers", "0"},
    {CFG_WORKERS, "WORKERS", "--workers", "65"},
    {CFG_WORKERS, "WORKERS", "--workers", "x"},
    {CFG_WORKERS, "WORKERS", "--workers", "-3"},
    {CFG_AUTO_MIGRATE, "AUTO_MIGRATE", "--auto-migrate", "maybe"},
    {CFG_AUTO_MIGRATE, "AUTO_MIGRATE", "--auto-migrate", "2"},
    {CFG_LOG_LEVEL, "LOG_LEVEL", "--log-level", "verbose"},
    {CFG_LOG_LEVEL, "LOG_LEVEL", "--log-level", "warning"},
    {CFG_DATABASE_URL, "DATABASE_URL", "--database-url", "mysql://x"},
};

/* Every field config_set can touch, to show that a rejected value changed nothing. */
static void assert_defaults_kept(const struct config *c)
{
    assert_int_equal(c->port, 8080);
    assert_int_equal(c->workers, 2);
    assert_false(c->auto_migrate);
    assert_int_equal(c->log_level, LOG_INFO);
    assert_string_equal(c->host, "127.0.0.1");
}

static void test_set_rejects_with_flag_name(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_values / sizeof *bad_values; i++) {
        struct config c;
        struct err e = {0};
        assert_int_equal(config_init(&c, &e), 0);
        print_message("%s \"%s\"\n", bad_values[i].flag, bad_values[i].value);
        assert_int_equal(
            config_set(&c, bad_values[i].key, bad_values[i].value, bad_values[i].flag, &e),
            ERR_USAGE);
        assert_int_equal(e.code, ERR_USAGE);
        assert_contains(e.msg, bad_values[i].flag);
        if (bad_values[i].value[0]) assert_contains(e.msg, bad_values[i].value);
        if (bad_values[i].key != CFG_DATABASE_URL) assert_defaults_kept(&c);
    }
}

static void test_init_rejects_with_variable_name(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_values / sizeof *bad_values; i++) {
        struct config c;
        struct err e = {0};
        print_message("%s=\"%s\"\n", bad_values[i].var, bad_values[i].value);
        setenv(bad_values[i].var, bad_values[i].value, 1);
        int rc = config_init(&c, &e);
        unsetenv(bad_values[i].var);
        assert_int_equal(rc, ERR_USAGE);
        assert_int_equal(e.code, ERR_USAGE);
        assert_contains(e.msg, bad_values[i].var);
        if (bad_values[i].value[0]) assert_contains(e.msg, bad_values[i].value);
        /* The flag spelling belongs to the command line only. */
        assert_not_contains(e.msg, bad_values[i].flag);
    }
}

static void test_set_rejects_empty_host(void **state)
{
    (void)state;
    struct config c;
    struct err e = {0};
    assert_int_equal(config_init(&c, &e), 0);
    assert_int_equal(config_set(&c, CFG_HOST, "", "--host", &e), ERR_USAGE);
    assert_contains(e.msg, "--host");
    assert_string_equal(c.host, "127.0.0.1");

    char longhost[300];
    memset(longhost, 'h', sizeof longhost - 1);
    longhost[sizeof longhost - 1] = '\0';
    err_clear(&e);
    assert_int_equal(config_set(&c, CFG_HOST, longhost, "HOST", &e), ERR_USAGE);
    assert_contains(e.msg, "HOST");
    assert_string_equal(c.host, "127.0.0.1");
}

/* ---- accepted values ---------------------------------------------------------------- */

static void test_set_accepts_ranges(void **state)
{
    (void)state;
    struct config c;
    struct err e = {0};
    assert_int_equal(config_init(&c, &e), 0);
    assert_int_equal(config_set(&c, CFG_PORT, "0", "--port", &e), 0);
    assert_int_equal(c.port, 0);
    assert_int_equal(config_set(&c, CFG_PORT, "65535", "--port", &e), 0);
    assert_int_equal(c.port, 65535);
    assert_int_equal(config_set(&c, CFG_WORKERS, "1", "--workers", &e), 0);
    assert_int_equal(c.workers, 1);
    assert_int_equal(config_set(&c, CFG_WORKERS, "64", "--workers", &e), 0);
    assert_int_equal(c.workers, 64);
    assert_int_equal(config_set(&c, CFG_HOST, "::1", "--host", &e), 0);
    assert_string_equal(c.host, "::1");

    static const struct {
        const char *text;
        enum log_level level;
    } levels[] = {
        {"debug", LOG_DEBUG}, {"info", LOG_INFO}, {"warn", LOG_WARN}, {"error", LOG_ERROR}};
    for (size_t i = 0; i < sizeof levels / sizeof *levels; i++) {
        assert_int_equal(config_set(&c, CFG_LOG_LEVEL, levels[i].text, "--log-level", &e), 0);
        assert_int_equal(c.log_level, levels[i].level);
    }
}

static void test_set_bool_spellings(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        bool value;
    } spellings[] = {
        {"true", true}, {"TRUE", true}, {"True", true}, {"1", true},      {"yes", true},
        {"YES", true},  {"on", true},   {"On", true},   {"false", false}, {"FALSE", false},
        {"0", false},   {"no", false},  {"No", false},  {"off", false},   {"OFF", false},
    };
    struct config c;
    struct err e = {0};
    assert_int_equal(config_init(&c, &e), 0);
    for (size_t i = 0; i < sizeof spellings / sizeof *spellings; i++) {
        print_message("AUTO_MIGRATE=%s\n", spellings[i].text);
        /* Start from the opposite value so that every spelling has to change it. */
        c.auto_migrate = !spellings[i].value;
        assert_int_equal(config_set(&c, CFG_AUTO_MIGRATE, spellings[i].text, "AUTO_MIGRATE", &e),
                         0);
        assert_int_equal(c.auto_migrate, spellings[i].value);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_db_url_accepted),
        cmocka_unit_test(test_db_url_password_kept_out_of_text),
        cmocka_unit_test(test_db_url_memory_only_exact),
        cmocka_unit_test(test_db_url_rejected),
        cmocka_unit_test(test_db_url_rejected_sqlite_slashes),
        cmocka_unit_test(test_db_url_null_and_too_long),
        cmocka_unit_test_setup_teardown(test_init_defaults, env_clear, env_clear),
        cmocka_unit_test_setup_teardown(test_init_env_overrides, env_clear, env_clear),
        cmocka_unit_test_setup_teardown(test_init_env_memory_url, env_clear, env_clear),
        cmocka_unit_test_setup_teardown(test_set_rejects_with_flag_name, env_clear, env_clear),
        cmocka_unit_test_setup_teardown(test_init_rejects_with_variable_name, env_clear, env_clear),
        cmocka_unit_test_setup_teardown(test_set_rejects_empty_host, env_clear, env_clear),
        cmocka_unit_test_setup_teardown(test_set_accepts_ranges, env_clear, env_clear),
        cmocka_unit_test_setup_teardown(test_set_bool_spellings, env_clear, env_clear),
    };
    return cmocka_run_group_tests_name("config", tests, env_save, env_restore);
}
