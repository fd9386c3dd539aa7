#!/usr/bin/env bash
# The whole test suite:
#   1. installs what it needs (scripts/install-deps.sh);
#   2. builds the product as a packager would: a plain Release configure,
#      no preset, `silverwork` and the browser tests' fixture (all of src/),
#      no warnings allowed (SILVERWORK_WERROR is off there, so warnings are
#      counted in the build's output), whose silverwork must allocate through
#      jemalloc (SILVERWORK_JEMALLOC; off in the ASan build the tests run on);
#   3. builds everything with AddressSanitizer and UBSan (the asan preset,
#      warnings as errors) and runs every test with CTest, while clang-tidy
#      checks the files this branch changed (scripts/clang-tidy.sh);
#   4. runs the dashboard's browser tests (headless Chromium) against the
#      Release build's `silverwork serve`;
#   5. runs the envelope-parser fuzzers (libFuzzer, clang) for a short while.
# Each step prints its wall and CPU time (docs/testing.md records them).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

# step NAME COMMAND...: runs COMMAND and prints how long it took.
step() {
  local name=$1
  shift
  echo "== $name"
  TIMEFORMAT="== $name: %0R s wall, %0U s user + %0S s sys (load before: $(cut -d' ' -f1-3 /proc/loadavg))"
  time "$@"
}

plain_release_build() {
  cmake -S . -B build/plain -DCMAKE_BUILD_TYPE=Release >build/plain.configure.log 2>&1 ||
    { cat build/plain.configure.log; return 1; }
  # The product and the browser tests' fixture: every file of src/ at -O3.
  # The tests' own files are held to warnings-as-errors by the ASan build.
  cmake --build build/plain -j "$jobs" --target silverwork serve_fixture 2>&1 |
    tee build/plain.build.log ||
    { echo "the plain Release build failed"; return 1; }
  if grep -q 'warning:' build/plain.build.log; then
    grep -A3 'warning:' build/plain.build.log
    echo "the plain Release build has warnings (build/plain.build.log)"
    return 1
  fi
  # The shipped binary allocates through jemalloc (SILVERWORK_JEMALLOC, on by
  # default); the test suites run on the ASan build, where it is off.
  local stats
  stats=$(MALLOC_CONF=stats_print:true build/plain/silverwork --help 2>&1 >/dev/null)
  if [[ "$stats" != *"Begin jemalloc statistics"* ]]; then
    echo "the plain Release build's silverwork does not allocate through jemalloc"
    return 1
  fi
}

asan_build() {
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j "$jobs"
}

# CTest spends much of its time waiting (servers, subprocesses, fsync), so
# clang-tidy, which only computes, runs beside it.
asan_tests_and_tidy() {
  TIDY_JOBS=1 scripts/clang-tidy.sh build/asan >build/asan/clang-tidy.out 2>&1 &
  local tidy_pid=$! tests_status=0 tidy_status=0
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build/asan --output-on-failure -j "$jobs" --timeout 600 || tests_status=$?
  wait "$tidy_pid" || tidy_status=$?
  cat build/asan/clang-tidy.out
  [ "$tests_status" -eq 0 ] && [ "$tidy_status" -eq 0 ]
}

browser_tests() {
  BROWSER_BUILD_DIR=build/plain BROWSER_SKIP_BUILD=1 timeout 1500 scripts/browser-tests.sh
}

# fuzz_one FUZZER: runs one fuzzer for 20 s on a copy of its corpus (libFuzzer
# adds what it finds to the corpus dir).
fuzz_one() {
  local fuzzer=$1 name corpus
  name=$(basename "$fuzzer" _fuzzer)
  corpus=$(mktemp -d)
  cp fuzz/corpus/"$name"/* "$corpus"/
  if ! "$fuzzer" -max_total_time=20 -timeout=5 "$corpus" >"$corpus.log" 2>&1; then
    tail -n 40 "$corpus.log"
    echo "fuzzer $name failed"
    return 1
  fi
  echo "fuzzed $name for 20 s: $(tail -n 1 "$corpus.log")"
  rm -rf "$corpus" "$corpus.log"
}

# Each fuzzer is one thread: they run side by side, one a core.
fuzzers() {
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j "$jobs" --target envelope_xml_fuzzer envelope_json_fuzzer
  local fuzzer pids=() failed=0
  for fuzzer in build/fuzz/fuzz/*_fuzzer; do
    fuzz_one "$fuzzer" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  [ "$failed" -eq 0 ] && echo "fuzzers: no crash"
}

mkdir -p build
step "install dependencies" scripts/install-deps.sh --browser
step "plain Release build" plain_release_build
step "ASan/UBSan build" asan_build
step "CTest (ASan/UBSan) and clang-tidy" asan_tests_and_tidy
step "browser tests" browser_tests
step "fuzzers" fuzzers
# `times` prints the shell's CPU time, then its children's (user, sys); it
# must run in this shell, not a subshell, to see the steps.
times >build/test-times.txt
echo "== total: $SECONDS s wall, $(tail -n 1 build/test-times.txt | sed 's/ / user + /') sys"
