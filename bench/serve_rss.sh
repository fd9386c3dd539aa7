#!/usr/bin/env bash
# Benchmark (issue 4): the server's resident memory over its life, on a
# warehouse written by serve_fixture (docs/benchmarks.md "## Serve"):
# peak (VmHWM) after loading the first snapshot, after a wrk run without the
# response cache, and after a reload forced during a second wrk run (the old
# snapshot serving beside the new one being built); VmRSS at each step.
# Prints lines starting with "RESULT"; the load average goes with each.
#
#   bench/serve_rss.sh var/serve-bench.db [build_dir=build/release] [port=18083]
#
# The reload is forced as a build would: the warehouse's build generation is
# advanced (serve polls it every second here; a touched file no longer makes
# it reload).
set -euo pipefail
cd "$(dirname "$0")/.."
warehouse=${1:?usage: bench/serve_rss.sh WAREHOUSE [BUILD_DIR] [PORT]}
build_dir=${2:-build/release}
port=${3:-18083}
for tool in wrk sqlite3; do  # the load and the forced reload (Debian: apt-get install -y wrk sqlite3)
  command -v "$tool" >/dev/null || { echo "serve_rss.sh: needs $tool (apt-get install -y $tool)" >&2; exit 1; }
done
url=http://127.0.0.1:$port
log=$(mktemp)
urls=$(mktemp)

"$build_dir/silverwork" --log-level info serve --warehouse "$warehouse" --port "$port" --cache-entries 0 \
  --reload-interval 1 >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -f "$log" "$urls"' EXIT

report() {  # report STEP: the server's VmHWM and VmRSS, with the load average
  local hwm rss
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$server/status")
  echo "RESULT $1: peak $((hwm / 1024)) MB, resident $((rss / 1024)) MB (load average $(cut -d' ' -f1-3 /proc/loadavg))"
}

wait_for() {  # wait_for PATTERN COUNT: until the server's log holds COUNT lines matching PATTERN
  for _ in $(seq 1 600); do
    if [ "$(grep -c "$1" "$log" || true)" -ge "$2" ]; then return 0; fi
    kill -0 "$server" || { cat "$log"; exit 1; }
    sleep 1
  done
  echo "timed out waiting for '$1'" >&2
  exit 1
}

wait_for "serving on" 1
report "after the first load"
"$build_dir/bench/serve_latency" --url "$url" --requests 300 --paths-out "$urls"
report "after serve_latency"
wrk -t2 -c32 -d20s -s bench/serve_wrk.lua "$url" -- "$urls" | grep -E "^requests/s"
report "after wrk (uncached)"
(sleep 2 && sqlite3 -cmd ".timeout 10000" "$warehouse" "UPDATE _sw_state SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT),
  updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE key = 'build_generation'") &
wrk -t2 -c32 -d45s -s bench/serve_wrk.lua "$url" -- "$urls" | grep -E "^requests/s"
wait_for "reloaded the warehouse" 1
report "after a reload during wrk"
