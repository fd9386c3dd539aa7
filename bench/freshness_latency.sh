#!/usr/bin/env bash
# Freshness with hourly runs: over one simulated day on which the simulator
# publishes new postings every few minutes (200 a day, between 08:00 and 20:00
# KST), how long each posting takes from its appearance on the portal (its
# createDy) to its appearance in /api/v1/postings, and how many calls the
# day's collections spend. Target: p95 under 65 minutes.
#
#   bench/freshness_latency.sh                     # 2025-06-30 (a Monday), runs at :30
#   bench/freshness_latency.sh --day 2025-07-05    # a Saturday: few postings
#
# Options (defaults in brackets):
#   --day YYYY-MM-DD     the simulated day [2025-06-30]
#   --per-day N          mean postings a day [200]
#   --deadline-days A,B  toDd is frDd plus A..B days [14,42: two to six weeks]
#   --history-days H     days collected (and built) before the day starts [45]
#   --minute M           the runs' minute past each hour [30, as postings_today]
#   --wait-quiet S       first wait up to S seconds for other work to stop [60]
#   --keep               keep the temporary lake, warehouse and logs
#
# Time is simulated: every process runs with SILVERWORK_NOW at a simulated
# instant and advances in real time from there. The warehouse first holds the
# history, collected and built at 23:30 the evening before. Then, at M past
# each hour of the day, the simulator is started at that instant (it publishes
# by its clock), `silverwork task run collect_postings --from DAY --to DAY`
# collects the day so far (what postings_today's collect task runs), and
# `silverwork task run build -s source:raw.raw_postings+` builds what depends
# on it, at the instant plus the collection's time. One `silverwork serve`
# runs all day and picks up each build; a posting is visible once
# /api/v1/postings lists it, at the run's instant plus the real time taken
# until then. The scheduler loop drives the same two tasks in production; it
# is not used here (it was merged after this script was written). Calls are what the simulator says it served during the day
# (history excluded).
#
# Prints a final machine-readable line starting with "RESULT". Needs
# build/release/silverwork, jq and sqlite3 (scripts/install-deps.sh); the
# environment variables SILVERWORK, SIMULATOR, BENCH_NICE and BENCH_KEEP are
# described in bench/bench_lib.sh.
set -euo pipefail
source "$(dirname "$0")/bench_lib.sh"

day=2025-06-30
per_day=200
deadline_days=14,42
history_days=45
minute=30
wait_quiet=60
while [[ $# -gt 0 ]]; do
  case "$1" in
    --day) day="$2"; shift 2 ;;
    --per-day) per_day="$2"; shift 2 ;;
    --deadline-days) deadline_days="$2"; shift 2 ;;
    --history-days) history_days="$2"; shift 2 ;;
    --minute) minute="$2"; shift 2 ;;
    --wait-quiet) wait_quiet="$2"; shift 2 ;;
    --keep) BENCH_KEEP=1; shift ;;
    -h|--help) bench_help "$0" ;;
    *) bench_die "unknown option $1 (see --help)" ;;
  esac
done
for tool in jq sqlite3 curl; do
  command -v "$tool" >/dev/null || bench_die "$tool is missing; run scripts/install-deps.sh"
done

bench_init
SERVE_PID=""
stop_serve() {
  [[ -n "$SERVE_PID" ]] || return 0
  kill -TERM "$SERVE_PID" 2>/dev/null || true
  wait "$SERVE_PID" 2>/dev/null || true
  SERVE_PID=""
}
trap 'stop_serve; bench_cleanup' EXIT

first_day="$(bench_add_days "$day" -$((history_days + 60)))"
compact_day="${day//-/}"
warehouse="$BENCH_DIR/warehouse.db"
day_list_calls=0
day_detail_calls=0

# Epoch seconds of a day and HH:MM in Korea, and an epoch as ISO-8601 in Korea.
korea_epoch() { date -u -d "$1 $2:00 +09:00" +%s; }
iso_kst() { TZ=Asia/Seoul date -d "@$1" +%Y-%m-%dT%H:%M:%S+09:00; }
now_real() { date +%s.%N; }

