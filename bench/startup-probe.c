/*
 * bench/startup-probe.c - measures server start-up latency: the time from
 * fork/exec of a server command to its first "200" answer on
 * GET /api/health at 127.0.0.1:PORT.
 *
 * Usage: startup-probe [-n RUNS] [-w WARMUP] [-p PORT] [-t TIMEOUT_MS]
 *                      [-l LOGFILE] -- CMD ARGS...
 *
 * For each run: take a CLOCK_MONOTONIC timestamp, fork and exec CMD with
 * stdout/stderr sent to /dev/null (or appended to LOGFILE), then repeatedly
 * connect to the port (non-blocking connect, ~200 us sleep between
 * attempts), send a Connection: close health request and read the status
 * line.  The clock stops at the first 200.  The child (in its own process
 * group, so wrapper scripts work) is then sent SIGTERM and reaped; a
 * non-zero exit status after SIGTERM is reported as a warning.  WARMUP runs are done first and not counted (they pull the
 * binary and database into the page cache).
 *
 * Prints one "run=N ms=X.XXX" line per counted run, then
 * "median_ms=... min_ms=... max_ms=... runs=N".  Exits 1 if a run does not
 * get a 200 within TIMEOUT_MS (default 5000), if the child dies early, or
 * if something already answers on PORT before the child is started.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "bench-util.h"

#define RETRY_SLEEP_NS 200000L /* 200 us between connection attempts */
#define MAX_RUNS 10000

/* Set by SIGINT/SIGTERM/SIGHUP so we can stop the child before exiting. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    interrupted = sig;
}

/* Installs handler for SIGINT, SIGTERM and SIGHUP. */
static void set_stop_handlers(void (*handler)(int))
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

static const char REQUEST[] =
    "GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

/* Result of one probe attempt. */
enum probe_result {
    PROBE_OK,        /* got "HTTP/1.x 200" */
    PROBE_NOT_READY, /* refused / reset / non-200: retry */
};

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void errstr(int err, char *buf, size_t len)
{
    /* XSI strerror_r (we compile with _POSIX_C_SOURCE, not _GNU_SOURCE). */
    if (strerror_r(err, buf, len) != 0)
        snprintf(buf, len, "errno %d", err);
}


/* Waits for fd to become ready for `events`, at most until deadline_ms. */
static int wait_fd(int fd, short events, double deadline_ms)
{
    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = events, .revents = 0};
        double left = deadline_ms - now_ms();
        int rc;

        if (left <= 0)
            return -1;
        rc = poll(&pfd, 1, (int)left + 1);
        if (rc > 0)
            return 0;
        if (rc == 0)
            return -1;
        if (errno != EINTR || interrupted)
            return -1;
    }
}

/*
 * One attempt: connect, send the request, read the status line.
 * Never blocks past deadline_ms.
 */
static enum probe_result probe_once(int port, double deadline_ms,
                                    int *status_out)
{
    struct sockaddr_in sa;
    char buf[64];
    size_t got = 0;
    size_t sent = 0;
    int fd;
    int one = 1;
    enum probe_result res = PROBE_NOT_READY;

    *status_out = 0;
    fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return PROBE_NOT_READY;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        int err = 0;
        socklen_t elen = sizeof err;

        if (errno != EINPROGRESS)
            goto out;
        if (wait_fd(fd, POLLOUT, deadline_ms) != 0)
            goto out;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0 ||
            err != 0)
            goto out;
    }

    while (sent < sizeof REQUEST - 1) {
        ssize_t n = send(fd, REQUEST + sent, sizeof REQUEST - 1 - sent,
                         MSG_NOSIGNAL);
        if (n > 0) {
            sent += (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (wait_fd(fd, POLLOUT, deadline_ms) != 0)
                goto out;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            goto out;
        }
    }

    /* Read until we have "HTTP/1.x NNN" (12 bytes) or the peer closes. */
    while (got < 12) {
        ssize_t n = recv(fd, buf + got, sizeof buf - 1 - got, 0);
        if (n > 0) {
            got += (size_t)n;
        } else if (n == 0) {
            break;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (wait_fd(fd, POLLIN, deadline_ms) != 0)
                break;
        } else if (errno == EINTR) {
            continue;
        } else {
            break;
        }
    }
    buf[got] = '\0';
    if (got >= 12 && strncmp(buf, "HTTP/1.", 7) == 0 && buf[8] == ' ') {
        long code = 0;
        char digits[4] = {buf[9], buf[10], buf[11], '\0'};

        if (parse_long(digits, 100, 599, &code) == 0)
            *status_out = (int)code;
        if (code == 200)
            res = PROBE_OK;
    }
out:
    close(fd);
    return res;
}

