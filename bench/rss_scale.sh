#!/usr/bin/env bash
# Does the collector's memory grow with the volume? Runs
# bench/collect_throughput.sh once per volume and tabulates peak RSS (target:
# under 256 MB at any volume, and flat across volumes).
#
#   bench/rss_scale.sh                               # 100,000 and 1,000,000 postings
#   bench/rss_scale.sh --volumes "10000 100000" --concurrency 8
#
# Options: --volumes "N1 N2 ..." [100000 1000000]; anything else is passed to
# collect_throughput.sh for every volume.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/bench_lib.sh"

volumes="100000 1000000"
passed=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --volumes) volumes="$2"; shift 2 ;;
    -h|--help) bench_help "$0" ;;
    *) passed+=("$1"); shift ;;
  esac
done

results=()
for volume in $volumes; do
  echo "=== $volume postings"
  output="$("$here/collect_throughput.sh" --postings "$volume" "${passed[@]}")" || {
    echo "$output"
    echo "rss_scale: the run at $volume postings failed" >&2
    exit 1
  }
  echo "$output"
  results+=("$(grep '^RESULT ' <<<"$output")")
done

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
echo
printf '%12s %10s %10s %12s %14s\n' postings wall_s per_s peak_rss_mb rss_kb_per_1k
for line in "${results[@]}"; do
  postings="$(field postings "$line")"
  rss="$(field rss_mb "$line")"
  printf '%12s %10s %10s %12s %14s\n' "$postings" "$(field wall_s "$line")" \
    "$(field per_s "$line")" "$rss" \
    "$(awk -v r="$rss" -v n="$postings" 'BEGIN {printf "%.2f", (n > 0 ? r * 1024 * 1000 / n : 0)}')"
done
