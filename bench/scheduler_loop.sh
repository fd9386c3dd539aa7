#!/usr/bin/env bash
# Benchmark of the scheduler's loop (issue 11):
#  1. from a task's end to its downstream task's start: a pipeline of TASKS
#     `docs` tasks, each after the one before, run by `silverwork scheduler
#     --once`; each gap is the next try's start (the store's started_at) minus
#     the moment the task before it finished (the mtime of the result file
#     its process writes just before it exits). Target: p95 < 50 ms.
#  2. an idle scheduler: `silverwork scheduler` with nothing due, for
#     IDLE_SECONDS, at the default poll interval (2 s): the CPU it used
#     (utime + stime from /proc) and its peak RSS (VmHWM). Targets: < 1% of a
#     core, < 30 MB.
#
#   bench/scheduler_loop.sh [TASKS=40] [IDLE_SECONDS=60]
#
# Environment: SILVERWORK (default build/release/silverwork), BENCH_KEEP=1,
# BENCH_QUIET_WAIT (seconds to wait for an idle machine first, default 120).
set -euo pipefail
source "$(dirname "$0")/bench_lib.sh"
[[ "${1:-}" == "-h" || "${1:-}" == "--help" ]] && bench_help "$0"
tasks=${1:-40}
idle_seconds=${2:-60}
bench_init
bench_machine

cat >"$BENCH_DIR/silverwork.toml" <<EOF
project_dir = "$BENCH_ROOT"
artifacts_dir = "$BENCH_DIR/artifacts"
[warehouse]
path = "$BENCH_DIR/warehouse.db"
[scheduler]
pipelines_file = "$BENCH_DIR/pipelines.yml"
logs_dir = "$BENCH_DIR/logs"
EOF
{
  echo "pipelines:"
  echo "  chain:"
  echo "    schedule: \"0 0 1 1 *\""
  echo "    catchup: false"
  echo "    tasks:"
  echo "      t1: {kind: docs}"
  for ((index = 2; index <= tasks; ++index)); do
    echo "      t$index: {kind: docs, after: t$((index - 1))}"
  done
} >"$BENCH_DIR/pipelines.yml"
run() { (cd "$BENCH_DIR" && "$SILVERWORK" --config "$BENCH_DIR/silverwork.toml" "$@"); }

echo "1. a chain of $tasks tasks through \`scheduler --once\`" >&2
bench_wait_quiet "${BENCH_QUIET_WAIT:-120}"
started=$SECONDS
run scheduler --once 2>"$BENCH_DIR/once.err" || bench_die "scheduler --once failed: $(tail -5 "$BENCH_DIR/once.err")"
echo "   ran in $((SECONDS - started)) s" >&2
python3 - "$BENCH_DIR/warehouse.db" "$tasks" <<'PY'
import datetime, os, sqlite3, sys
db, tasks = sys.argv[1], int(sys.argv[2])
rows = sqlite3.connect(db).execute(
    "SELECT task, started_at, log_path, state FROM _sw_task_tries ORDER BY started_at").fetchall()
by_task = {task: (started, log, state) for task, started, log, state in rows}
def instant(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()
gaps = []
for index in range(2, tasks + 1):
    before, after = by_task[f"t{index - 1}"], by_task[f"t{index}"]
    ended = os.stat(before[1].replace(".log", ".result.json")).st_mtime
    gaps.append((instant(after[0]) - ended) * 1000)
failed = [task for task, (_, _, state) in by_task.items() if state != "success"]
gaps.sort()
p95 = gaps[min(len(gaps) - 1, int(round(0.95 * len(gaps) + 0.5)) - 1)]
print(f"task end -> downstream start over {len(gaps)} edges: p50 {gaps[len(gaps) // 2]:.1f} ms, "
      f"p95 {p95:.1f} ms, max {gaps[-1]:.1f} ms (target p95 < 50 ms)"
      + (f"; NOT OK: {failed} did not succeed" if failed else ""))
PY

echo "2. an idle scheduler for ${idle_seconds} s" >&2
run pause chain >/dev/null 2>&1
bench_wait_quiet "${BENCH_QUIET_WAIT:-120}"
(cd "$BENCH_DIR" && exec "$SILVERWORK" --config "$BENCH_DIR/silverwork.toml" scheduler \
  2>"$BENCH_DIR/idle.err") &
scheduler=$!
sleep 5  # past start-up
ticks() { sed 's/^.*) //' "/proc/$scheduler/stat" | awk '{print $12 + $13}'; }
before=$(ticks)
sleep "$idle_seconds"
after=$(ticks)
rss=$(awk '/VmHWM/ {print $2}' "/proc/$scheduler/status")
kill -TERM "$scheduler"
wait "$scheduler" || bench_die "the idle scheduler did not stop cleanly: $(tail -5 "$BENCH_DIR/idle.err")"
awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v s="$idle_seconds" -v rss="$rss" 'BEGIN {
  printf "idle scheduler: %.3f%% of a core over %d s (target < 1%%), peak RSS %.1f MB (target < 30 MB)\n",
    t / hz / s * 100, s, rss / 1024 }'