/* Returns 1 if the child has already exited (and reaps it), else 0. */
static int child_exited(pid_t pid, int *wstatus)
{
    pid_t r;

    do {
        r = waitpid(pid, wstatus, WNOHANG);
    } while (r < 0 && errno == EINTR);
    return r == pid;
}

/*
 * SIGTERMs the child and waits up to 5 s, then SIGKILLs it.  The child runs
 * in its own process group, so a wrapper script and the server it starts
 * are both signalled; the exit status reported is the direct child's.
 */
static int stop_child(pid_t pid, int *wstatus)
{
    double deadline = now_ms() + 5000.0;
    struct timespec ts = {0, 1000000L};

    kill(-pid, SIGTERM);
    kill(pid, SIGTERM);
    while (now_ms() < deadline) {
        if (child_exited(pid, wstatus))
            return 0;
        nanosleep(&ts, NULL);
    }
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    while (waitpid(pid, wstatus, 0) < 0 && errno == EINTR)
        ;
    return -1;
}

static void describe_status(int wstatus, char *buf, size_t len)
{
    if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 127)
        snprintf(buf, len, "exit status 127: command not found or exec "
                           "failed");
    else if (WIFEXITED(wstatus))
        snprintf(buf, len, "exit status %d", WEXITSTATUS(wstatus));
    else if (WIFSIGNALED(wstatus))
        snprintf(buf, len, "killed by signal %d", WTERMSIG(wstatus));
    else
        snprintf(buf, len, "wait status 0x%x", (unsigned)wstatus);
}

