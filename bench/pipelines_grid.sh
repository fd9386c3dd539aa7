#!/usr/bin/env bash
# Benchmark (issue 14): the 파이프라인 tab's grid endpoint at 1,000 runs x 5
# tasks (target: p95 < 30 ms). Writes a small fixture warehouse whose
# scheduler state holds 1,000 daily runs of bench/grid_pipelines.yml's
# five-task pipeline, every try logged (serve_fixture --grid-pipeline), serves
# it with `silverwork serve --pipelines bench/grid_pipelines.yml`, and times
# GET /api/v1/pipelines/grid_bench/grid?limit=1000 one request at a time
# (bench/grid_latency.cc). Prints the machine and its load first.
#
#   bench/pipelines_grid.sh [runs=1000] [requests=200]
#
# Uses the release build (build/release; build the three targets first:
#   cmake --preset release && cmake --build build/release --target silverwork serve_fixture grid_latency).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/bench_lib.sh
[[ "${1:-}" == --help ]] && bench_help "$0"
runs=${1:-1000}
requests=${2:-200}
build=build/release
for binary in "$build/silverwork" "$build/tests/serve_fixture" "$build/bench/grid_latency"; do
  [[ -x "$binary" ]] || bench_die "no $binary; build it: cmake --build $build --target silverwork serve_fixture grid_latency"
done
SILVERWORK="$(realpath "$build/silverwork")"
SIMULATOR="$SILVERWORK"
bench_init
server_pid=""
stop_server() {
  [[ -n "$server_pid" ]] || return 0
  kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
trap 'stop_server; bench_cleanup' EXIT

echo "writing the fixture: $runs runs of grid_bench, 5 tasks each"
started=$SECONDS
timeout 1800 "$build/tests/serve_fixture" --out "$BENCH_DIR/grid.db" --project-dir . \
  --postings 2000 --projects 300 --pipelines bench/grid_pipelines.yml \
  --grid-pipeline grid_bench --grid-runs "$runs" >/dev/null
echo "fixture written in $((SECONDS - started)) s"

# The fixture's state is as of 2025-03-31 21:00 KST (tests/serve/serve_fixture_main.cc).
: >"$BENCH_DIR/serve.log"
SILVERWORK_NOW=2025-03-31T21:00:00+09:00 "$SILVERWORK" serve --warehouse "$BENCH_DIR/grid.db" \
  --pipelines bench/grid_pipelines.yml --port 0 --reload-interval 0 >"$BENCH_DIR/serve.log" 2>&1 &
server_pid=$!
url=""
for _ in $(seq 1 300); do
  url=$(sed -n 's/^serving on \(http:[^ ]*\)\/$/\1/p' "$BENCH_DIR/serve.log")
  [[ -n "$url" ]] && break
  kill -0 "$server_pid" 2>/dev/null || bench_die "the server exited: $(tail -n 5 "$BENCH_DIR/serve.log")"
  sleep 0.1
done
[[ -n "$url" ]] || bench_die "the server did not start within 30 s"

bench_machine
bench_wait_quiet 120
"$build/bench/grid_latency" --url "$url" --pipeline grid_bench --runs "$runs" --tasks 5 --requests "$requests"
echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
