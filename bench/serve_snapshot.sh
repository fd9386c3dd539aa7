#!/usr/bin/env bash
# Benchmark (issues 4 and 16): how long `silverwork serve` takes to load its
# snapshot of a warehouse built by the real SQL project over 1,000,000
# postings and 100,000 projects (target < 5 s), and every chart endpoint's
# latency over it (bench/serve_latency, target p95 < 30 ms), on SQLite or on
# PostgreSQL.
#
#   bench/serve_snapshot.sh [postings=1000000] [projects=100000] [starts=3]
#   ENGINE=postgres bench/serve_snapshot.sh
#
# The warehouse is written by serve_fixture (tests/serve/serve_fixture_main.cc):
# on SQLite into var/serve-bench-P-Q.db, kept and reused by later runs (delete
# it to write it again); on PostgreSQL into a throwaway server
# (bench/bench_engine.sh) that lives for this run. Then `silverwork serve
# --cache-entries 0` is started `starts` times; the snapshot load is the time
# from the process's start to its "serving on" line (opening the warehouse,
# reading every mart and the postings records, building the cubes; serve's
# log line after it says how long each phase took). The last
# server answers serve_latency (300 requests per endpoint, random filters).
#
# Environment: SILVERWORK_BUILD (default build/release: silverwork,
# tests/serve_fixture, bench/serve_latency), ENGINE, BENCH_PG_DURABLE /
# BENCH_PG_SETTINGS, BENCH_NICE (e.g. -5; needs root). Prints RESULT lines.
set -euo pipefail
cd "$(dirname "$0")/.."
postings=${1:-1000000}
projects=${2:-100000}
starts=${3:-3}
build=${SILVERWORK_BUILD:-build/release}
nice_value=${BENCH_NICE:-0}
source bench/bench_engine.sh
bench_engine_check
for binary in silverwork tests/serve_fixture bench/serve_latency; do
  [ -x "$build/$binary" ] || { echo "bench: no $build/$binary; build it first:
  cmake --preset release && cmake --build --preset release --target silverwork serve_fixture serve_latency" >&2; exit 1; }
done

dir=$(mktemp -d "${TMPDIR:-/tmp}/silverwork-serve-bench.XXXXXX")
server=""
stop_serve() {
  [ -n "$server" ] || return 0
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  server=""
}
trap 'stop_serve; bench_engine_stop; rm -rf -- "$dir"' EXIT
bench_prioritise
load() { cut -d' ' -f1-3 /proc/loadavg; }

bench_engine_start "$dir/postgres"
if [ "$ENGINE" = postgres ]; then
  bench_engine_fixture_flags ""
  echo "writing the warehouse on the server (load $(load))"
  "$build/tests/serve_fixture" --out "$FIXTURE_LOCATION" "${FIXTURE_FLAGS[@]}" --work-dir "$dir" \
    --postings "$postings" --projects "$projects" --no-scheduler
  # The build's dirty buffers written out now, not while serve reads.
  bench_psql -c "CHECKPOINT"
else
  warehouse=var/serve-bench-$postings-$projects.db
  if [ ! -f "$warehouse" ]; then
    mkdir -p var
    echo "writing $warehouse (once; later runs reuse it)"
    "$build/tests/serve_fixture" --out "$warehouse" --postings "$postings" --projects "$projects" \
      --no-scheduler
  fi
  sync
fi
bench_engine_warehouse_toml "$PWD/${warehouse:-}" >"$dir/silverwork.toml"

# Starts serve and waits for its "serving on" line; sets server, url, seconds.
start_serve() {
  local started
  : >"$dir/serve.out"
  started=$(date +%s.%N)
  nice -n "$nice_value" "$build/silverwork" --config "$dir/silverwork.toml" --log-level info serve \
    --host 127.0.0.1 --port 0 --cache-entries 0 --reload-interval 0 >"$dir/serve.out" 2>"$dir/serve.err" &
  server=$!
  until grep -q '^serving on ' "$dir/serve.out"; do
    kill -0 "$server" 2>/dev/null || { cat "$dir/serve.err" >&2; exit 1; }
    sleep 0.02
  done
  seconds=$(awk -v a="$(date +%s.%N)" -v b="$started" 'BEGIN {printf "%.2f", a - b}')
  url=$(sed -n 's|^serving on \(http://[^/]*\)/.*|\1|p' "$dir/serve.out")
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); engine $ENGINE"
loads=()
for start in $(seq 1 "$starts"); do
  stop_serve
  before=$(load)
  start_serve
  loads+=("$seconds")
  echo "start $start: snapshot loaded and serving after $seconds s," \
    "peak RSS $(($(awk '/VmHWM/ {print $2}' "/proc/$server/status") / 1024)) MB (load before $before, after $(load))"
  sed -n 's/.*serve: snapshot of \(.*\)/  \1/p' "$dir/serve.err"
done
before=$(load)
"$build/bench/serve_latency" --url "$url" --requests 300 | tee "$dir/latency.txt"
echo "load average before $before, after $(load)"
echo "RESULT engine=$ENGINE snapshot_load_s=$(IFS=,; echo "${loads[*]}")" \
  "worst_chart_p95_ms=$(sed -n 's/^worst chart-endpoint p95: \([0-9.]*\) ms/\1/p' "$dir/latency.txt")" \
  "nice=$nice_value"
