#!/usr/bin/env bash
# Benchmark (issue 16): `silverwork reload`, the raw tables rebuilt from the
# lake alone (no network), at 1,000,000 postings and 5 x 20,000 project rows,
# on SQLite or on PostgreSQL; target >= 50,000 rows/s on both.
#
#   bench/reload_throughput.sh [postings=1000000] [projects_per_year=20000]
#   ENGINE=postgres bench/reload_throughput.sh
#
# The lake is made once, by collecting postings and projects from the
# simulator (bench/bench_lib.sh, zero latency), into var/bench-lake-P-Y (or
# LAKE_DIR), and reused by every later run on either engine: delete the folder
# to make it again. Each run reloads into an empty warehouse (a new SQLite file,
# or a throwaway PostgreSQL server, bench/bench_engine.sh) under /usr/bin/time
# and counts the rows the raw tables hold afterwards: rows/s = (postings rows +
# project rows) / the process's wall time, connection and commit included.
#
# Environment: SILVERWORK (default build/release/silverwork), ENGINE (sqlite or
# postgres), BENCH_PG_DURABLE / BENCH_PG_SETTINGS (bench_engine.sh), BENCH_NICE
# (e.g. -5 on a shared machine; needs root), BENCH_KEEP=1 (keep the work folder).
# On PostgreSQL it also prints what the server did (SERVER line): the WAL the
# reload wrote, its full-page images, and the checkpoints requested (WAL past
# max_wal_size) or timed during it. BENCH_PG_LOG=FILE copies the server's log
# there before the server stops (with BENCH_PG_SETTINGS="-c log_checkpoints=on
# -c log_min_duration_statement=0", each statement's time); BENCH_PERF=FILE
# records `perf record -a -g` of the whole machine during the reload (read the
# server's share with `perf report -i FILE --comm postgres`).
# BENCH_RELOAD_OVER=1 reloads once unmeasured first, so the measured reload
# replaces a full warehouse's rows (the rebuild case) instead of filling an
# empty one. Prints a RESULT line; exits 1 when the reload fails.
set -euo pipefail
source "$(dirname "$0")/bench_lib.sh"
cd "$BENCH_ROOT"
source bench/bench_engine.sh
bench_engine_check

postings=${1:-1000000}
projects_per_year=${2:-20000}
lake=$(realpath -m "${LAKE_DIR:-var/bench-lake-$postings-$projects_per_year}")
days=2922
today=2025-12-31

bench_init
trap 'bench_copy_server_log; bench_engine_stop; bench_cleanup' EXIT

# The server's counters the SERVER line compares before and after the reload.
server_counters_sql="SELECT pg_current_wal_lsn(), (SELECT wal_fpi FROM pg_stat_wal),
  (SELECT checkpoints_req FROM pg_stat_bgwriter), (SELECT checkpoints_timed FROM pg_stat_bgwriter)"
bench_copy_server_log() {
  [ -n "${BENCH_PG_LOG:-}" ] && [ -n "$BENCH_PG_DIR" ] || return 0
  cp "$(cat "$BENCH_PG_DIR/server")/server.log" "$BENCH_PG_LOG" 2>/dev/null || true
}

# Collects the lake into $lake; the warehouse it also loads is thrown away.
make_lake() {
  local from per_day
  from=$(bench_add_days "$today" "-$((days - 1))")
  per_day=$(awk -v n="$postings" -v d="$days" 'BEGIN {printf "%.4f", n / d}')
  echo "making the lake in $lake: $postings postings over $from .. $today," \
    "5 projects files of $projects_per_year rows (once; later runs reuse it)"
  BENCH_PROJECTS_PER_YEAR=$projects_per_year bench_start_simulator "$from" "$today" "$per_day"
  bench_write_config 5000 8 2000 false 0 30000
  sed -i "s|^path = \"$BENCH_DIR/lake\"|path = \"$lake.partial\"|" "$BENCH_DIR/silverwork.toml"
  rm -rf "$lake.partial"
  bench_collect "$from" "$today" 3600
  [ "$COLLECT_STATUS" -eq 0 ] || bench_die "collecting the postings failed"
  echo "  $COLLECT_SUMMARY"
  (cd "$BENCH_DIR" && DATA_GO_KR_SERVICE_KEY="$SIMULATOR_KEY" \
    "$SILVERWORK" --config "$BENCH_DIR/silverwork.toml" collect projects >"$BENCH_DIR/projects.out" \
    2>"$BENCH_DIR/projects.err") ||
    bench_die "collecting the projects failed: $(tail -n 5 "$BENCH_DIR/projects.err")"
  echo "  $(tail -n 1 "$BENCH_DIR/projects.out")"
  bench_stop_simulator
  rm -f "$BENCH_DIR"/warehouse.db*
  mv "$lake.partial" "$lake"
}
[ -d "$lake" ] || make_lake

