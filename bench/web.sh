#!/usr/bin/env bash
# bench/web.sh — what the web page asks of draftd (issue 4), with 100,000 prospects, on
# SQLite and on PostgreSQL:
#   latency: the median of 25 sequential requests (curl, one connection each) for the
#     page's calls — first, middle and last page of 50, a status filter deep in the
#     table, a search, the counts, the newest job — the figure a person paging feels;
#   throughput: wrk -t1 -c32 on GET / (gzip) and on the first page.
# Each figure is the median over rounds (fresh server per round).
#
# Usage: bench/web.sh [--quick]   (also run by `make bench`)
#   --quick   3 s wrk runs and 2 rounds
# Environment: BENCH_ENGINES, BENCH_ROUNDS, BENCH_DURATION, BENCH_BUILD_DIR,
#   BENCH_NO_BUILD, BENCH_OUT, BENCH_WORKERS — as in bench/pipeline.sh.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
bench_setup web "${BASH_SOURCE[0]}" "$@"
SAMPLES=25

# latency_ms PATH -> median milliseconds of SAMPLES requests (each must answer 200)
latency_ms() {
    local i t code times=()
    for i in $(seq 1 "$SAMPLES"); do
        read -r code t < <(curl -s -o /dev/null -H 'Accept-Encoding: gzip' \
            -w '%{http_code} %{time_total}\n' "http://127.0.0.1:$PORT$1")
        [[ $code == 200 ]] || die "GET $1 answered $code"
        times+=("$(awk -v t="$t" 'BEGIN { printf "%.3f", t * 1000 }')")
    done
    med_of "${times[@]}"
}

bench_pg_start
log "generating 100,000 prospects"
gen_csv 100000 "$OUT/p100k.csv"
: >"$OUT/wrk.txt"

# label|path, measured for latency
CALLS=(
    "first page|/api/prospects?skip=0&limit=50"
    "middle page|/api/prospects?skip=50000&limit=50"
    "last page|/api/prospects?skip=99950&limit=50"
    "status filter, page 1000|/api/prospects?skip=49950&limit=50&draft_status=none"
    "search (11 matches)|/api/prospects?skip=0&limit=50&q=Pat9999"
    "search (no match)|/api/prospects?skip=0&limit=50&q=nobody"
    "counts|/api/prospects/counts"
    "newest job|/api/jobs?limit=1"
    "GET / (gzip)|/"
)
declare -A RES
for engine in $ENGINES; do
    declare -A samples=()
    for r in $(seq 1 "$ROUNDS"); do
        url="$(db_url "$engine" "b_web_$r")"
        start_server "$url" "$OUT/serve-$engine-web-$r.log"
        read -r _ imported < <(import_csv "$OUT/p100k.csv")
        [[ $imported == 100000 ]] || die "$engine import imported $imported of 100000"
        for c in "${CALLS[@]}"; do
            samples["${c%%|*}"]+=" $(latency_ms "${c#*|}")"
        done
        samples["rps /"]+=" $(wrk_rps / "$engine GET / round $r" -H 'Accept-Encoding: gzip')"
        samples["rps page"]+=" $(wrk_rps '/api/prospects?skip=0&limit=50' "$engine first page round $r" -H 'Accept-Encoding: gzip')"
        stop_server
        log "$engine round $r done"
    done
    for k in "${!samples[@]}"; do
        # shellcheck disable=SC2086
        RES["$engine|$k"]="$(med_of ${samples[$k]})|${samples[$k]# }"
    done
    unset samples
done

{
    echo "## draftd web page benchmark ($(date -u +%Y-%m-%dT%H:%M:%SZ))"
    echo
    echo "host: $(nproc) cores, $(uname -sr), load avg at end: $(cut -d' ' -f1-3 /proc/loadavg); git $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo "100,000 prospects; latency = median of $SAMPLES sequential curl requests; wrk -t1 -c32 -d${DURATION}s; $ROUNDS rounds (medians, then runs)"
    echo
    echo "| call | $(sed 's/ / | /g' <<<"$ENGINES") |"
    echo "|---|$(for _ in $ENGINES; do printf -- '---|'; done)"
    for c in "${CALLS[@]}"; do
        line="| ${c%%|*} (ms) |"
        for engine in $ENGINES; do
            v="${RES["$engine|${c%%|*}"]}"
            line+=" $(fmt2 "${v%%|*}") ($(sed 's/ / \/ /g' <<<"${v#*|}")) |"
        done
        echo "$line"
    done
    for k in "rps /" "rps page"; do
        line="| $([[ $k == "rps /" ]] && echo 'GET / gzip, wrk' || echo 'first page, wrk') (req/s) |"
        for engine in $ENGINES; do
            v="${RES["$engine|$k"]}"
            line+=" $(fmt0 "${v%%|*}") |"
        done
        echo "$line"
    done
    echo
    echo "raw output and logs: $OUT"
} | tee "$OUT/summary-web.md"
