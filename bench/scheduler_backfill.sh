#!/usr/bin/env bash
# Benchmark of a backfill through the scheduler (issue 11): 365 days of
# postings_daily (collect the days, then build) against the zero-latency
# simulator at ~100 postings a day, side by side with the same collect and
# build run by hand. Target: the scheduler within 1.2x the hand-run time.
#
#   bench/scheduler_backfill.sh [DAYS=365] [POSTINGS_PER_DAY=100] [ROUNDS=1]
#
# Each round runs, on fresh warehouses and lakes, first by hand:
#   silverwork collect postings --from D1 --to DN
#   silverwork build --exclude source:raw.raw_projects
# then through the scheduler:
#   silverwork backfill postings_daily --from D1 --to DN
#   silverwork scheduler --once
# with a pipelines.yml whose postings_daily does the same two steps (the
# simulator serves no projects, so their freshness check is left out of
# both). Time is SILVERWORK_NOW = the day after DN, 00:00:30 UTC.
#
# Environment: SILVERWORK (default build/release/silverwork), BENCH_KEEP=1,
# BENCH_NICE (see bench_lib.sh), BENCH_QUIET_WAIT (seconds to wait for an idle
# machine before each timed part, default 300).
set -euo pipefail
source "$(dirname "$0")/bench_lib.sh"
[[ "${1:-}" == "-h" || "${1:-}" == "--help" ]] && bench_help "$0"
days=${1:-365}
per_day=${2:-100}
rounds=${3:-1}
last_day=2025-06-30
first_day=$(bench_add_days "$last_day" $((1 - days)))
now="$(bench_add_days "$last_day" 1)T00:00:30Z"
bench_init
bench_machine
bench_start_simulator "$(bench_add_days "$first_day" -30)" "$(bench_add_days "$last_day" 1)" "$per_day"

cat >"$BENCH_DIR/pipelines.yml" <<EOF
pipelines:
  postings_daily:
    schedule: "0 0 * * *"
    partitions: {by: day, timezone: Asia/Seoul}
    catchup: false
    tasks:
      collect: {kind: collect_postings, days: partitions}
      build: {kind: build, after: collect, exclude: "source:raw.raw_projects"}
EOF

# bench_timed WORKDIR COMMAND...: runs it as of $now; prints its wall seconds.
bench_timed() {
  local work="$1" start end
  shift
  start=$(date +%s.%N)
  (cd "$work" && SILVERWORK_NOW="$now" DATA_GO_KR_SERVICE_KEY="$SIMULATOR_KEY" nice -n "$BENCH_NICE" \
     "$SILVERWORK" --config "$work/silverwork.toml" "$@" >>"$work/out.txt" 2>>"$work/err.txt") ||
    bench_die "$* failed in $work: $(tail -5 "$work/err.txt")"
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN {printf "%.1f", b - a}'
}

fresh_world() {
  local work="$BENCH_DIR/$1"
  rm -rf "$work" && mkdir -p "$work"
  cat >"$work/silverwork.toml" <<EOF
project_dir = "$BENCH_ROOT"
artifacts_dir = "$work/artifacts"
[warehouse]
path = "$work/warehouse.db"
[lake]
path = "$work/lake"
[postings]
base_url = "$SIMULATOR_URL"
calls_per_second = 0
calls_per_day = 0
[projects]
base_url = "$SIMULATOR_URL"
[scheduler]
pipelines_file = "$BENCH_DIR/pipelines.yml"
logs_dir = "$work/logs"
EOF
  echo "$work"
}

echo "backfill of $days days ($first_day..$last_day), ~$per_day postings a day, $rounds round(s)" >&2
for ((round = 1; round <= rounds; ++round)); do
  bench_wait_quiet "${BENCH_QUIET_WAIT:-300}"
  hand=$(fresh_world hand)
  echo "round $round: by hand (collect, then build)" >&2
  hand_collect=$(bench_timed "$hand" collect postings --from "$first_day" --to "$last_day")
  hand_build=$(bench_timed "$hand" build --exclude source:raw.raw_projects)
  bench_wait_quiet "${BENCH_QUIET_WAIT:-300}"
  scheduled=$(fresh_world scheduler)
  echo "round $round: through the scheduler (backfill, then scheduler --once)" >&2
  queue=$(bench_timed "$scheduled" backfill postings_daily --from "$first_day" --to "$last_day")
  run=$(bench_timed "$scheduled" scheduler --once)
  states=$(sqlite3 "$scheduled/warehouse.db" \
    "SELECT group_concat(n || ' ' || status, ', ') FROM (SELECT status, COUNT(*) n FROM _sw_partitions GROUP BY status)")
  awk -v hc="$hand_collect" -v hb="$hand_build" -v q="$queue" -v r="$run" -v s="$states" 'BEGIN {
    hand = hc + hb; sched = q + r
    printf "by hand: %.1f s (collect %.1f, build %.1f); scheduler: %.1f s (backfill %.1f, scheduler --once %.1f); ratio %.3f (target <= 1.2); days: %s\n",
      hand, hc, hb, sched, q, r, sched / hand, s }'
done
