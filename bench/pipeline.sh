#!/usr/bin/env bash
# bench/pipeline.sh — the drafting pipeline's performance targets (issue 3), on SQLite and
# on PostgreSQL, each figure the median of alternating rounds:
#   (d) POST /api/prospects/import of 100,000 CSV rows into an empty database   <= 2 s
#   (e) GET /api/prospects?skip=0&limit=100 with 10,000 prospects, wrk -t1 -c32  >= 8,000 req/s
#   (f) GET /api/pipeline/draft/jobs/{id}, wrk -t1 -c32          >= 40,000 (SQLite) / 25,000 (PG)
#   (g) drafting 10,000 prospects with the template provider, fsync on:
#       total_targets / (finished_at - started_at)            >= 100,000 (SQLite) / 90,000 (PG)
#
# Usage: bench/pipeline.sh [--quick]   (also run by `make bench`)
#   --quick   3 s wrk runs and 2 rounds
# Environment:
#   BENCH_ENGINES="sqlite postgres"   which engines to measure
#   BENCH_ROUNDS=N      rounds per figure (default 3; 2 with --quick)
#   BENCH_DURATION=S    seconds per wrk run (default 10; 3 with --quick)
#   BENCH_BUILD_DIR=D   build directory (default build/); BENCH_NO_BUILD=1 skips cmake
#   BENCH_OUT=DIR       where logs, CSV files and summary-pipeline.md go
#   BENCH_WORKERS=N     WORKERS of the measured server (default 2)
# PostgreSQL is a throwaway cluster started by scripts/pg-test-cluster with PG_DURABLE=1
# (fsync, synchronous_commit and full_page_writes on), stopped at the end.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
bench_setup pipeline "${BASH_SOURCE[0]}" "$@"

# --- pipeline helpers -----------------------------------------------------------------------
epoch() { date -u -d "$1" +%s.%N; }

# draft_job BODY -> prints "RATE TOTAL JOB_ID" once the job completed
draft_job() {
    local ans id job status
    ans="$(curl -fsS -X POST -H 'Content-Type: application/json' -d "$1" "http://127.0.0.1:$PORT/api/pipeline/draft")" ||
        die "POST /api/pipeline/draft failed"
    id="$(jq -r .job_id <<<"$ans")"
    for _ in $(seq 1 6000); do
        job="$(curl -fsS "http://127.0.0.1:$PORT/api/pipeline/draft/jobs/$id")"
        status="$(jq -r .status <<<"$job")"
        [[ $status == completed ]] && break
        [[ $status == pending || $status == running ]] || die "job $id ended $status: $job"
        sleep 0.01
    done
    [[ $status == completed ]] || die "job $id did not complete within 60 s"
    jq -e '.drafts_created + .drafts_failed == .total_targets' <<<"$job" >/dev/null || die "inexact counts: $job"
    local s f total
    s="$(epoch "$(jq -r .started_at <<<"$job")")"
    f="$(epoch "$(jq -r .finished_at <<<"$job")")"
    total="$(jq -r .total_targets <<<"$job")"
    awk -v t="$total" -v s="$s" -v f="$f" -v id="$id" 'BEGIN { d = f - s; if (d <= 0) d = 0.0005; printf "%.0f %d %d\n", t / d, t, id }'
}

bench_pg_start

log "generating CSV files"
gen_csv 100000 "$OUT/p100k.csv"
gen_csv 10000 "$OUT/p10k.csv"
: >"$OUT/wrk.txt"

