#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds everything with
# AddressSanitizer and UBSan, runs every test with CTest, runs the dashboard's
# browser tests (headless Chromium) against that build's `silverwork serve`,
# then runs the envelope-parser fuzzers (libFuzzer, clang) for a short while.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh --browser
jobs=$(nproc)

cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/asan --output-on-failure -j "$jobs" --timeout 600

ASAN_OPTIONS=detect_leaks=0 BROWSER_BUILD_DIR=build/asan timeout 1500 scripts/browser-tests.sh

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$jobs" --target envelope_xml_fuzzer envelope_json_fuzzer
for fuzzer in build/fuzz/fuzz/*_fuzzer; do
  name=$(basename "$fuzzer" _fuzzer)
  # libFuzzer adds what it finds to the corpus dir: work on a copy.
  corpus=$(mktemp -d)
  cp fuzz/corpus/"$name"/* "$corpus"/
  echo "fuzzing $name for 20 s"
  "$fuzzer" -max_total_time=20 -timeout=5 "$corpus" >"$corpus.log" 2>&1 || {
    tail -n 40 "$corpus.log"; echo "fuzzer $name failed"; exit 1; }
  tail -n 1 "$corpus.log"
  rm -rf "$corpus" "$corpus.log"
done
echo "fuzzers: no crash"
