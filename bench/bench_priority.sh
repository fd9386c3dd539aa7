# The benchmarks' CPU priority on a shared machine (source it; bench_lib.sh
# and bench_engine.sh do). With the kernel's autogroup scheduling on
# (Debian's default), CPU is first shared between sessions (a terminal, a CI
# job) by each session's autogroup nice, and a process's own nice only ranks
# it among its session's processes (docs/benchmarks.md, "Shared machines").
#
#   BENCH_NICE   e.g. -5 (needs root): bench_prioritise gives this session's
#                autogroup that nice, bench_restore_priority puts the old one back

BENCH_NICE="${BENCH_NICE:-0}"
BENCH_AUTOGROUP_NICE_BEFORE="${BENCH_AUTOGROUP_NICE_BEFORE:-}"

# bench_prioritise: when BENCH_NICE is set, gives this session's autogroup
# (every process of the terminal or job the script runs in) that nice until
# bench_restore_priority, so that other sessions' work, e.g. builds at nice
# 19, gets the cores only when the benchmark leaves them idle. Without it,
# two busy sessions beside a benchmark take two thirds of the machine
# whatever their nice. Says so when it cannot. It cannot reach a PostgreSQL
# server: PostgreSQL starts every backend and helper process in a session of
# its own (setsid), each competing as a session at nice 0.
bench_prioritise() {
  [[ "$BENCH_NICE" != 0 ]] || return 0
  local before
  before="$(sed -n 's/^.* nice \(-\{0,1\}[0-9]*\)$/\1/p' /proc/self/autogroup 2>/dev/null || true)"
  if [[ -z "$before" ]]; then
    echo "bench: no autogroup scheduling here; nice $BENCH_NICE applies to the processes only" >&2
  elif echo "$BENCH_NICE" 2>/dev/null >/proc/self/autogroup; then
    [[ -n "$BENCH_AUTOGROUP_NICE_BEFORE" ]] || BENCH_AUTOGROUP_NICE_BEFORE="$before"
  else
    echo "bench: cannot set this session's autogroup nice to $BENCH_NICE (needs root); other" \
         "sessions share the cores evenly with the benchmark" >&2
  fi
}

# bench_restore_priority: puts back the autogroup nice bench_prioritise found.
bench_restore_priority() {
  [[ -n "$BENCH_AUTOGROUP_NICE_BEFORE" ]] || return 0
  echo "$BENCH_AUTOGROUP_NICE_BEFORE" 2>/dev/null >/proc/self/autogroup || true
  BENCH_AUTOGROUP_NICE_BEFORE=""
}
