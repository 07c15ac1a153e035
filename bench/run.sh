#!/usr/bin/env bash
# bench/run.sh — runs the draftd performance benchmarks and prints a summary:
#   (a) `draftd serve` start -> first 200 on /api/health (migrated SQLite file)
#   (b) RSS of an idle `serve` after startup and a few requests (and after wrk)
#   (c) GET /api/health req/s with wrk -t1 -c32, next to bench/hello (bare MHD)
# plus an optional PostgreSQL throughput figure when BENCH_PG_URL is set.
#
# Usage: bench/run.sh [--quick]        (also called by `make bench`)
#   --quick            3 s wrk runs and fewer startup runs instead of 10 s runs
# Environment:
#   BENCH_HELLO_THREADS=N  hello's MHD thread pool size (default: the threads=N that
#                      draftd logs in its "listening" line, so both use the same model)
#   BENCH_ROUNDS=N     alternating wrk rounds (default 3)
#   BENCH_DURATION=S   seconds per wrk run (default 10, or 3 with --quick)
#   BENCH_STARTUP_RUNS=N  counted startup runs (default 21, or 11 with --quick)
#   BENCH_OUT=DIR      where logs, the database and summary.md go
#                      (default build/bench-results/<UTC timestamp>)
#   BENCH_KEEP_LOGS=1  keep the full per-request logs of the wrk runs (can be large)
#   BENCH_NO_BUILD=1   do not run cmake; use what is in build/
#   BENCH_BUILD_DIR=D  build directory to use instead of build/
#   BENCH_PG_URL=URL   also run wrk against draftd on this PostgreSQL database
#                      (must already be migrated: `draftd migrate up --database URL`)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# --- options ------------------------------------------------------------------------------
QUICK=0
for arg in "$@"; do
    case "$arg" in
    --quick) QUICK=1 ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "run.sh: unknown argument: $arg (try --help)" >&2
        exit 2
        ;;
    esac
done

if [[ $QUICK == 1 ]]; then
    DURATION="${BENCH_DURATION:-3}"
    STARTUP_RUNS="${BENCH_STARTUP_RUNS:-11}"
else
    DURATION="${BENCH_DURATION:-10}"
    STARTUP_RUNS="${BENCH_STARTUP_RUNS:-21}"
fi
ROUNDS="${BENCH_ROUNDS:-3}"
NWORKERS="${BENCH_HELLO_THREADS:-}" # filled in from draftd's log below when empty
WRK_THREADS=1
WRK_CONNS=32

BUILD="${BENCH_BUILD_DIR:-$ROOT/build}"
OUT="${BENCH_OUT:-$BUILD/bench-results/$(date -u +%Y%m%dT%H%M%SZ)}"

log() { printf '[bench] %s\n' "$*" >&2; }
die() {
    printf '[bench] error: %s\n' "$*" >&2
    exit 1
}

for tool in wrk cmake awk; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install -y wrk cmake)"
done

# --- build --------------------------------------------------------------------------------
if [[ ${BENCH_NO_BUILD:-0} != 1 ]]; then
    if [[ ! -f $BUILD/CMakeCache.txt ]]; then
        log "configuring $BUILD (Release, with bench/)"
        cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DDRAFTD_BENCH=ON >&2
    elif ! grep -q '^DRAFTD_BENCH:BOOL=ON' "$BUILD/CMakeCache.txt"; then
        # Adds the bench targets to an existing build; leaves its build type alone.
        log "enabling DRAFTD_BENCH in $BUILD"
        cmake -S . -B "$BUILD" -DDRAFTD_BENCH=ON >&2
    fi
    log "building draftd, hello and startup-probe in $BUILD"
    cmake --build "$BUILD" -j "$(nproc)" --target draftd hello startup-probe >&2
fi

BUILD_TYPE="$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD/CMakeCache.txt" 2>/dev/null || true)"
# The flags draftd's main.c was really compiled with (the top level defaults to
# RelWithDebInfo when no build type is cached).
DRAFTD_CFLAGS="$(grep -o '"command": "[^"]*src/main.c"' "$BUILD/compile_commands.json" 2>/dev/null |
    grep -oE ' -(O[0-3sg]?|g|DNDEBUG|fsanitize=[^ ]*)' | tr -d '\n' || true)"

