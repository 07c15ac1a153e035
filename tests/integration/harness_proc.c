/*
 * harness_proc — the draftd processes of harness.h. They are started with
 * fork/execve and their output goes to temporary files (no pipes, so nothing can
 * block on a full pipe); waits poll with WNOHANG against a deadline, so a hung draftd
 * fails the test instead of hanging it.
 */
#include "harness.h"
#include "harness_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define MAX_ARGS 32
#define RUN_TIMEOUT_MS 60000
#define LISTEN_TIMEOUT_MS 10000
#define STOP_TIMEOUT_MS 15000

/* --- processes ---------------------------------------------------------------------- */

static const char *draftd_bin(void)
{
    const char *bin = getenv("DRAFTD_BIN");
    if (!bin || !*bin) fail_msg("DRAFTD_BIN is not set (the path of the draftd binary)");
    if (access(bin, X_OK) != 0) fail_msg("DRAFTD_BIN %s is not an executable", bin);
    return bin;
}

/* draftd's own variables are never inherited: each test says what it wants. */
static bool env_skipped(const char *entry, const char *const *extra)
{
    static const char *const own[] = {
        "DATABASE_URL=", "HOST=", "PORT=", "AUTO_MIGRATE=", "WORKERS=", "LOG_LEVEL="};
    for (size_t i = 0; i < sizeof own / sizeof *own; i++)
        if (strncmp(entry, own[i], strlen(own[i])) == 0) return true;
    for (const char *const *x = extra; x && *x; x++) {
        const char *eq = strchr(*x, '=');
        size_t klen = eq ? (size_t)(eq - *x) + 1 : strlen(*x);
        if (strncmp(entry, *x, klen) == 0) return true;
    }
    return false;
}

/* While held, spawned children wait on this pipe before execve (see h_gate_hold). */
static int gate[2] = {-1, -1};

void h_gate_hold(void)
{
    char err[128];
    if (gate[0] >= 0) fail_msg("h_gate_hold: already held");
    if (pipe(gate) != 0) fail_msg("pipe: %s", hi_errtext(errno, err, sizeof err));
}

void h_gate_release(void)
{
    if (gate[0] < 0) return;
    close(gate[1]); /* the children's read() returns 0: all go at once */
    close(gate[0]);
    gate[0] = gate[1] = -1;
}

/* Forks and execs argv with envp, stdout/stderr to the given files; returns the pid. */
static pid_t spawn(char *const *argv, char *const *envp, const char *out_path, const char *err_path)
{
    char err[128];
    int out_fd = open(out_path, O_WRONLY | O_TRUNC);
    int err_fd = open(err_path, O_WRONLY | O_TRUNC);
    int null_fd = open("/dev/null", O_RDONLY);
    if (out_fd < 0 || err_fd < 0 || null_fd < 0)
        fail_msg("cannot open output files: %s", hi_errtext(errno, err, sizeof err));
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) fail_msg("fork: %s", hi_errtext(errno, err, sizeof err));
    if (pid == 0) {
        dup2(null_fd, STDIN_FILENO);
        dup2(out_fd, STDOUT_FILENO);
        dup2(err_fd, STDERR_FILENO);
        close(null_fd);
        close(out_fd);
        close(err_fd);
        if (gate[0] >= 0) {
            char c;
            close(gate[1]);
            while (read(gate[0], &c, 1) < 0 && errno == EINTR)
                ;
            close(gate[0]);
        }
        execve(argv[0], argv, envp);
        static const char msg[] = "harness: execve failed\n";
        ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)w;
        _exit(127);
    }
    close(null_fd);
    close(out_fd);
    close(err_fd);
    hi_track_pid(pid);
    return pid;
}

/* Builds argv (DRAFTD_BIN, prefix..., then the NULL-terminated va_list) and envp. */
struct launch {
    char *argv[MAX_ARGS + 2];
    char **envp;
    char db_env[700];
};

static void launch_init(struct launch *l, const char *const *prefix, va_list ap, const char *db_url,
                        const char *const *env)
{
    int n = 0;
    l->argv[n++] = (char *)draftd_bin();
    for (const char *const *p = prefix; p && *p; p++)
        l->argv[n++] = (char *)*p;
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL) {
        if (n >= MAX_ARGS) fail_msg("harness: too many arguments");
        l->argv[n++] = (char *)a;
    }
    l->argv[n] = NULL;

    size_t count = 0, extra = 0;
    while (environ[count])
        count++;
    for (const char *const *x = env; x && *x; x++)
        extra++;
    l->envp = calloc(count + extra + 2, sizeof *l->envp);
    assert_non_null(l->envp);
    size_t k = 0;
    for (size_t i = 0; i < count; i++)
        if (!env_skipped(environ[i], env)) l->envp[k++] = environ[i];
    if (db_url) {
        snprintf(l->db_env, sizeof l->db_env, "DATABASE_URL=%s", db_url);
        l->envp[k++] = l->db_env;
    }
    for (const char *const *x = env; x && *x; x++)
        l->envp[k++] = (char *)*x;
    l->envp[k] = NULL;
}

