#!/usr/bin/env bash
# Benchmark (issue 4): the whole dashboard drawn in headless Chromium, over a
# warehouse of 1,000,000 postings and 100,000 projects (built by
# serve_fixture with the real SQL project, about 3 minutes). Prints a line
# starting with "RESULT" with the first (cold) and the warm draw times in ms,
# measured by the page from navigation start to its last chart drawn.
#
#   bench/dashboard_draw.sh [postings=1000000] [projects=100000]
#   BROWSER_FIXTURE_DB=var/serve-bench.db bench/dashboard_draw.sh   # reuse a fixture
#
# Uses the release build (build/release, built when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
BROWSER_FIXTURE_POSTINGS=${1:-1000000} BROWSER_FIXTURE_PROJECTS=${2:-100000} \
  BROWSER_FIXTURE_TIMEOUT=3600 BROWSER_BUILD_DIR=build/release BROWSER_TESTS=bench/ BROWSER_ARTIFACTS=${BROWSER_ARTIFACTS:-/tmp/silverwork-draw} \
  exec scripts/browser-tests.sh