DRAFTD="$BUILD/draftd"
[[ -x $DRAFTD ]] || die "$DRAFTD not found (build it first, or drop BENCH_NO_BUILD)"

# hello and startup-probe come from add_subdirectory(bench) in the top-level build; if the
# top level does not include bench/, build bench/ on its own.
HELLO="$BUILD/bench/hello"
PROBE="$BUILD/bench/startup-probe"
if [[ ! -x $HELLO || ! -x $PROBE ]]; then
    SA="$BUILD/bench-standalone"
    if [[ ${BENCH_NO_BUILD:-0} != 1 || ! -x $SA/hello || ! -x $SA/startup-probe ]]; then
        log "building bench/ standalone in $SA"
        cmake -S bench -B "$SA" -DCMAKE_BUILD_TYPE=Release >&2
        cmake --build "$SA" -j "$(nproc)" >&2
    fi
    HELLO="$SA/hello"
    PROBE="$SA/startup-probe"
fi

mkdir -p "$OUT"
DB="$OUT/bench.db"
DB_URL="sqlite:$DB"
rm -f "$DB" "$DB-wal" "$DB-shm"

# Only what we set: inherited settings must not change what is measured.
unset DATABASE_URL PORT HOST AUTO_MIGRATE WORKERS LOG_LEVEL

