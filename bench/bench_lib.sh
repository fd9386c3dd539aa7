# Shared by the collection benchmarks (source it; it does nothing on its own).
#
# Starts `silverwork simulate` as a separate process on a free loopback port,
# writes a throwaway config pointing the collector at it, runs one
# `silverwork collect postings` under /usr/bin/time -v, and parses what both
# print. Every process it starts is stopped by bench_cleanup (installed as an
# EXIT trap by bench_init); every wait is bounded.
#
# Variables a caller may set before bench_init:
#   SILVERWORK   the binary (default: build/release/silverwork)
#   SIMULATOR    the binary serving `simulate` (default: $SILVERWORK), e.g. to
#                hold the simulator fixed while comparing two collectors
#   BENCH_KEEP   1: keep the temporary directory (lake, warehouse, logs)
#   BENCH_NICE   a nice value for the simulator and the collector, e.g. -5
#                (needs root) to shield them from other work on a shared machine.
#                With the kernel's autogroup scheduling on (Debian's default),
#                a process's nice only ranks it within its own session: CPU is
#                first shared evenly between sessions, whatever their nice. So
#                bench_init also sets this session's autogroup nice to it and
#                bench_cleanup puts the old value back (bench_prioritise).
#   BENCH_PROJECTS_PER_YEAR  rows of each projects file the simulator serves
#                (default 0: the postings benchmarks collect no projects)

BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/bench_priority.sh
source "$BENCH_ROOT/bench/bench_priority.sh"
SILVERWORK="$(realpath -m "${SILVERWORK:-$BENCH_ROOT/build/release/silverwork}")"
SIMULATOR="$(realpath -m "${SIMULATOR:-$SILVERWORK}")"
BENCH_KEEP="${BENCH_KEEP:-0}"
BENCH_DIR=""
SIMULATOR_PID=""
SIMULATOR_URL=""
SIMULATOR_KEY=""
BENCH_CA_FILE=""

bench_die() {
  echo "bench: $*" >&2
  exit 1
}

bench_cleanup() {
  local status=$?
  bench_stop_simulator
  bench_restore_priority
  if [[ -n "$BENCH_DIR" && -d "$BENCH_DIR" ]]; then
    if [[ "$BENCH_KEEP" == 1 ]]; then
      echo "bench: kept $BENCH_DIR" >&2
    else
      rm -rf -- "$BENCH_DIR"
    fi
  fi
  return "$status"
}

bench_init() {
  [[ -x "$SIMULATOR" ]] || bench_die "no simulator binary at $SIMULATOR"
  [[ -x "$SILVERWORK" ]] || bench_die "no binary at $SILVERWORK; build it first:
  cmake --preset release && cmake --build --preset release -j2 --target silverwork"
  if [[ ! -x /usr/bin/time ]]; then
    echo "bench: installing /usr/bin/time (Debian package 'time')" >&2
    local sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    $sudo apt-get install -y -qq time >/dev/null || bench_die "cannot install the 'time' package"
  fi
  BENCH_DIR="$(mktemp -d "${TMPDIR:-/tmp}/silverwork-bench.XXXXXX")"
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
  bench_prioritise
}


# One line describing the machine and its load right now.
bench_machine() {
  local cpu memory kernel load
  cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  memory="$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  kernel="$(uname -r)"
  load="$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "machine: $(nproc) cpus ($cpu), $memory RAM, kernel $kernel, load $load; bench nice $BENCH_NICE" \
       "($(cat /proc/self/autogroup 2>/dev/null || echo 'no autogroup'))"
}

# Busy CPU seconds of the whole machine since boot (all cores; user, nice,
# system, irq, softirq, steal).
bench_busy_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '/^cpu / {printf "%.2f", ($2 + $3 + $4 + $7 + $8 + $9) / hz}' /proc/stat
}

# bench_wait_quiet MAX_SECONDS: waits (at most MAX_SECONDS) until the machine
# is nearly idle (under 10% of one core busy over 3 s), because other work on
# a 2-core machine distorts every wall-clock number here. Prints what it saw.
bench_wait_quiet() {
  local deadline=$((SECONDS + $1)) before after busy
  while true; do
    before="$(bench_busy_seconds)"
    sleep 3
    after="$(bench_busy_seconds)"
    busy="$(awk -v a="$after" -v b="$before" 'BEGIN {printf "%.2f", (a - b) / 3}')"
    if awk -v busy="$busy" 'BEGIN {exit !(busy < 0.10)}'; then
      echo "quiet: $busy cores busy before the run"
      return 0
    fi
    if ((SECONDS >= deadline)); then
      echo "quiet: gave up waiting after $1 s; $busy cores busy by other work before the run"
      return 0
    fi
  done
}