# Starts the simulator at epoch $1 and points the config at it.
start_simulator_at() {
  SILVERWORK_NOW="$(iso_kst "$1")" bench_start_simulator "$first_day" "" "$per_day" \
    --publish-over-day --deadline-days "$deadline_days"
  bench_write_config 1000 10 500 false 3 10000 \
    "project_dir = \"$BENCH_ROOT\"
artifacts_dir = \"$BENCH_DIR/artifacts\""
}

# Stops the simulator; with "count", adds the calls it served to the day's.
stop_simulator() {
  bench_stop_simulator
  [[ "${1:-}" == count ]] || return 0
  local line list detail
  line="$(grep -m1 '^simulator stopped:' "$BENCH_DIR/simulator.err" || true)"
  list="$(sed -n 's/^simulator stopped: \([0-9]*\) list, \([0-9]*\) detail.*/\1/p' <<<"$line")"
  detail="$(sed -n 's/^simulator stopped: \([0-9]*\) list, \([0-9]*\) detail.*/\2/p' <<<"$line")"
  [[ -n "$list" && -n "$detail" ]] || bench_die "the simulator did not report its calls: $line"
  day_list_calls=$((day_list_calls + list))
  day_detail_calls=$((day_detail_calls + detail))
}

# Runs one task at epoch $1 (plus fractional real seconds already spent, $2).
task_at() {
  local at="$1" spent="$2"
  shift 2
  local when
  when="$(iso_kst "$(awk -v a="$at" -v s="$spent" 'BEGIN {printf "%d", a + s}')")"
  (cd "$BENCH_DIR" && DATA_GO_KR_SERVICE_KEY="$SIMULATOR_KEY" SILVERWORK_NOW="$when" \
     nice -n "$BENCH_NICE" timeout 900 "$SILVERWORK" --config "$BENCH_DIR/silverwork.toml" \
     task run "$@" >"$BENCH_DIR/task.out" 2>"$BENCH_DIR/task.err") ||
    bench_die "task $* failed at $when: $(tail -n 5 "$BENCH_DIR/task.err")"
  tail -n 1 "$BENCH_DIR/task.out"
}

# Job ids of the day's postings /api/v1/postings lists (newest first).
listed_today() {
  local page=1 body
  while :; do
    body="$(curl -sS --max-time 30 "$SERVE_URL/api/v1/postings?page_size=200&page=$page")"
    jq -r --arg day "$day" '.data.rows[] | select(.[3] == $day) | .[0]' <<<"$body"
    # Stop at the first page reaching an older day, or past the end.
    jq -e --arg day "$day" '(.data.rows | length) == 0 or any(.data.rows[]; .[3] < $day)' \
      <<<"$body" >/dev/null && return 0
    page=$((page + 1))
  done
}

bench_machine
echo "day $day: $per_day postings a day published 08:00-20:00 KST, toDd after $deadline_days days;" \
     "runs at :$minute past each hour; history $history_days days"

# The evening before: the history, collected and built.
evening="$(korea_epoch "$(bench_add_days "$day" -1)" "23:$minute")"
start_simulator_at "$evening"
bench_wait_quiet "$wait_quiet"
task_at "$evening" 0 collect_postings --from "$(bench_add_days "$day" "-$history_days")" \
  --to "$(bench_add_days "$day" -1)" >/dev/null
stop_simulator
# The simulator serves no projects rows here: their source's freshness would fail the build.
task_at "$evening" 60 build --exclude source:raw.raw_projects >/dev/null
echo "history: $(sqlite3 "$warehouse" 'SELECT COUNT(*) FROM raw_postings') postings"

: >"$BENCH_DIR/serve.out"
(cd "$BENCH_DIR" && SILVERWORK_NOW="$(iso_kst "$evening")" exec "$SILVERWORK" --config \
   "$BENCH_DIR/silverwork.toml" serve --port 0 --reload-interval 1 \
   >"$BENCH_DIR/serve.out" 2>"$BENCH_DIR/serve.err") &
SERVE_PID=$!
for _ in $(seq 1 600); do
  SERVE_URL="$(sed -n 's/^serving on \(http:[^ ]*\)\/$/\1/p' "$BENCH_DIR/serve.out")"
  [[ -n "$SERVE_URL" ]] && break
  kill -0 "$SERVE_PID" 2>/dev/null || bench_die "serve exited: $(tail -n 5 "$BENCH_DIR/serve.err")"
  sleep 0.1
