# bench/lib.sh — what the benchmark scripts share: their options and set-up
# (bench_setup), logging, a durable PostgreSQL cluster (bench_pg_start, stopped on exit),
# a server started and stopped around each figure, medians, CSV generation, fresh
# databases, wrk runs. Sourced by bench/pipeline.sh and bench/web.sh from the repository
# root ($ROOT).

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }

# bench_setup NAME SCRIPT ARGS...: parses [--quick] [--help] (the help is SCRIPT's header),
# sets DURATION, ROUNDS, ENGINES, WORKERS_N, BUILD, OUT, DRAFTD from the BENCH_* variables,
# checks the tools, builds draftd unless BENCH_NO_BUILD=1, and clears the server's
# environment variables so only the script's settings reach it.
bench_setup() {
    local name="$1" script="$2" arg quick=0
    shift 2
    for arg in "$@"; do
        case "$arg" in
        --quick) quick=1 ;;
        -h | --help)
            sed -n '2,/^set -euo/p' "$script" | sed -e '$d' -e 's/^# \{0,1\}//'
            exit 0
            ;;
        *) echo "$name.sh: unknown argument: $arg (try --help)" >&2; exit 2 ;;
        esac
    done
    if [[ $quick == 1 ]]; then
        DURATION="${BENCH_DURATION:-3}"
        ROUNDS="${BENCH_ROUNDS:-2}"
    else
        DURATION="${BENCH_DURATION:-10}"
        ROUNDS="${BENCH_ROUNDS:-3}"
    fi
    ENGINES="${BENCH_ENGINES:-sqlite postgres}"
    WORKERS_N="${BENCH_WORKERS:-2}"
    BUILD="${BENCH_BUILD_DIR:-$ROOT/build}"
    OUT="${BENCH_OUT:-$BUILD/bench-results/$name-$(date -u +%Y%m%dT%H%M%SZ)}"
    DRAFTD="$BUILD/draftd"
    local tool
    for tool in wrk curl jq awk cmake; do
        command -v "$tool" >/dev/null || die "$tool not found (scripts/install-deps --bench)"
    done
    if [[ ${BENCH_NO_BUILD:-0} != 1 ]]; then
        cmake -S . -B "$BUILD" >&2
        cmake --build "$BUILD" -j "$(nproc)" --target draftd >&2
    fi
    [[ -x $DRAFTD ]] || die "$DRAFTD not found"
    mkdir -p "$OUT"
    unset DATABASE_URL PORT HOST AUTO_MIGRATE WORKERS LOG_LEVEL DRAFTD_TEST_DRAFT_DELAY_MS
}

# bench_pg_start: when ENGINES has postgres, a durable cluster (fsync on) in $OUT/pg;
# sets PG_DIR and PG_ADMIN.
bench_pg_start() {
    [[ " $ENGINES " == *" postgres "* ]] || return 0
    PG_DIR="$OUT/pg"
    log "starting a durable PostgreSQL cluster (fsync on)"
    PG_DURABLE=1 scripts/pg-test-cluster start "$PG_DIR" >/dev/null
    PG_ADMIN="$(cat "$PG_DIR/url")"
}
SERVER_PID=""
PG_DIR=""
cleanup() {
    if [[ -n $SERVER_PID ]]; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
    fi
    if [[ -n $PG_DIR ]]; then scripts/pg-test-cluster stop "$PG_DIR" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

free_port() {
    local p
    for _ in $(seq 1 200); do
        p=$((20000 + RANDOM % 12000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
    done
    die "no free port found"
}

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
med_of() { if (($# == 0)); then echo n/a; else printf '%s\n' "$@" | median; fi; }
fmt0() { awk -v x="$1" 'BEGIN { if (x == "n/a") print "n/a"; else printf "%.0f", x }'; }
fmt2() { awk -v x="$1" 'BEGIN { if (x == "n/a") print "n/a"; else printf "%.2f", x }'; }
list0() { local x out=""; for x in "$@"; do out+="${out:+ / }$(fmt0 "$x")"; done; echo "$out"; }
list2() { local x out=""; for x in "$@"; do out+="${out:+ / }$(fmt2 "$x")"; done; echo "$out"; }
atleast() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "n/a" && a + 0 >= b + 0) }'; }
atmost() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "n/a" && a + 0 <= b + 0) }'; }
ge_verdict() { if atleast "$1" "$2"; then echo PASS; else echo MISS; fi; }
le_verdict() { if atmost "$1" "$2"; then echo PASS; else echo MISS; fi; }

# gen_csv N FILE: N distinct prospects, every one with a company (so all can be drafted).
gen_csv() {
    awk -v n="$1" 'BEGIN {
        print "Email,First Name,Last Name,Company,Title,Website"
        for (i = 1; i <= n; i++)
            printf "person%d@bench%d.example,Pat%d,Lee%d,\"Company %d, Ltd\",Head of Ops,https://c%d.example\n", i, i % 97, i, i, i, i
    }' >"$2"
}

# db_url ENGINE NAME -> a fresh, migrated database
db_url() {
    local engine="$1" name="$2" url
    if [[ $engine == sqlite ]]; then
        rm -f "$OUT/$name.db" "$OUT/$name.db-wal" "$OUT/$name.db-shm"
        url="sqlite:$OUT/$name.db"
    else
        psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null
        url="${PG_ADMIN%/postgres}/$name"
    fi
    "$DRAFTD" migrate up --database "$url" >"$OUT/migrate-$name.log" 2>&1 || die "migrate up failed ($OUT/migrate-$name.log)"
    echo "$url"
}

# start_server URL LOGFILE -> sets SERVER_PID and PORT
start_server() {
    PORT="$(free_port)"
    env LOG_LEVEL=warn WORKERS="$WORKERS_N" "$DRAFTD" serve --port "$PORT" --database "$1" >>"$2" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 500); do
        if curl -fs -o /dev/null "http://127.0.0.1:$PORT/api/health"; then return 0; fi
        kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 20 "$2" >&2; die "serve exited (log $2)"; }
        sleep 0.02
    done
    die "serve did not answer within 10 s (log $2)"
}
stop_server() {
    [[ -n $SERVER_PID ]] || return 0
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" || log "warning: serve exited $? after SIGTERM"
    SERVER_PID=""
}

# import FILE -> prints "SECONDS IMPORTED"
import_csv() {
    local t
    t="$(curl -fsS -o "$OUT/import-answer.json" -w '%{time_total}' -H 'Content-Type: text/csv' \
        --data-binary @"$1" "http://127.0.0.1:$PORT/api/prospects/import")" || die "import failed: $(cat "$OUT/import-answer.json" 2>/dev/null)"
    echo "$t $(jq -r .imported "$OUT/import-answer.json")"
}

# wrk_rps PATH LABEL [WRK ARGS...] -> req/s (fails on errors or non-2xx answers)
wrk_rps() {
    local text non2xx
    text="$(wrk -t1 -c32 -d"${DURATION}s" "${@:3}" "http://127.0.0.1:$PORT$1")"
    printf '== %s\n%s\n' "$2" "$text" >>"$OUT/wrk.txt"
    non2xx="$(awk '/Non-2xx or 3xx responses:/ { print $5 }' <<<"$text")"
    [[ -z $non2xx ]] || die "$2: $non2xx non-2xx answers (see $OUT/wrk.txt)"
    awk '/^Requests\/sec:/ { print $2 }' <<<"$text"
}

