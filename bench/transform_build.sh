#!/usr/bin/env bash
# Benchmark of the model runner (issue 3): a full `silverwork build` over
# 1,000,000 postings and 100,000 projects, then a daily incremental build
# after one new day of data, and the runner's own overhead (elapsed time not
# spent inside the engine, from run_results.json).
#
#   bench/transform_build.sh [postings=1000000] [projects_per_year=20000]
#
# Environment:
#   SILVERWORK_BUILD    build folder with silverwork and bench/make_raw_fixture
#                       (default build/release; configured as RelWithDebInfo with
#                       SILVERWORK_BENCH=ON and built when a binary is missing)
#   BENCH_DIR           work files (default /tmp/silverwork-bench-transform)
#   SILVERWORK_PROJECT  the SQL project to build (default: this repository)
#   THREADS             the build's --threads (default: the runner's, one per
#                       core up to 4)
#   REUSE_FIXTURE=1     keep the generated raw tables in BENCH_DIR and start
#                       later runs from a copy of them (the fixture takes
#                       longer to generate than the build takes to run;
#                       SQLite only: a PostgreSQL server lives for one run)
#   BENCH_NICE          e.g. -5 (needs root): this script's session and the
#                       PostgreSQL server's get that autogroup nice, so that other
#                       sessions' work takes the cores only when the build leaves
#                       them idle (docs/benchmarks.md, "Shared machines")
#   ENGINE=postgres     the same on a throwaway PostgreSQL server with its
#                       durability on (bench/bench_engine.sh says which settings),
#                       stopped at the end; the default is ENGINE=sqlite
#
# Exits 1 when either build fails or reports a node NOT OK. The fixture's
# load times and both builds' clocks (SILVERWORK_NOW) are fixed instants, so
# source freshness, and with it the verdict, is the same on any day.
set -euo pipefail
cd "$(dirname "$0")/.."
postings=${1:-1000000}
projects_per_year=${2:-20000}
build=${SILVERWORK_BUILD:-build/release}
dir=${BENCH_DIR:-/tmp/silverwork-bench-transform}
project=${SILVERWORK_PROJECT:-$PWD}
. bench/bench_engine.sh
bench_engine_check
trap bench_engine_stop EXIT
bench_prioritise

if [ ! -x "$build/silverwork" ] || [ ! -x "$build/bench/make_raw_fixture" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSILVERWORK_BENCH=ON >/dev/null
  cmake --build "$build" -j2 --target silverwork make_raw_fixture
fi
load() { echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"; }

# The history was collected daily up to $today (each posting stamped as
# loaded at 01:00 UTC on its start day), the projects four days before the
# full build (fresh enough to warn, not to fail, and beyond the daily build's
# three-day look-back); the new day is loaded just before the daily build, so
# its look-back window re-reads a few days, as it would in production.
today=2026-11-24
projects_loaded_at=2026-11-21T01:00:00Z
full_build_at=2026-11-25T01:00:00Z
new_day_loaded_at=2026-11-26T01:00:00Z
daily_build_at=2026-11-26T01:05:00Z
fixture="$dir/fixture-$postings-$projects_per_year.db"
make_fixture() {  # make_fixture LOCATION [flags...]: the raw tables at LOCATION
  local location=$1
  shift
  "$build/bench/make_raw_fixture" --warehouse "$location" "${FIXTURE_FLAGS[@]}" \
    --postings "$postings" --today "$today" "$@"
}
if [ "$ENGINE" = postgres ]; then
  rm -rf "$dir" && mkdir -p "$dir"
  bench_engine_start "$dir/postgres"
  bench_engine_fixture_flags ""
  make_fixture "$FIXTURE_LOCATION" --projects-per-year "$projects_per_year" \
    --loaded-at "$projects_loaded_at" --loaded-daily
  # What a server that had loaded these rows day by day would hold: the
  # statistics autovacuum keeps, and no dirty buffers left to write back while
  # the build runs (the SQLite run's sync).
  bench_psql -c "VACUUM ANALYZE" -c "CHECKPOINT"
else
  bench_engine_fixture_flags "$dir/warehouse.db"
  if [ "${REUSE_FIXTURE:-0}" = 1 ] && [ -f "$fixture" ]; then
    rm -rf "$dir/artifacts" "$dir"/warehouse.db*
  else
    rm -rf "$dir" && mkdir -p "$dir"
    make_fixture "$fixture" --projects-per-year "$projects_per_year" \
      --loaded-at "$projects_loaded_at" --loaded-daily
  fi
  cp "$fixture" "$dir/warehouse.db"
  if [ -f "$fixture-wal" ]; then cp "$fixture-wal" "$dir/warehouse.db-wal"; fi
  # The copy's dirty pages would otherwise be written back while the build
  # runs, competing with its own writes.
  sync
fi
{
  printf 'project_dir = "%s"\nartifacts_dir = "%s"\n' "$project" "$dir/artifacts"
  bench_engine_warehouse_toml "$dir/warehouse.db"
} >"$dir/silverwork.toml"

report() {
  python3 - "$dir/artifacts/run_results.json" "$1" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))
elapsed, engine = results["elapsed_time"], results["engine_time"]
threads = len({n["thread_id"] for n in results["results"] if n.get("thread_id")})
if threads > 1:
    # Engine time adds up every worker's connection: the runner's overhead
    # is measured on one thread (THREADS=1).
    print(f"{sys.argv[2]}: {elapsed:.2f} s elapsed on {threads} threads, {engine:.2f} s in the "
          f"engine over all connections (runner overhead: run with THREADS=1)")
else:
    overhead = (elapsed - engine) / engine * 100 if engine else 0
    print(f"{sys.argv[2]}: {elapsed:.2f} s elapsed, {engine:.2f} s in the engine, "
          f"runner overhead {elapsed - engine:.3f} s = {overhead:.2f}% of engine time")
slowest = sorted(results["results"], key=lambda n: -(n.get("execution_time") or 0))[:5]
print("  slowest: " + ", ".join(f"{n['unique_id'].split('.')[-1]} {n['execution_time']:.2f}s" for n in slowest))
failed = [n["unique_id"] for n in results["results"] if n["status"] in ("error", "fail", "skipped")]
if failed:
    print("  NOT OK: " + ", ".join(failed))
    sys.exit(1)
PY
}
verdict=0

echo "before the full build: $(load)"
# Builds as of the instant $1 (silverwork logs a line saying so).
build_once() {
  SILVERWORK_NOW="$1" SILVERWORK_CONFIG="$dir/silverwork.toml" CI=true \
    /usr/bin/time -f "  process: %e s elapsed, %U s user + %S s system CPU" \
    "$build/silverwork" --log-level warn build ${THREADS:+--threads "$THREADS"} >/dev/null ||
    verdict=1
}
build_once "$full_build_at"
report "full build ($postings postings)" || verdict=1
echo "  after: $(load)"
cp "$dir/artifacts/run_results.json" "$dir/run_results.full.json"

make_fixture "$FIXTURE_LOCATION" --append-days 1 --loaded-at "$new_day_loaded_at"
echo "before the daily build: $(load)"
build_once "$daily_build_at"
report "daily incremental build (one new day)" || verdict=1
echo "  after: $(load)"
cp "$dir/artifacts/run_results.json" "$dir/run_results.daily.json"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
exit "$verdict"