# bench_make_tls: a throwaway CA and a certificate for 127.0.0.1 it signs, made
# with the openssl command in $BENCH_DIR/tls. Sets BENCH_CA_FILE (which
# bench_write_config and bench_total_postings then trust) and puts the
# simulate flags that serve https with them in TLS_FLAGS (an array).
bench_make_tls() {
  local dir="$BENCH_DIR/tls"
  mkdir -p "$dir"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=silverwork-bench-ca -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null ||
    bench_die "openssl could not make a CA (Debian package 'openssl')"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=127.0.0.1 -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
    -addext "subjectAltName=IP:127.0.0.1" -addext "basicConstraints=critical,CA:FALSE" \
    -keyout "$dir/server.key" -out "$dir/server.pem" 2>/dev/null ||
    bench_die "openssl could not make the server certificate"
  BENCH_CA_FILE="$dir/ca.pem"
  TLS_FLAGS=(--tls-cert "$dir/server.pem" --tls-key "$dir/server.key")
}

# bench_start_simulator FROM TODAY POSTINGS_PER_DAY [extra simulate flags...]
# Starts the simulator with the public demo key (a real key in the caller's
# environment is never handed to it) on a port the kernel picks, and waits up
# to 20 s for it to listen. An empty TODAY leaves the simulated day to the
# clock (SILVERWORK_NOW, when the caller sets it). Sets SIMULATOR_PID,
# SIMULATOR_URL, SIMULATOR_KEY.
bench_start_simulator() {
  local from="$1" today="$2" per_day="$3"
  shift 3
  local today_flag=()
  [[ -z "$today" ]] || today_flag=(--today "$today")
  # Emptied here, not only by the child's redirection: the loop below must
  # not read an earlier simulator's lines before the child gets to it.
  : >"$BENCH_DIR/simulator.out"
  nice -n "$BENCH_NICE" env -u DATA_GO_KR_SERVICE_KEY "$SIMULATOR" simulate --host 127.0.0.1 --port 0 \
    --from "$from" "${today_flag[@]}" --postings-per-day "$per_day" --projects-per-year "${BENCH_PROJECTS_PER_YEAR:-0}" "$@" \
    >"$BENCH_DIR/simulator.out" 2>"$BENCH_DIR/simulator.err" &
  SIMULATOR_PID=$!
  local waited
  for waited in $(seq 1 200); do
    if grep -q '^simulator listening on ' "$BENCH_DIR/simulator.out" 2>/dev/null &&
       grep -q 'service key:' "$BENCH_DIR/simulator.out"; then
      break
    fi
    kill -0 "$SIMULATOR_PID" 2>/dev/null ||
      bench_die "the simulator exited: $(cat "$BENCH_DIR/simulator.err")"
    sleep 0.1
  done
  SIMULATOR_URL="$(sed -n 's/^simulator listening on //p' "$BENCH_DIR/simulator.out")"
  SIMULATOR_KEY="$(sed -n 's/^  service key: the built-in demo key //p' "$BENCH_DIR/simulator.out")"
  [[ "$SIMULATOR_URL" == http*://127.0.0.1:* && -n "$SIMULATOR_KEY" ]] ||
    bench_die "the simulator did not start within 20 s"
}

# CPU seconds (user + system) the simulator has used so far.
bench_simulator_cpu_seconds() {
  [[ -n "$SIMULATOR_PID" && -r "/proc/$SIMULATOR_PID/stat" ]] || { echo 0; return; }
  # Fields 14 and 15 (utime, stime) count clock ticks; field 2 may hold spaces.
  local ticks
  ticks="$(sed 's/^.*) //' "/proc/$SIMULATOR_PID/stat" | awk '{print $12 + $13}')"
  awk -v ticks="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", ticks / hz}'
}

bench_stop_simulator() {
  [[ -n "$SIMULATOR_PID" ]] || return 0
  kill -TERM "$SIMULATOR_PID" 2>/dev/null || true
  local waited
  for waited in $(seq 1 100); do
    kill -0 "$SIMULATOR_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$SIMULATOR_PID" 2>/dev/null || true
  wait "$SIMULATOR_PID" 2>/dev/null || true
  SIMULATOR_PID=""
}

# The simulator's totalCount: how many postings the collection will see.
bench_total_postings() {
  curl -sS --max-time 60 ${BENCH_CA_FILE:+--cacert "$BENCH_CA_FILE"} \
    -G "$SIMULATOR_URL/B552474/SenuriService/getJobList" \
    --data-urlencode "serviceKey=$SIMULATOR_KEY" -d pageNo=1 -d numOfRows=1 |
    sed -n 's:.*<totalCount>\([0-9]*\)</totalCount>.*:\1:p'
}

# bench_write_config ROWS_PER_PAGE CONCURRENCY BATCH_SIZE FSYNC LOOKBACK_DAYS TIMEOUT_MS [TOP]
# Writes $BENCH_DIR/silverwork.toml: no rate limits (the simulator has none),
# lake and warehouse inside $BENCH_DIR, and [http] ca_file after bench_make_tls;
# TOP: top-level keys to put first (e.g. project_dir).
bench_write_config() {
  cat >"$BENCH_DIR/silverwork.toml" <<EOF
${7:-}
[warehouse]
engine = "sqlite"
path = "$BENCH_DIR/warehouse.db"

[lake]
path = "$BENCH_DIR/lake"
fsync = $4

[postings]
base_url = "$SIMULATOR_URL"
rows_per_page = $1
concurrency = $2
batch_size = $3
calls_per_second = 0
calls_per_day = 0
lookback_days = $5
timeout_ms = $6
max_attempts = 3

[projects]
base_url = "$SIMULATOR_URL"
openapi_url = "$SIMULATOR_URL/oas/docs?namespace=15050148/v1"
EOF
  if [[ -n "$BENCH_CA_FILE" ]]; then
    printf '\n[http]\nca_file = "%s"\n' "$BENCH_CA_FILE" >>"$BENCH_DIR/silverwork.toml"
  fi
}

# bench_collect FROM TO TIME_LIMIT_SECONDS
# Runs the collector in $BENCH_DIR under /usr/bin/time -v, killed after the
# limit. Sets COLLECT_STATUS and the parsed results:
#   COLLECT_SUMMARY (its summary line), COLLECT_WALL, COLLECT_USER, COLLECT_SYS
#   (seconds), SIMULATOR_CPU (CPU seconds the simulator used meanwhile),
#   OTHER_CPU (CPU seconds every other process used meanwhile), COLLECT_RSS_KB (peak RSS), LIST_SECONDS, DETAIL_SECONDS,
#   POSTINGS_IN_WINDOW, DETAILS_LOADED, DETAILS_FAILED, and TIMED_OUT_CALLS
#   (calls that hit timeout_ms and were retried: each one stalled a worker).
bench_collect() {
  local from="$1" to="$2" limit="$3" busy_before busy_after simulator_before
  COLLECT_STATUS=0
  busy_before="$(bench_busy_seconds)"
  simulator_before="$(bench_simulator_cpu_seconds)"
  (cd "$BENCH_DIR" &&
   DATA_GO_KR_SERVICE_KEY="$SIMULATOR_KEY" timeout --kill-after=10 "$limit" \
     /usr/bin/time -v -o "$BENCH_DIR/time.txt" nice -n "$BENCH_NICE" \
     "$SILVERWORK" --config "$BENCH_DIR/silverwork.toml" collect postings --from "$from" --to "$to" \
     >"$BENCH_DIR/collect.out" 2>"$BENCH_DIR/collect.err") || COLLECT_STATUS=$?
  busy_after="$(bench_busy_seconds)"
  SIMULATOR_CPU="$(awk -v a="$(bench_simulator_cpu_seconds)" -v b="$simulator_before" \
    'BEGIN {printf "%.1f", a - b}')"
  if [[ "$COLLECT_STATUS" -ne 0 ]]; then
    echo "bench: collect exited with status $COLLECT_STATUS (124: killed after ${limit} s)" >&2
    tail -n 20 "$BENCH_DIR/collect.err" >&2
  fi
  COLLECT_SUMMARY="$(grep -m1 '^postings ' "$BENCH_DIR/collect.out" || true)"
  COLLECT_RSS_KB="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$BENCH_DIR/time.txt" 2>/dev/null)"
  COLLECT_USER="$(awk -F': ' '/User time/ {print $2}' "$BENCH_DIR/time.txt" 2>/dev/null)"
  COLLECT_SYS="$(awk -F': ' '/System time/ {print $2}' "$BENCH_DIR/time.txt" 2>/dev/null)"
  # "Elapsed (wall clock) time (h:mm:ss or m:ss): 1:02.03"
  COLLECT_WALL="$(awk -F': ' '/Elapsed \(wall clock\)/ {
      n = split($2, part, ":"); s = 0
      for (i = 1; i <= n; i++) s = s * 60 + part[i]
      print s }' "$BENCH_DIR/time.txt" 2>/dev/null)"
  LIST_SECONDS="$(sed -n 's/.*(list \([0-9.]*\) s, details \([0-9.]*\) s).*/\1/p' <<<"$COLLECT_SUMMARY")"
  DETAIL_SECONDS="$(sed -n 's/.*(list \([0-9.]*\) s, details \([0-9.]*\) s).*/\2/p' <<<"$COLLECT_SUMMARY")"
  POSTINGS_IN_WINDOW="$(sed -n 's/^postings [^:]*: \([0-9]*\) in window.*/\1/p' <<<"$COLLECT_SUMMARY")"
  DETAILS_LOADED="$(sed -n 's/.* \([0-9]*\) of [0-9]* details loaded.*/\1/p' <<<"$COLLECT_SUMMARY")"
  DETAILS_FAILED="$(sed -n 's/.* details loaded, \([0-9]*\) failed.*/\1/p' <<<"$COLLECT_SUMMARY")"
  TIMED_OUT_CALLS="$(grep -c 'Timeout was reached' "$BENCH_DIR/collect.err" || true)"
  : "${COLLECT_USER:=0}" "${COLLECT_SYS:=0}"
  # CPU seconds that other processes took while the collector ran.
  OTHER_CPU="$(awk -v a="$busy_after" -v b="$busy_before" -v u="$COLLECT_USER" \
    -v s="$COLLECT_SYS" -v sim="$SIMULATOR_CPU" 'BEGIN {x = a - b - u - s - sim; printf "%.1f", (x < 0 ? 0 : x)}')"
  : "${COLLECT_WALL:=0}" "${LIST_SECONDS:=0}" "${DETAIL_SECONDS:=0}" "${POSTINGS_IN_WINDOW:=0}"
  : "${DETAILS_LOADED:=0}" "${DETAILS_FAILED:=0}" "${COLLECT_RSS_KB:=0}"
}