/* Waits for pid until deadline; 1 and *status when it exited, 0 when still running. */
static int wait_until(pid_t pid, long long deadline, int *status)
{
    char err[128];
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid) {
            hi_untrack_pid(pid);
            return 1;
        }
        if (r < 0 && errno != EINTR) fail_msg("waitpid: %s", hi_errtext(errno, err, sizeof err));
        if (hi_now_ms() >= deadline) return 0;
        hi_nap_ms(5);
    }
}

void hi_kill_and_reap(pid_t pid)
{
    int status;
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    hi_untrack_pid(pid);
}

void h_vstart(struct h_proc *p, const char *db_url, const char *const *env, va_list ap)
{
    struct launch l;
    memset(p, 0, sizeof *p);
    launch_init(&l, NULL, ap, db_url, env);
    hi_make_temp_file(p->out_path, sizeof p->out_path, "out");
    hi_make_temp_file(p->err_path, sizeof p->err_path, "err");
    p->pid = spawn(l.argv, l.envp, p->out_path, p->err_path);
    free(l.envp);
}

void h_start(struct h_proc *p, const char *db_url, const char *const *env, ...)
{
    va_list ap;
    va_start(ap, env);
    h_vstart(p, db_url, env, ap);
    va_end(ap);
}

int h_finish(struct h_proc *p, struct h_result *res)
{
    int status = 0;
    if (!wait_until(p->pid, hi_now_ms() + RUN_TIMEOUT_MS, &status)) {
        hi_kill_and_reap(p->pid);
        char *err = hi_slurp(p->err_path);
        print_error("stderr so far:\n%s\n", err);
        free(err);
        fail_msg("draftd (pid %ld) did not finish within %d s", (long)p->pid,
                 RUN_TIMEOUT_MS / 1000);
    }
    res->out = hi_track_buf(hi_slurp(p->out_path));
    res->err = hi_track_buf(hi_slurp(p->err_path));
    hi_remove_file(p->out_path);
    hi_remove_file(p->err_path);
    if (!WIFEXITED(status)) {
        print_error("stdout:\n%s\nstderr:\n%s\n", res->out, res->err);
        fail_msg("draftd was killed by signal %d", WIFSIGNALED(status) ? WTERMSIG(status) : -1);
    }
    res->status = WEXITSTATUS(status);
    return res->status;
}

int h_run(struct h_result *res, const char *db_url, const char *const *env, ...)
{
    struct h_proc p;
    va_list ap;
    va_start(ap, env);
    h_vstart(&p, db_url, env, ap);
    va_end(ap);
    return h_finish(&p, res);
}

void h_migrate(const struct h_db *db, const char *to)
{
    struct h_result r;
    if (to)
        h_run(&r, db->url, NULL, "migrate", "up", "--to", to, NULL);
    else
        h_run(&r, db->url, NULL, "migrate", "up", NULL);
    h_assert_status(&r, 0);
    h_result_release(&r);
}

void h_result_release(struct h_result *res)
{
    hi_free_buf(res->out);
    hi_free_buf(res->err);
    res->out = res->err = NULL;
}

void h_assert_status_at(const struct h_result *res, int want, const char *file, int line)
{
    if (res->status == want) return;
    print_error("%s:%d: draftd exited %d, expected %d\n--- stdout:\n%s\n--- stderr:\n%s\n", file,
                line, res->status, want, res->out, res->err);
    fail_msg("unexpected exit status %d (expected %d) at %s:%d", res->status, want, file, line);
}

/* --- the server --------------------------------------------------------------------- */

/* The port= of the first msg="listening" line in log, or -1. */
static int listening_port(const char *log)
{
    for (const char *p = log; p && *p;) {
        const char *eol = strchr(p, '\n');
        if (!eol) break; /* only complete lines */
        const char *hit = strstr(p, "msg=\"listening\"");
        if (hit && hit < eol) {
            const char *port = strstr(p, " port=");
            if (port && port < eol) {
                char *end;
                long v = strtol(port + 6, &end, 10);
                if (end != port + 6 && v > 0 && v < 65536) return (int)v;
            }
        }
        p = eol + 1;
    }
    return -1;
}

const char *h_serve_log(struct h_server *srv)
{
    hi_free_buf(srv->log);
    srv->log = hi_track_buf(hi_slurp(srv->log_path));
    return srv->log;
}