declare -A R_IMPORT R_LIST R_JOB R_DRAFT
for engine in $ENGINES; do
    IMP=() LIST=() JOBS=() DRAFT=()
    for r in $(seq 1 "$ROUNDS"); do
        # (d) import into an empty database
        url="$(db_url "$engine" "b_import_$r")"
        start_server "$url" "$OUT/serve-$engine-import-$r.log"
        read -r secs imported < <(import_csv "$OUT/p100k.csv")
        [[ $imported == 100000 ]] || die "$engine import imported $imported of 100000"
        stop_server
        IMP+=("$secs")
        log "$engine round $r: import 100k rows ${secs}s"

        # (e)-(g) on 10,000 prospects
        url="$(db_url "$engine" "b_main_$r")"
        start_server "$url" "$OUT/serve-$engine-main-$r.log"
        read -r _ imported < <(import_csv "$OUT/p10k.csv")
        [[ $imported == 10000 ]] || die "$engine seed imported $imported of 10000"
        read -r rate total id < <(draft_job '{}')
        [[ $total == 10000 ]] || die "$engine: first job had $total targets"
        DRAFT+=("$rate")
        read -r rate total _ < <(draft_job '{"redraft":true}')
        DRAFT+=("$rate")
        LIST+=("$(wrk_rps '/api/prospects?skip=0&limit=100' "$engine list round $r")")
        JOBS+=("$(wrk_rps "/api/pipeline/draft/jobs/$id" "$engine job round $r")")
        stop_server
        log "$engine round $r: drafting ${DRAFT[-2]} / ${DRAFT[-1]} drafts/s, list ${LIST[-1]} req/s, job ${JOBS[-1]} req/s"
    done
    R_IMPORT[$engine]="$(med_of "${IMP[@]}")|$(list2 "${IMP[@]}")"
    R_LIST[$engine]="$(med_of "${LIST[@]}")|$(list0 "${LIST[@]}")"
    R_JOB[$engine]="$(med_of "${JOBS[@]}")|$(list0 "${JOBS[@]}")"
    R_DRAFT[$engine]="$(med_of "${DRAFT[@]}")|$(list0 "${DRAFT[@]}")"
done

# --- summary --------------------------------------------------------------------------------
row() { # row LABEL TARGET VERDICT VALUE|RUNS
    local v="${4%%|*}" runs="${4#*|}"
    echo "| $1 | $2 | $5 | $3 | runs: $runs |"
}
{
    echo "## draftd pipeline benchmark ($(date -u +%Y-%m-%dT%H:%M:%SZ))"
    echo
    echo "host: $(nproc) cores, $(uname -sr), load avg at end: $(cut -d' ' -f1-3 /proc/loadavg); git $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo "wrk -t1 -c32 -d${DURATION}s; $ROUNDS rounds; WORKERS=$WORKERS_N; drafting: 2 jobs per round (first draft, then redraft) of 10,000 prospects"
    echo
    echo "| figure | target | median | verdict | runs |"
    echo "|---|---|---|---|---|"
    for engine in $ENGINES; do
        if [[ $engine == sqlite ]]; then jt=40000; dt=100000; else jt=25000; dt=90000; fi
        v="${R_IMPORT[$engine]%%|*}"; row "$engine: import 100,000 CSV rows (s)" "<= 2 s" "$(le_verdict "$v" 2)" "${R_IMPORT[$engine]}" "$(fmt2 "$v")"
        v="${R_LIST[$engine]%%|*}"; row "$engine: GET /api/prospects?limit=100 (req/s)" ">= 8,000" "$(ge_verdict "$v" 8000)" "${R_LIST[$engine]}" "$(fmt0 "$v")"
        v="${R_JOB[$engine]%%|*}"; row "$engine: GET /api/pipeline/draft/jobs/{id} (req/s)" ">= $jt" "$(ge_verdict "$v" $jt)" "${R_JOB[$engine]}" "$(fmt0 "$v")"
        v="${R_DRAFT[$engine]%%|*}"; row "$engine: drafting (drafts/s)" ">= $dt" "$(ge_verdict "$v" $dt)" "${R_DRAFT[$engine]}" "$(fmt0 "$v")"
    done
    echo
    echo "raw output and logs: $OUT"
} | tee "$OUT/summary-pipeline.md"