# bench_check_exact EXPECTED: after bench_collect, checks that the collection
# is exact: the warehouse holds EXPECTED postings, each once, each with the
# detail of its current list item, and the lake holds one detail response per
# posting, none twice. Prints what it counted; sets EXACT (true or false).
bench_check_exact() {
  local expected="$1" rows ids details landed landed_distinct
  command -v sqlite3 >/dev/null || bench_die "no sqlite3 command (Debian package 'sqlite3')"
  read -r rows ids details < <(sqlite3 -separator ' ' "$BENCH_DIR/warehouse.db" \
    "SELECT count(*), count(DISTINCT jobId), sum(_detail_status = 'ok' AND _detail_list_hash = _list_hash)
     FROM raw_postings")
  # One manifest line per landed response; the request names the posting.
  read -r landed landed_distinct < <(
    find "$BENCH_DIR/lake/postings_detail" -name '*.manifest.jsonl' -exec cat {} + 2>/dev/null |
      grep -o '"request":"[^"]*"' | sort | uniq -c |
      awk '{lines += $1; distinct++} END {print lines + 0, distinct + 0}')
  EXACT=false
  if [[ "$rows" == "$expected" && "$ids" == "$expected" && "${details:-0}" == "$expected" &&
        "$landed" == "$expected" && "$landed_distinct" == "$expected" ]]; then
    EXACT=true
  fi
  echo "exact: $EXACT: expected $expected postings; warehouse $rows rows, $ids distinct jobIds," \
       "${details:-0} with the detail of their list item; lake $landed detail responses for" \
       "$landed_distinct distinct postings"
}

# YYYY-MM-DD plus N days.
bench_add_days() {
  date -u -d "$1 + $2 days" +%F
}

# bench_help SCRIPT: prints the script's header comment (its usage) and exits.
bench_help() {
  sed -n '2,/^set -euo/p' "$1" | sed '$d; s/^# \{0,1\}//'
  exit 0
}