static void server_exited(struct h_server *srv, int status)
{
    srv->running = false;
    h_serve_log(srv);
    hi_free_buf(srv->out);
    srv->out = hi_track_buf(hi_slurp(srv->out_path));
    if (!WIFEXITED(status)) {
        print_error("serve stderr:\n%s\n", srv->log);
        fail_msg("draftd serve was killed by signal %d",
                 WIFSIGNALED(status) ? WTERMSIG(status) : -1);
    }
    srv->status = WEXITSTATUS(status);
}

static void serve_vspawn(struct h_server *srv, const char *db_url, const char *const *env,
                         va_list ap)
{
    static const char *const prefix[] = {"serve", "--port", "0", NULL};
    struct launch l;
    memset(srv, 0, sizeof *srv);
    launch_init(&l, prefix, ap, db_url, env);
    hi_make_temp_file(srv->out_path, sizeof srv->out_path, "serve-out");
    hi_make_temp_file(srv->log_path, sizeof srv->log_path, "serve-log");
    srv->pid = spawn(l.argv, l.envp, srv->out_path, srv->log_path);
    free(l.envp);
}

void h_serve_spawn(struct h_server *srv, const char *db_url, const char *const *env, ...)
{
    va_list ap;
    va_start(ap, env);
    serve_vspawn(srv, db_url, env, ap);
    va_end(ap);
}

int h_serve_wait(struct h_server *srv)
{
    long long deadline = hi_now_ms() + LISTEN_TIMEOUT_MS;
    for (;;) {
        int status;
        int port = listening_port(h_serve_log(srv));
        if (port > 0) {
            srv->port = port;
            srv->running = true;
            return H_LISTENING;
        }
        if (wait_until(srv->pid, hi_now_ms() + 10, &status)) {
            server_exited(srv, status);
            return srv->status;
        }
        if (hi_now_ms() >= deadline) {
            hi_kill_and_reap(srv->pid);
            print_error("serve stderr:\n%s\n", h_serve_log(srv));
            fail_msg("draftd serve neither listened nor exited within %d s",
                     LISTEN_TIMEOUT_MS / 1000);
        }
    }
}

int h_serve_start(struct h_server *srv, const char *db_url, const char *const *env, ...)
{
    va_list ap;
    va_start(ap, env);
    serve_vspawn(srv, db_url, env, ap);
    va_end(ap);
    return h_serve_wait(srv);
}

int h_serve_signal(struct h_server *srv, int sig)
{
    h_serve_kill(srv, sig);
    return h_serve_wait_exit(srv);
}

void h_serve_kill(struct h_server *srv, int sig)
{
    if (!srv->running) fail_msg("h_serve_kill: the server is not running");
    if (kill(srv->pid, sig) != 0) fail_msg("kill(%ld) failed", (long)srv->pid);
}

int h_serve_wait_exit(struct h_server *srv)
{
    int status;
    if (!srv->running) fail_msg("h_serve_wait_exit: the server is not running");
    if (!wait_until(srv->pid, hi_now_ms() + STOP_TIMEOUT_MS, &status)) {
        hi_kill_and_reap(srv->pid);
        srv->running = false;
        print_error("serve stderr:\n%s\n", h_serve_log(srv));
        fail_msg("draftd serve did not exit within %d s", STOP_TIMEOUT_MS / 1000);
    }
    server_exited(srv, status);
    return srv->status;
}

int h_serve_stop(struct h_server *srv)
{
    return h_serve_signal(srv, SIGTERM);
}

void h_serve_release(struct h_server *srv)
{
    if (srv->running) hi_kill_and_reap(srv->pid);
    srv->running = false;
    hi_remove_file(srv->log_path);
    hi_remove_file(srv->out_path);
    hi_free_buf(srv->log);
    hi_free_buf(srv->out);
    srv->log = srv->out = NULL;
}

int h_free_port(void)
{
    char err[128];
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) fail_msg("socket: %s", hi_errtext(errno, err, sizeof err));
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        close(fd);
        fail_msg("cannot find a free port: %s", hi_errtext(errno, err, sizeof err));
    }
    close(fd);
    return ntohs(a.sin_port);
}

bool h_port_accepts(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    if (ok) {
        /* With nothing listening, Linux can connect a socket to itself when the kernel
         * happens to pick the target port as the source port: that is no server. */
        struct sockaddr_in self;
        socklen_t len = sizeof self;
        if (getsockname(fd, (struct sockaddr *)&self, &len) == 0 && self.sin_port == a.sin_port)
            ok = false;
    }
    close(fd);
    return ok;
}
