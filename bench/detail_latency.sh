#!/usr/bin/env bash
# Detail-phase concurrency under latency: with every simulator call delayed
# by --latency-ms, N getJobInfo calls at concurrency C should take
# N x latency / C; the target is a detail phase within 10% of that.
#
#   bench/detail_latency.sh                          # 2000 details, C = 20, 200 ms
#   bench/detail_latency.sh --details 5000 --concurrency 50
#
# Options (defaults in brackets):
#   --details N         postings (hence detail calls) in the window, about [2000]
#   --concurrency C     getJobInfo calls in flight [20]
#   --latency-ms L      added by the simulator to every call [200]
#   --jitter-ms J       plus uniform [0, J) per call [0]
#   --batch-size B      details committed per transaction [500]
#   --fsync true|false  make the lake durable before each commit [true]
#   --time-limit S      kill the collector after S seconds [900]
#   --wait-quiet S      first wait up to S seconds for other work to stop [60]
#   --keep              keep the temporary lake, warehouse and logs
#
# The simulator draws each day's count around the asked mean, so the window
# holds about N postings; the expectation uses the number actually fetched.
# Prints a final machine-readable line starting with "RESULT". The environment
# variables SILVERWORK, SIMULATOR, BENCH_NICE and BENCH_KEEP are described in
# bench/bench_lib.sh.
set -euo pipefail
source "$(dirname "$0")/bench_lib.sh"

details=2000
concurrency=20
latency_ms=200
jitter_ms=0
batch_size=500
fsync=true
time_limit=900
wait_quiet=60
while [[ $# -gt 0 ]]; do
  case "$1" in
    --details) details="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    --latency-ms) latency_ms="$2"; shift 2 ;;
    --jitter-ms) jitter_ms="$2"; shift 2 ;;
    --batch-size) batch_size="$2"; shift 2 ;;
    --fsync) fsync="$2"; shift 2 ;;
    --time-limit) time_limit="$2"; shift 2 ;;
    --wait-quiet) wait_quiet="$2"; shift 2 ;;
    --keep) BENCH_KEEP=1; shift ;;
    -h|--help) bench_help "$0" ;;
    *) bench_die "unknown option $1 (see --help)" ;;
  esac
done

bench_init
days=28
today=2025-12-31
from="$(bench_add_days "$today" "-$((days - 1))")"
per_day="$(awk -v n="$details" -v d="$days" 'BEGIN {printf "%.4f", n / d}')"

bench_machine
echo "window: $from .. $today; latency ${latency_ms} ms (+ jitter < ${jitter_ms} ms);" \
     "concurrency $concurrency; batch_size $batch_size; lake fsync=$fsync"
bench_start_simulator "$from" "$today" "$per_day" \
  --latency-ms "$latency_ms" --latency-jitter-ms "$jitter_ms"
echo "simulator: $SIMULATOR_URL serves $(bench_total_postings) postings"

# One list page holds the whole window, so the list phase is a single call.
bench_write_config 10000 "$concurrency" "$batch_size" "$fsync" 0 30000
bench_wait_quiet "$wait_quiet"
bench_collect "$from" "$today" "$time_limit"
echo "$COLLECT_SUMMARY"

# Mean latency per call, with jitter uniform in [0, J).
read -r ideal ratio < <(awk -v n="$DETAILS_LOADED" -v l="$latency_ms" -v j="$jitter_ms" \
  -v c="$concurrency" -v s="$DETAIL_SECONDS" \
  'BEGIN {ideal = n * (l + j / 2) / 1000 / c; printf "%.2f %.3f\n", ideal, (ideal > 0 ? s / ideal : 0)}')
verdict="$(awk -v r="$ratio" 'BEGIN {print (r > 0 && r <= 1.10) ? "met" : "missed"}')"
echo "collector: ${COLLECT_WALL} s wall, ${COLLECT_USER} s user + ${COLLECT_SYS} s sys," \
     "peak RSS $((COLLECT_RSS_KB / 1024)) MB; other processes ${OTHER_CPU} s CPU meanwhile"
if [[ "$TIMED_OUT_CALLS" -gt 0 ]]; then
  echo "warning: $TIMED_OUT_CALLS calls hit the 30 s timeout and were retried; the times above" \
       "include those stalls (see docs/benchmarks.md, simulator hand-off race)"
fi
echo "detail phase: ${DETAIL_SECONDS} s for $DETAILS_LOADED calls; N x latency / C = ${ideal} s;" \
     "ratio ${ratio} (target <= 1.10: $verdict)"
echo "RESULT details=$DETAILS_LOADED failed=$DETAILS_FAILED concurrency=$concurrency" \
     "latency_ms=$latency_ms jitter_ms=$jitter_ms detail_s=$DETAIL_SECONDS ideal_s=$ideal" \
     "ratio=$ratio verdict=$verdict timed_out_calls=$TIMED_OUT_CALLS status=$COLLECT_STATUS"
exit "$COLLECT_STATUS"