# --- helpers ------------------------------------------------------------------------------
SERVER_PID=""
cleanup() {
    if [[ -n $SERVER_PID ]]; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
    fi
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

# A port nobody listens on (there is a small race; start_server notices a clash).
free_port() {
    local p
    for _ in $(seq 1 200); do
        # Below the ephemeral range (32768+): a client socket never holds such a port, and
        # a probe connecting to it cannot connect to itself.
        p=$((20000 + RANDOM % 12000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    die "no free port found"
}

# http_get PORT PATH [COUNT] -> prints "STATUS BODY" of the last of COUNT GET requests made
# one after another on one keep-alive connection, or "000" when nothing answers.
# Plain bash (/dev/tcp), so no curl is needed; bodies must carry a Content-Length.
http_get() {
    local port="$1" path="$2" count="${3:-1}"
    (
        export LC_ALL=C
        exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
        status=000 body="" n=0
        while ((n < count)); do
            n=$((n + 1))
            conn=keep-alive
            if ((n == count)); then conn=close; fi
            printf 'GET %s HTTP/1.1\r\nHost: x\r\nConnection: %s\r\n\r\n' "$path" "$conn" >&3
            IFS= read -r -t 2 line <&3 || exit 1
            read -r _ status _ <<<"${line%$'\r'}"
            len=0
            while IFS= read -r -t 2 line <&3; do
                line="${line%$'\r'}"
                [[ -n $line ]] || break
                case "${line,,}" in
                content-length:*) len="${line#*:}" && len="${len// /}" ;;
                esac
            done
            body=""
            if ((len > 0)); then IFS= read -r -t 2 -N "$len" body <&3 || true; fi
        done
        printf '%s %s\n' "$status" "$body"
    ) 2>/dev/null || echo 000
}

# http_status PORT PATH -> the status code (000 when nothing answers)
http_status() {
    local r
    r="$(http_get "$1" "$2")"
    echo "${r%% *}"
}

# start_server NAME LOGFILE PORT CMD... ; sets SERVER_PID, waits for 200 on /api/health.
start_server() {
    local name="$1" logfile="$2" port="$3" code=000
    shift 3
    if [[ $(http_status "$port" /api/health) != 000 ]]; then
        die "port $port already in use"
    fi
    "$@" >>"$logfile" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 500); do
        code="$(http_status "$port" /api/health)"
        [[ $code == 200 ]] && return 0
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            wait "$SERVER_PID" || true
            SERVER_PID=""
            tail -n 20 "$logfile" >&2 || true
            die "$name exited during startup (log: $logfile)"
        fi
        sleep 0.01
    done
    tail -n 20 "$logfile" >&2 || true
    die "$name did not answer 200 on /api/health within 5 s (last status $code; log: $logfile)"
}

# stop_server NAME ; SIGTERM, wait, complain about a non-zero exit.
stop_server() {
    local name="$1" rc=0
    [[ -n $SERVER_PID ]] || return 0
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" || rc=$?
    SERVER_PID=""
    if [[ $rc != 0 ]]; then
        log "warning: $name exited with status $rc after SIGTERM (expected 0)"
        NOTES+=("$name exited $rc after SIGTERM")
    fi
}

# rss_kb PID [FIELD] -> VmRSS (or VmHWM) in kB
rss_kb() {
    awk -v f="${2:-VmRSS}:" '$1 == f { print $2 }' "/proc/$1/status"
}

# A few requests so that lazily created state (DB connection per thread, ...) exists.
warm_up() {
    http_get "$1" /api/health 8 >/dev/null
}

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
kb_to_mib() { awk -v k="$1" 'BEGIN { if (k == "n/a") print "n/a"; else printf "%.2f", k / 1024 }'; }
fmt0() { awk -v x="$1" 'BEGIN { if (x == "n/a") print "n/a"; else printf "%.0f", x }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a" || b == 0) print "n/a"; else printf "%.1f", 100 * a / b }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "n/a" && a + 0 <= b + 0) }'; }
verdict() { if le "$1" "$2"; then echo PASS; else echo FAIL; fi; }

# wrk_run LABEL PORT LOGFILE -> appends raw output to LOGFILE; sets W_RPS W_REQS W_ERRS W_NON2XX
wrk_run() {
    local label="$1" port="$2" out="$3" text
    text="$(wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"${DURATION}s" "http://127.0.0.1:$port/api/health")"
    printf '== %s\n%s\n' "$label" "$text" >>"$out"
    W_RPS="$(awk '/^Requests\/sec:/ { print $2 }' <<<"$text")"
    W_REQS="$(awk '/requests in/ { print $1 }' <<<"$text")"
    W_ERRS="$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' <<<"$text")"
    W_NON2XX="$(awk '/Non-2xx or 3xx responses:/ { print $5 }' <<<"$text")"
    W_RPS="${W_RPS:-0}"
    W_REQS="${W_REQS:-0}"
    W_ERRS="${W_ERRS:-0}"
    W_NON2XX="${W_NON2XX:-0}"
}

NOTES=()
WRK_OUT="$OUT/wrk.txt"
: >"$WRK_OUT"

log "output directory: $OUT"
log "draftd: $DRAFTD (build type: ${BUILD_TYPE:-default}; flags:${DRAFTD_CFLAGS:- unknown}); hello: $HELLO"
if [[ $DRAFTD_CFLAGS == *fsanitize* || $DRAFTD_CFLAGS == *-O0* ||
    ($BUILD_TYPE == Debug && $DRAFTD_CFLAGS != *-O[123s]*) ]]; then
    NOTES+=("draftd was built with${DRAFTD_CFLAGS}: not an optimised build, figures are not representative")
fi

# --- database -----------------------------------------------------------------------------
log "migrating $DB_URL"
"$DRAFTD" migrate up --database "$DB_URL" >"$OUT/migrate.log" 2>&1 ||
    {
        cat "$OUT/migrate.log" >&2
        die "draftd migrate up failed"
    }

# Sanity: the schema check endpoint agrees that the migrated database is current.
PORT_S="$(free_port)"
start_server draftd "$OUT/sanity.log" "$PORT_S" env LOG_LEVEL=info \
    "$DRAFTD" serve --port "$PORT_S" --host 127.0.0.1 --database "$DB_URL"
SCHEMA_STATUS="$(http_status "$PORT_S" /api/health/schema)"
DRAFTD_THREADS="$(grep -m1 'msg="listening"' "$OUT/sanity.log" | sed -n 's/.*[[:space:]]threads=\([0-9]*\).*/\1/p' || true)"
if [[ -z $NWORKERS ]]; then
    NWORKERS="${DRAFTD_THREADS:-2}"
    [[ -n $DRAFTD_THREADS ]] || NOTES+=("draftd logged no threads=N; hello used 2 threads")
fi
log "MHD thread pool: draftd ${DRAFTD_THREADS:-?} threads, hello $NWORKERS threads"
HEALTH_BODY="$(http_get "$PORT_S" /api/health)"
HEALTH_BODY="${HEALTH_BODY#* }"
stop_server draftd
log "GET /api/health -> $HEALTH_BODY ; GET /api/health/schema -> $SCHEMA_STATUS"
[[ $SCHEMA_STATUS == 200 ]] || NOTES+=("/api/health/schema answered $SCHEMA_STATUS on the freshly migrated database")

# Optional extra: cost of a no-op `migrate up` (schema already current).
MIGRATE_NOOP_MS="n/a"
if command -v hyperfine >/dev/null; then
    if hyperfine -N --style none --warmup 3 --runs 20 --export-csv "$OUT/migrate-noop.csv" \
        "$DRAFTD migrate up --database $DB_URL" >"$OUT/migrate-noop.txt" 2>&1; then
        # columns: command,mean,stddev,median,user,system,min,max (seconds)
        MIGRATE_NOOP_MS="$(awk -F, 'NR == 2 { printf "%.2f", $4 * 1000 }' "$OUT/migrate-noop.csv")"
    else
        log "warning: hyperfine on 'migrate up' failed (see $OUT/migrate-noop.txt)"
    fi
fi

# --- (a) startup --------------------------------------------------------------------------
PORT_A="$(free_port)"
log "(a) startup: $STARTUP_RUNS runs (+2 warm-up) on port $PORT_A"
env LOG_LEVEL=info "$PROBE" -n "$STARTUP_RUNS" -w 2 -p "$PORT_A" \
    -l "$OUT/startup-draftd.log" -- \
    "$DRAFTD" serve --port "$PORT_A" --host 127.0.0.1 --database "$DB_URL" \
    | tee "$OUT/startup-draftd.txt" >&2
STARTUP_LINE="$(grep '^median_ms=' "$OUT/startup-draftd.txt")"
STARTUP_MED="$(sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p' <<<"$STARTUP_LINE")"
STARTUP_MIN="$(sed -n 's/.*min_ms=\([0-9.]*\).*/\1/p' <<<"$STARTUP_LINE")"
STARTUP_MAX="$(sed -n 's/.*max_ms=\([0-9.]*\).*/\1/p' <<<"$STARTUP_LINE")"

log "(a) startup baseline: hello"
"$PROBE" -n "$STARTUP_RUNS" -w 2 -p "$PORT_A" -- "$HELLO" "$PORT_A" "$NWORKERS" \
    >"$OUT/startup-hello.txt"
HELLO_STARTUP_MED="$(sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p' "$OUT/startup-hello.txt")"

# --- (b) + (c) alternating wrk runs -------------------------------------------------------
declare -a RPS_HELLO=() RPS_INFO=() RPS_WARN=()
declare -a RPS_PG=() RSS_IDLE=() RSS_AFTER=() HWM_AFTER=() RSS_HELLO=() RSS_ANON=() RSS_FILE=()
TOTAL_ERRS=0
LOGLINE_NOTES=()

run_one() { # run_one KIND ROUND
    local kind="$1" round="$2" port logf rss0 rss1 hwm1 lines
    port="$(free_port)"
    case "$kind" in
    hello)
        logf="$OUT/wrk-hello-$round.log"
        start_server hello "$logf" "$port" "$HELLO" "$port" "$NWORKERS"
        ;;
    info | warn)
        logf="$OUT/wrk-draftd-$kind-$round.log"
        start_server "draftd($kind)" "$logf" "$port" env LOG_LEVEL="$kind" \
            "$DRAFTD" serve --port "$port" --host 127.0.0.1 --database "$DB_URL"
        ;;
    pg)
        logf="$OUT/wrk-draftd-pg-$round.log"
        start_server "draftd(pg)" "$logf" "$port" env LOG_LEVEL=info \
            DATABASE_URL="$BENCH_PG_URL" "$DRAFTD" serve --port "$port" --host 127.0.0.1
        ;;
    esac
    warm_up "$port"
    sleep 0.2
    rss0="$(rss_kb "$SERVER_PID")"
    local anon0 file0
    anon0="$(rss_kb "$SERVER_PID" RssAnon)"
    file0="$(rss_kb "$SERVER_PID" RssFile)"
    if [[ $kind == info && $round == 1 ]]; then
        cp "/proc/$SERVER_PID/smaps" "$OUT/smaps-draftd-idle.txt" 2>/dev/null || true
    fi
    local before_lines
    before_lines="$(wc -l <"$logf")"
    wrk_run "$kind round $round" "$port" "$WRK_OUT"
    sleep 0.2
    rss1="$(rss_kb "$SERVER_PID")"
    hwm1="$(rss_kb "$SERVER_PID" VmHWM)"
    stop_server "$kind"
    lines=$(($(wc -l <"$logf") - before_lines))

    log "$(printf '%-6s round %s: %10.0f req/s  errors=%s non2xx=%s  rss idle=%s kB after=%s kB  log lines=%s' \
        "$kind" "$round" "$W_RPS" "$W_ERRS" "$W_NON2XX" "$rss0" "$rss1" "$lines")"
    TOTAL_ERRS=$((TOTAL_ERRS + W_ERRS))
    if [[ $W_NON2XX != 0 ]]; then
        NOTES+=("$kind round $round: $W_NON2XX non-2xx responses (req/s is not a health figure)")
    fi
    case "$kind" in
    hello)
        RPS_HELLO+=("$W_RPS")
        RSS_HELLO+=("$rss0")
        ;;
    info)
        RPS_INFO+=("$W_RPS")
        RSS_IDLE+=("$rss0")
        RSS_ANON+=("$anon0")
        RSS_FILE+=("$file0")
        RSS_AFTER+=("$rss1")
        HWM_AFTER+=("$hwm1")
        # One log line per request expected: compare with what wrk completed.
        LOGLINE_NOTES+=("round $round: $lines lines / $W_REQS requests")
        if [[ ${BENCH_KEEP_LOGS:-0} != 1 ]]; then
            { head -n 20 "$logf" && echo "... (truncated; BENCH_KEEP_LOGS=1 keeps it all)" && tail -n 20 "$logf"; } >"$logf.tmp"
            mv "$logf.tmp" "$logf"
        fi
        ;;
    warn)
        RPS_WARN+=("$W_RPS")
        RSS_IDLE+=("$rss0")
        RSS_ANON+=("$anon0")
        RSS_FILE+=("$file0")
        ;;
    pg)
        RPS_PG+=("$W_RPS")
        ;;
    esac
}

