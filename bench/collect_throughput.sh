#!/usr/bin/env bash
# End-to-end collection throughput: list + detail + landing (lake, fsync on) +
# loading (SQLite), against a zero-latency `silverwork simulate` running as a
# separate process on 127.0.0.1. Targets: at least 10,000 postings/s at
# 1,000,000 postings, and a collector peak RSS under 256 MB at any volume.
#
#   bench/collect_throughput.sh                      # 1,000,000 postings
#   bench/collect_throughput.sh --postings 100000 --concurrency 8
#
# Options (defaults in brackets):
#   --postings N        postings the simulator holds in the window [1000000]
#   --days D            window length in days, ending at --today [2922]
#   --today YYYY-MM-DD  the simulated today and the window's last day [2025-12-31]
#   --rows-per-page R   list page size; the simulator honours up to 10000 [5000]
#   --concurrency C     getJobInfo calls in flight [8]
#   --batch-size B      details committed per transaction [2000]
#   --fsync true|false  make the lake durable before each commit [true]
#   --tls               serve and collect over https (a throwaway CA made with
#                       the openssl command), as production reaches the portal
#   --time-limit S      kill the collector after S seconds [3600]
#   --wait-quiet S      first wait up to S seconds for other work to stop [180]
#   --keep              keep the temporary lake, warehouse and logs
#
# Prints the machine, the parameters, the load average just before and just
# after the collection, the collector's own summary line, the CPU per posting
# (collector, simulator, both), and a final machine-readable line starting
# with "RESULT" (bench/rss_scale.sh reads it). Exits 1 unless the collection
# is exact: every posting in the warehouse once with its detail, and one
# detail response per posting in the lake (bench_check_exact). Needs build/release/silverwork; the environment variables SILVERWORK,
# SIMULATOR, BENCH_NICE and BENCH_KEEP are described in bench/bench_lib.sh.
set -euo pipefail
source "$(dirname "$0")/bench_lib.sh"


postings=1000000
days=2922
today=2025-12-31
rows_per_page=5000
# The best configuration found on the reference machine (docs/benchmarks.md).
concurrency=8
batch_size=2000
fsync=true
tls=false
time_limit=3600
wait_quiet=180
while [[ $# -gt 0 ]]; do
  case "$1" in
    --postings) postings="$2"; shift 2 ;;
    --days) days="$2"; shift 2 ;;
    --today) today="$2"; shift 2 ;;
    --rows-per-page) rows_per_page="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    --batch-size) batch_size="$2"; shift 2 ;;
    --fsync) fsync="$2"; shift 2 ;;
    --tls) tls=true; shift ;;
    --time-limit) time_limit="$2"; shift 2 ;;
    --wait-quiet) wait_quiet="$2"; shift 2 ;;
    --keep) BENCH_KEEP=1; shift ;;
    -h|--help) bench_help "$0" ;;
    *) bench_die "unknown option $1 (see --help)" ;;
  esac
done

bench_init
from="$(bench_add_days "$today" "-$((days - 1))")"
per_day="$(awk -v n="$postings" -v d="$days" 'BEGIN {printf "%.4f", n / d}')"

bench_machine
echo "window: $from .. $today ($days days, $per_day postings/day asked)"
echo "config: rows_per_page=$rows_per_page concurrency=$concurrency batch_size=$batch_size" \
     "lake fsync=$fsync, tls=$tls, no rate limit"

TLS_FLAGS=()
if [[ "$tls" == true ]]; then bench_make_tls; fi
bench_start_simulator "$from" "$today" "$per_day" "${TLS_FLAGS[@]}"
total="$(bench_total_postings)"
echo "simulator: $SIMULATOR_URL serves $total postings (pid $SIMULATOR_PID)"