static pid_t spawn(char **cmd, const char *logfile)
{
    pid_t pid = fork();

    if (pid != 0)
        return pid; /* parent, or -1 */

    /* child: own process group, default signal handling */
    set_stop_handlers(SIG_DFL);
    setpgid(0, 0);
    {
        int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        int out = devnull;

        if (logfile != NULL) {
            out = open(logfile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                       0644);
            if (out < 0)
                out = devnull;
        }
        if (devnull >= 0) {
            dup2(devnull, STDIN_FILENO);
            dup2(devnull, STDOUT_FILENO);
        }
        if (out >= 0)
            dup2(out, STDERR_FILENO);
        execvp(cmd[0], cmd);
        _exit(127);
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return (x > y) - (x < y);
}

static void usage(const char *argv0)
{
    fprintf(stderr,
            "usage: %s [-n RUNS] [-w WARMUP] [-p PORT] [-t TIMEOUT_MS] "
            "[-l LOGFILE] -- CMD ARGS...\n"
            "  -n RUNS       counted runs (default 10)\n"
            "  -w WARMUP     uncounted warm-up runs first (default 0)\n"
            "  -p PORT       port CMD listens on, on 127.0.0.1 "
            "(default 8080)\n"
            "  -t TIMEOUT_MS give up a run after this long (default 5000)\n"
            "  -l LOGFILE    append the child's stderr here "
            "(default /dev/null)\n",
            argv0);
}

int main(int argc, char **argv)
{
    long runs = 10;
    long warmup = 0;
    long port = 8080;
    long timeout_ms = 5000;
    const char *logfile = NULL;
    char **cmd;
    double *samples;
    long i;
    int opt;

    while ((opt = getopt(argc, argv, "+n:w:p:t:l:h")) != -1) {
        switch (opt) {
        case 'n':
            if (parse_long(optarg, 1, MAX_RUNS, &runs) != 0)
                goto bad;
            break;
        case 'w':
            if (parse_long(optarg, 0, MAX_RUNS, &warmup) != 0)
                goto bad;
            break;
        case 'p':
            if (parse_long(optarg, 1, 65535, &port) != 0)
                goto bad;
            break;
        case 't':
            if (parse_long(optarg, 1, 600000, &timeout_ms) != 0)
                goto bad;
            break;
        case 'l':
            logfile = optarg;
            break;
        case 'h':
            usage(argv[0]);
            return 0;
        default:
            goto bad;
        }
    }
    if (optind >= argc)
        goto bad;
    cmd = &argv[optind];

    set_stop_handlers(on_signal);

    samples = calloc((size_t)runs, sizeof *samples);
    if (samples == NULL) {
        fprintf(stderr, "startup-probe: out of memory\n");
        return 1;
    }

    for (i = -warmup; i < runs; i++) {
        double t0;
        double deadline;
        double elapsed = -1.0;
        int last_status = 0;
        int wstatus = 0;
        int exited = 0;
        pid_t pid;
        struct timespec nap = {0, RETRY_SLEEP_NS};
        char why[128];
        char label[48];

        if (i < 0)
            snprintf(label, sizeof label, "warm-up run %ld", i + warmup + 1);
        else
            snprintf(label, sizeof label, "run %ld", i + 1);

        if (interrupted) {
            fprintf(stderr, "startup-probe: interrupted by signal %d\n",
                    (int)interrupted);
            free(samples);
            return 130;
        }

        /* Make sure we will not be measuring some other server. */
        if (probe_once((int)port, now_ms() + 200.0, &last_status) ==
                PROBE_OK ||
            last_status != 0) {
            fprintf(stderr,
                    "startup-probe: something already answers on "
                    "127.0.0.1:%ld before the command was started\n",
                    port);
            free(samples);
            return 1;
        }

        t0 = now_ms();
        pid = spawn(cmd, logfile);
        if (pid > 0)
            setpgid(pid, pid); /* also in the child: no race either way */
        if (pid < 0) {
            errstr(errno, why, sizeof why);
            fprintf(stderr, "startup-probe: fork: %s\n", why);
            free(samples);
            return 1;
        }
        deadline = t0 + (double)timeout_ms;

        for (;;) {
            if (probe_once((int)port, deadline, &last_status) == PROBE_OK) {
                elapsed = now_ms() - t0;
                break;
            }
            if (child_exited(pid, &wstatus)) {
                exited = 1;
                break;
            }
            if (now_ms() >= deadline || interrupted)
                break;
            nanosleep(&nap, NULL);
        }

        if (interrupted) {
            stop_child(pid, &wstatus);
            fprintf(stderr, "startup-probe: interrupted by signal %d\n",
                    (int)interrupted);
            free(samples);
            return 130;
        }

        if (elapsed < 0) {
            if (exited) {
                describe_status(wstatus, why, sizeof why);
                fprintf(stderr,
                        "startup-probe: %s: command exited (%s) before "
                        "answering 200 on 127.0.0.1:%ld/api/health\n",
                        label, why, port);
            } else {
                stop_child(pid, &wstatus);
                if (last_status != 0)
                    fprintf(stderr,
                            "startup-probe: %s: no 200 within %ld ms "
                            "(last status %d) on 127.0.0.1:%ld/api/health\n",
                            label, timeout_ms, last_status, port);
                else
                    fprintf(stderr,
                            "startup-probe: %s: nothing answered within "
                            "%ld ms on 127.0.0.1:%ld/api/health\n",
                            label, timeout_ms, port);
            }
            free(samples);
            return 1;
        }

        if (stop_child(pid, &wstatus) != 0) {
            fprintf(stderr,
                    "startup-probe: %s: warning: child ignored SIGTERM "
                    "for 5 s; killed\n", label);
        } else if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
            describe_status(wstatus, why, sizeof why);
            fprintf(stderr,
                    "startup-probe: %s: warning: child %s after "
                    "SIGTERM (expected exit 0)\n", label, why);
        }

        if (i < 0) {
            printf("warmup=%ld ms=%.3f\n", i + warmup + 1, elapsed);
        } else {
            samples[i] = elapsed;
            printf("run=%ld ms=%.3f\n", i + 1, elapsed);
        }
        fflush(stdout);
    }

    qsort(samples, (size_t)runs, sizeof *samples, cmp_double);
    {
        double median = (runs % 2 == 1)
                            ? samples[runs / 2]
                            : (samples[runs / 2 - 1] + samples[runs / 2]) / 2;

        printf("median_ms=%.3f min_ms=%.3f max_ms=%.3f runs=%ld\n", median,
               samples[0], samples[runs - 1], runs);
    }
    free(samples);
    return 0;

bad:
    usage(argv[0]);
    return 2;
}