log "(b)+(c) wrk -t$WRK_THREADS -c$WRK_CONNS -d${DURATION}s, $ROUNDS rounds alternating hello / draftd info / draftd warn"
for r in $(seq 1 "$ROUNDS"); do
    run_one hello "$r"
    run_one info "$r"
    run_one warn "$r"
done

if [[ -n ${BENCH_PG_URL:-} ]]; then
    log "PostgreSQL: $ROUNDS rounds of draftd(info) on BENCH_PG_URL"
    for r in $(seq 1 "$ROUNDS"); do
        run_one pg "$r"
    done
fi

# --- summary ------------------------------------------------------------------------------
med_of() { if (($# == 0)); then echo n/a; else printf '%s\n' "$@" | median; fi; }

HELLO_MED="$(med_of "${RPS_HELLO[@]}")"
INFO_MED="$(med_of "${RPS_INFO[@]}")"
WARN_MED="$(med_of "${RPS_WARN[@]}")"
PG_MED="$(med_of "${RPS_PG[@]}")"
INFO_PCT="$(pct "$INFO_MED" "$HELLO_MED")"
WARN_PCT="$(pct "$WARN_MED" "$HELLO_MED")"
PG_PCT="$(pct "$PG_MED" "$HELLO_MED")"
RSS_IDLE_MED="$(med_of "${RSS_IDLE[@]}")"
RSS_AFTER_MED="$(med_of "${RSS_AFTER[@]}")"
HWM_AFTER_MED="$(med_of "${HWM_AFTER[@]}")"
RSS_HELLO_MED="$(med_of "${RSS_HELLO[@]}")"
RSS_IDLE_MIB="$(kb_to_mib "$RSS_IDLE_MED")"
RSS_ANON_MIB="$(kb_to_mib "$(med_of "${RSS_ANON[@]}")")"
RSS_FILE_MIB="$(kb_to_mib "$(med_of "${RSS_FILE[@]}")")"
RSS_AFTER_MIB="$(kb_to_mib "$RSS_AFTER_MED")"
if ! le "$RSS_AFTER_MIB" 10; then
    NOTES+=("RSS after a wrk run ($RSS_AFTER_MIB MiB) is above the 10 MiB idle target")
fi

join() { local IFS="$1"; shift; echo "$*"; }
list0() { local x out=(); for x in "$@"; do out+=("$(fmt0 "$x")"); done; join / "${out[@]}"; }

verdict_ratio() { awk -v p="$1" 'BEGIN { if (p == "n/a") print "n/a"; else if (p + 0 >= 40) print "PASS"; else print "FAIL" }'; }

{
    echo "## draftd benchmark summary ($(date -u +%Y-%m-%dT%H:%M:%SZ))"
    echo
    echo "host: $(nproc) cores, $(uname -sr), load avg at end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "git: $(git rev-parse --short HEAD 2>/dev/null || echo 'no commit'); build type: ${BUILD_TYPE:-default} (draftd flags:${DRAFTD_CFLAGS:- unknown}); MHD threads: draftd ${DRAFTD_THREADS:-?}, hello $NWORKERS"
    echo "wrk -t$WRK_THREADS -c$WRK_CONNS -d${DURATION}s, $ROUNDS rounds alternating; startup: $STARTUP_RUNS runs after 2 warm-up"
    echo
    echo "| metric | target | measured median | notes |"
    echo "|---|---|---|---|"
    echo "| (a) serve start -> first 200 /api/health (SQLite file, migrated) | <= 25 ms | ${STARTUP_MED} ms | $(verdict "$STARTUP_MED" 25); min ${STARTUP_MIN} / max ${STARTUP_MAX} ms; bare hello: ${HELLO_STARTUP_MED} ms |"
    echo "| (b) idle serve RSS (after startup + 8 requests) | <= 10 MiB | ${RSS_IDLE_MIB} MiB | $(verdict "$RSS_IDLE_MIB" 10); ${RSS_ANON_MIB} anon + ${RSS_FILE_MIB} file-backed (libraries); after wrk: ${RSS_AFTER_MIB} MiB (peak $(kb_to_mib "$HWM_AFTER_MED") MiB); hello idle: $(kb_to_mib "$RSS_HELLO_MED") MiB |"
    echo "| (c) hello req/s (bare MHD) | - | $(fmt0 "$HELLO_MED") | runs: $(list0 "${RPS_HELLO[@]}") |"
    echo "| (c) draftd /api/health req/s, LOG_LEVEL=info | >= 40 % of hello | $(fmt0 "$INFO_MED") (${INFO_PCT} %) | $(verdict_ratio "$INFO_PCT"); runs: $(list0 "${RPS_INFO[@]}"); stderr to a file |"
    echo "| (c) draftd /api/health req/s, LOG_LEVEL=warn | >= 40 % of hello | $(fmt0 "$WARN_MED") (${WARN_PCT} %) | $(verdict_ratio "$WARN_PCT"); runs: $(list0 "${RPS_WARN[@]}") |"
    if [[ -n ${BENCH_PG_URL:-} ]]; then
        echo "| (c') draftd /api/health req/s on PostgreSQL, info | - | $(fmt0 "$PG_MED") (${PG_PCT} %) | runs: $(list0 "${RPS_PG[@]}") |"
    fi
    echo "| no-op \`migrate up\` (hyperfine) | - | ${MIGRATE_NOOP_MS} ms | informational |"
    echo
    echo "wrk socket errors (all runs): $TOTAL_ERRS"
    echo "request log at info (one line per request expected): $(join ';' "${LOGLINE_NOTES[@]}" | sed 's/;/; /g')"
    if ((${#NOTES[@]} > 0)); then
        echo
        echo "notes:"
        printf -- '- %s\n' "${NOTES[@]}"
    fi
    echo
    echo "raw output and logs: $OUT"
} | tee "$OUT/summary.md"