# lookback 0: the list stops at the window's first day, which is the
# simulator's first posting day, so exactly the window is collected.
bench_write_config "$rows_per_page" "$concurrency" "$batch_size" "$fsync" 0 30000
bench_wait_quiet "$wait_quiet"
load_before="$(cut -d' ' -f1 /proc/loadavg)"
echo "before: load $(cut -d' ' -f1-3 /proc/loadavg)"
bench_collect "$from" "$today" "$time_limit"
load_after="$(cut -d' ' -f1 /proc/loadavg)"
echo "after: load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$COLLECT_SUMMARY"
bench_check_exact "$total"
[[ "$EXACT" == true || "$COLLECT_STATUS" -ne 0 ]] || COLLECT_STATUS=1

lake_mb="$(du -sm "$BENCH_DIR/lake" 2>/dev/null | cut -f1)"
db_mb="$(du -cm "$BENCH_DIR"/warehouse.db* 2>/dev/null | tail -n1 | cut -f1)"
rate="$(awk -v n="$POSTINGS_IN_WINDOW" -v s="$COLLECT_WALL" 'BEGIN {printf "%.0f", (s > 0 ? n / s : 0)}')"
rss_mb="$(awk -v kb="$COLLECT_RSS_KB" 'BEGIN {printf "%.1f", kb / 1024}')"
# CPU per posting: the collector's (user + system), the simulator's, both
# together, and the rate that CPU cost allows on this many cores if nothing
# else ran and nothing waited.
read -r collector_us simulator_us cpu_us ceiling < <(awk -v u="$COLLECT_USER" -v s="$COLLECT_SYS" \
  -v sim="$SIMULATOR_CPU" -v n="$POSTINGS_IN_WINDOW" -v cores="$(nproc)" 'BEGIN {
    cpu = u + s + sim; if (n == 0 || cpu == 0) { print "0 0 0 0"; exit }
    printf "%.0f %.0f %.0f %.0f\n", (u + s) / n * 1e6, sim / n * 1e6, cpu / n * 1e6, n / (cpu / cores) }')
echo "collector: ${COLLECT_WALL} s wall (list ${LIST_SECONDS} s, details ${DETAIL_SECONDS} s)," \
     "${COLLECT_USER} s user + ${COLLECT_SYS} s sys; simulator ${SIMULATOR_CPU} s CPU;" \
     "other processes ${OTHER_CPU} s CPU meanwhile"
echo "cpu: $cpu_us us of CPU per posting (collector $collector_us + simulator $simulator_us):" \
     "at most $ceiling postings/s on $(nproc) idle cores"
echo "collector: $POSTINGS_IN_WINDOW postings, $DETAILS_LOADED details ($DETAILS_FAILED failed):" \
     "$rate postings/s end to end, peak RSS $rss_mb MB; lake $lake_mb MB, warehouse $db_mb MB"
if [[ "$TIMED_OUT_CALLS" -gt 0 ]]; then
  echo "warning: $TIMED_OUT_CALLS calls hit the 30 s timeout and were retried; the times above" \
       "include those stalls (see docs/benchmarks.md, simulator hand-off race)"
fi
echo "RESULT postings=$POSTINGS_IN_WINDOW details=$DETAILS_LOADED failed=$DETAILS_FAILED" \
     "wall_s=$COLLECT_WALL list_s=$LIST_SECONDS detail_s=$DETAIL_SECONDS per_s=$rate" \
     "rss_mb=$rss_mb user_s=$COLLECT_USER sys_s=$COLLECT_SYS simulator_cpu_s=$SIMULATOR_CPU" \
     "other_cpu_s=$OTHER_CPU cpu_us_per_posting=$cpu_us collector_cpu_us_per_posting=$collector_us" \
     "simulator_cpu_us_per_posting=$simulator_us" \
     "concurrency=$concurrency rows_per_page=$rows_per_page batch_size=$batch_size fsync=$fsync" \
     "tls=$tls load_before=$load_before load_after=$load_after" \
     "timed_out_calls=$TIMED_OUT_CALLS exact=$EXACT status=$COLLECT_STATUS"
exit "$COLLECT_STATUS"
