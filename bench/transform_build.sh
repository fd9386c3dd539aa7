#!/usr/bin/env bash
# Benchmark of the model runner (issue 3): a full `silverwork build` over
# 1,000,000 postings and 100,000 projects, then a daily incremental build
# after one new day of data, and the runner's own overhead (elapsed time not
# spent inside the engine, from run_results.json).
#
#   bench/transform_build.sh [postings=1000000] [projects_per_year=20000]
#
# Uses the optimized build in ${SILVERWORK_BUILD:-build/release} (built if
# missing). Work files go to ${BENCH_DIR:-/tmp/silverwork-bench-transform}.
set -euo pipefail
cd "$(dirname "$0")/.."
postings=${1:-1000000}
projects_per_year=${2:-20000}
build=${SILVERWORK_BUILD:-build/release}
dir=${BENCH_DIR:-/tmp/silverwork-bench-transform}

if [ ! -x "$build/silverwork" ] || [ ! -x "$build/bench/make_raw_fixture" ]; then
  cmake --preset release >/dev/null
  cmake --build --preset release --target silverwork make_raw_fixture
fi
rm -rf "$dir" && mkdir -p "$dir"
cat >"$dir/silverwork.toml" <<TOML
project_dir = "$PWD"
artifacts_dir = "$dir/artifacts"
[warehouse]
path = "$dir/warehouse.db"
TOML

# The history was loaded a week ago; the new day is loaded now.
week_ago=$(date -u -d '7 days ago' +%Y-%m-%dT%H:%M:%SZ)
"$build/bench/make_raw_fixture" --warehouse "$dir/warehouse.db" --postings "$postings" \
  --projects-per-year "$projects_per_year" --loaded-at "$week_ago"

report() {
  python3 - "$dir/artifacts/run_results.json" "$1" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))
elapsed, engine = results["elapsed_time"], results["engine_time"]
overhead = (elapsed - engine) / engine * 100 if engine else 0
print(f"{sys.argv[2]}: {elapsed:.2f} s elapsed, {engine:.2f} s in the engine, "
      f"runner overhead {elapsed - engine:.3f} s = {overhead:.2f}% of engine time")
slowest = sorted(results["results"], key=lambda n: -(n.get("execution_time") or 0))[:5]
print("  slowest: " + ", ".join(f"{n['unique_id'].split('.')[-1]} {n['execution_time']:.2f}s" for n in slowest))
PY
}

SILVERWORK_CONFIG="$dir/silverwork.toml" CI=true "$build/silverwork" --log-level warn build >/dev/null
report "full build ($postings postings)"

"$build/bench/make_raw_fixture" --warehouse "$dir/warehouse.db" --postings "$postings" --append-days 1
SILVERWORK_CONFIG="$dir/silverwork.toml" CI=true "$build/silverwork" --log-level warn build >/dev/null
report "daily incremental build (one new day)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