done
[[ -n "$SERVE_URL" ]] || bench_die "serve did not start"

: >"$BENCH_DIR/visible.txt"  # job id, epoch seconds it was first listed
for hour in $(seq 0 23); do
  at="$(korea_epoch "$day" "$(printf %02d "$hour"):$minute")"
  started="$(now_real)"
  start_simulator_at "$at"
  collected="$(task_at "$at" 0 collect_postings --from "$day" --to "$day")"
  stop_simulator count
  spent="$(awk -v s="$started" -v n="$(now_real)" 'BEGIN {printf "%.3f", n - s}')"
  task_at "$at" "$spent" build -s source:raw.raw_postings+ >/dev/null
  # The API lists every posting of the day the warehouse holds once serve has
  # reloaded (at its first look after the build advanced the generation).
  # Pages are offsets: a listing whose pages straddle a reload may show a
  # posting on two of them, so each id counts once.
  expected="$(sqlite3 "$warehouse" "SELECT COUNT(*) FROM fct_job_postings WHERE start_date = '$day'")"
  for _ in $(seq 1 300); do
    listed_today | sort -u >"$BENCH_DIR/listed.txt"
    [[ "$(wc -l <"$BENCH_DIR/listed.txt")" -ge "$expected" ]] && break
    sleep 0.2
  done
  [[ "$(wc -l <"$BENCH_DIR/listed.txt")" -ge "$expected" ]] ||
    bench_die "/api/v1/postings did not list the day's $expected postings within 60 s"
  seen="$(awk -v a="$at" -v s="$started" -v n="$(now_real)" 'BEGIN {printf "%d", a + (n - s)}')"
  cut -d' ' -f1 "$BENCH_DIR/visible.txt" | sort >"$BENCH_DIR/known.txt"
  comm -23 "$BENCH_DIR/listed.txt" "$BENCH_DIR/known.txt" | sed "s/\$/ $seen/" >>"$BENCH_DIR/visible.txt"
  printf '%02d:%s  %4d new, %4d listed today; %s s to visible; collect %s\n' "$hour" "$minute" \
    "$(comm -23 "$BENCH_DIR/listed.txt" "$BENCH_DIR/known.txt" | wc -l)" \
    "$(wc -l <"$BENCH_DIR/listed.txt")" "$((seen - at))" \
    "$(jq -c '.figures | {calls, list_pages, details_loaded, reach_back_days}' <<<"$collected")"
done

# Latency: first listed minus published (createDy), in minutes.
sqlite3 -separator ' ' "$warehouse" \
  "SELECT jobId, CAST(strftime('%s', createDy) AS INTEGER) FROM raw_postings WHERE frDd = '$compact_day'" |
  sort >"$BENCH_DIR/published.txt"
sort "$BENCH_DIR/visible.txt" | join - "$BENCH_DIR/published.txt" |
  awk '{printf "%.2f\n", ($2 - $3) / 60}' | sort -n >"$BENCH_DIR/latency.txt"
postings="$(wc -l <"$BENCH_DIR/latency.txt")"
[[ "$postings" -gt 0 ]] || bench_die "no posting of $day was seen"
read -r p50 p95 worst < <(awk '{v[NR] = $1} END {
    i50 = int(0.50 * NR + 0.999); i95 = int(0.95 * NR + 0.999)
    printf "%.1f %.1f %.1f\n", v[i50], v[i95], v[NR] }' "$BENCH_DIR/latency.txt")
verdict="$(awk -v p="$p95" 'BEGIN {print (p < 65) ? "met" : "missed"}')"
echo "latency from createDy to /api/v1/postings over $postings postings: p50 $p50 min," \
     "p95 $p95 min (target < 65: $verdict), worst $worst min"
echo "calls that day: $day_list_calls list, $day_detail_calls detail" \
     "(of 10,000 each a day on a development key)"
echo "RESULT day=$day postings=$postings p50_min=$p50 p95_min=$p95 max_min=$worst" \
     "list_calls=$day_list_calls detail_calls=$day_detail_calls verdict=$verdict"