bench_engine_start "$BENCH_DIR/postgres"
{
  bench_engine_warehouse_toml "$BENCH_DIR/warehouse.db"
  printf '[lake]\npath = "%s"\n' "$lake"
} >"$BENCH_DIR/reload.toml"

bench_machine
echo "lake: $lake ($(du -sm "$lake" | cut -f1) MB); engine: $ENGINE"
if [ "${BENCH_RELOAD_OVER:-0}" = 1 ]; then
  echo "reloading once first (unmeasured): the measured reload replaces a full warehouse"
  (cd "$BENCH_DIR" && "$SILVERWORK" --config "$BENCH_DIR/reload.toml" reload >/dev/null \
    2>"$BENCH_DIR/reload.err") || bench_die "the first reload failed: $(tail -n 5 "$BENCH_DIR/reload.err")"
fi
[ "$ENGINE" = postgres ] && server_before=$(bench_psql -AtF ' ' -c "$server_counters_sql")
perf_pid=""
if [ -n "${BENCH_PERF:-}" ]; then
  perf record -a -g -F 499 -o "$BENCH_PERF" -q 2>/dev/null &
  perf_pid=$!
fi
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
status=0
(cd "$BENCH_DIR" && /usr/bin/time -f "%e %U %S %M" -o "$BENCH_DIR/time.txt" \
  nice -n "$BENCH_NICE" "$SILVERWORK" --config "$BENCH_DIR/reload.toml" reload \
  >"$BENCH_DIR/reload.out" 2>"$BENCH_DIR/reload.err") || status=$?
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
if [ -n "$perf_pid" ]; then
  kill -INT "$perf_pid"
  wait "$perf_pid" || true
fi
if [ "$ENGINE" = postgres ]; then
  read -r lsn_before fpi_before req_before timed_before <<<"$server_before"
  read -r wal_mb fpi_after req_after timed_after <<<"$(bench_psql -AtF ' ' -c "
    SELECT round(pg_wal_lsn_diff(pg_current_wal_lsn(), '$lsn_before') / 1048576),
      (SELECT wal_fpi FROM pg_stat_wal), (SELECT checkpoints_req FROM pg_stat_bgwriter),
      (SELECT checkpoints_timed FROM pg_stat_bgwriter)")"
fi
if [ "$status" -ne 0 ]; then
  tail -n 20 "$BENCH_DIR/reload.err" >&2
  bench_die "reload exited with status $status"
fi
read -r wall user sys rss_kb <"$BENCH_DIR/time.txt"
count_sql="SELECT (SELECT count(*) FROM raw_postings), (SELECT count(*) FROM raw_projects)"
if [ "$ENGINE" = postgres ]; then
  counts=$(bench_psql -AtF ' ' -c "$count_sql")
else
  counts=$(sqlite3 -separator ' ' "$BENCH_DIR/warehouse.db" "$count_sql")
fi
read -r posting_rows project_rows <<<"$counts"
rate=$(awk -v n="$((posting_rows + project_rows))" -v s="$wall" 'BEGIN {printf "%.0f", n / s}')
sed 's/^/reload: /' "$BENCH_DIR/reload.out"
echo "  $posting_rows postings rows + $project_rows project rows in $wall s" \
  "($user s user + $sys s system CPU, peak RSS $((rss_kb / 1024)) MB): $rate rows/s"
echo "  load average before $load_before, after $load_after"
echo "RESULT engine=$ENGINE postings=$posting_rows projects=$project_rows wall_s=$wall" \
  "rows_per_s=$rate user_s=$user sys_s=$sys rss_mb=$((rss_kb / 1024)) nice=$BENCH_NICE"
if [ "$ENGINE" = postgres ]; then
  echo "SERVER wal_mb=$wal_mb full_page_images=$((fpi_after - fpi_before))" \
    "checkpoints_requested=$((req_after - req_before)) checkpoints_timed=$((timed_after - timed_before))"
fi
