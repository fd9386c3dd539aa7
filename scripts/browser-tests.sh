#!/usr/bin/env bash
# Browser tests of the dashboard: builds the front end (scripts/build-web.sh),
# writes a fixture warehouse with the real SQL project and the scheduler's
# state for the 파이프라인 tab, try logs beside it (serve_fixture),
# starts `silverwork serve` on a free loopback port, runs the Playwright tests
# in headless Chromium (web/tests), and stops the server. Screenshots and the
# downloaded CSV land in $BROWSER_ARTIFACTS (default build/browser-artifacts).
#
# Uses the silverwork and serve_fixture of the build in $BROWSER_BUILD_DIR
# (default build/release, configured with the release preset when missing);
# scripts/test.sh points it at the plain Release build it has just built.
# BROWSER_SKIP_BUILD=1 uses that build's binaries as they are, without
# building (for a build folder that belongs to another checkout).
# Bounded: every step has a time limit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build_dir=${BROWSER_BUILD_DIR:-build/release}
artifacts=${BROWSER_ARTIFACTS:-$root/build/browser-artifacts}

scripts/install-deps.sh --browser
scripts/build-web.sh

if [ "${BROWSER_SKIP_BUILD:-0}" = 1 ]; then
  for binary in "$build_dir/silverwork" "$build_dir/tests/serve_fixture"; do
    [ -x "$binary" ] || { echo "error: BROWSER_SKIP_BUILD=1 but $binary is missing; build it or drop BROWSER_SKIP_BUILD" >&2; exit 1; }
  done
else
  if [ ! -f "$build_dir/build.ninja" ]; then
    [ "$build_dir" = build/release ] || { echo "error: $build_dir is not a configured build" >&2; exit 1; }
    cmake --preset release >/dev/null
  fi
  echo "building silverwork and serve_fixture in $build_dir"
  timeout 1800 cmake --build "$build_dir" --target silverwork serve_fixture -j "$(nproc)"
fi

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# BROWSER_FIXTURE_DB serves an existing warehouse instead of writing one.
fixture=${BROWSER_FIXTURE_DB:-$work/fixture.db}
if [ -z "${BROWSER_FIXTURE_DB:-}" ]; then
  timeout "${BROWSER_FIXTURE_TIMEOUT:-900}" "$build_dir/tests/serve_fixture" --out "$fixture" --project-dir . \
    --postings "${BROWSER_FIXTURE_POSTINGS:-20000}" --projects "${BROWSER_FIXTURE_PROJECTS:-3000}"
fi

# The fixture's scheduler state is as of its "now" (tests/serve/serve_fixture_main.cc):
# the server's clock starts there, so running tries and next runs read as the tests
# expect. Writes are on, with a token made for this run; the tests type it.
fixture_now=2025-03-31T21:00:00+09:00
api_token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
: >"$work/serve.log"
SILVERWORK_NOW=$fixture_now SILVERWORK_API_TOKEN=$api_token \
  "$build_dir/silverwork" serve --warehouse "$fixture" --web-dir web/dist --port 0 \
  --reload-interval 0 >"$work/serve.log" 2>&1 &
server_pid=$!
url=""
for _ in $(seq 1 1200); do  # loading a large warehouse takes a while
  url=$(sed -n 's/^serving on \(http:[^ ]*\)\/$/\1/p' "$work/serve.log")
  [ -n "$url" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then cat "$work/serve.log"; echo "the server did not start"; exit 1; fi
  sleep 0.1
done
[ -n "$url" ] || { cat "$work/serve.log"; echo "the server did not say where it listens"; exit 1; }
echo "server at $url"

mkdir -p "$artifacts"
# BROWSER_TESTS=bench/ runs the draw-time benchmark (bench/dashboard_draw.sh) instead.
if ! (cd web && SILVERWORK_URL="$url" SCREENSHOT_DIR="$artifacts" CHROMIUM=$(command -v chromium) \
  SILVERWORK_TEST_API_TOKEN="$api_token" SILVERWORK_FIXTURE_LOGS="$(cd "$(dirname "$fixture")" && pwd)/fixture-logs" \
  timeout 600 node --test --test-concurrency=1 "${BROWSER_TESTS:-tests/}"); then
  echo "--- server log"; tail -n 40 "$work/serve.log"
  echo "browser tests failed; screenshots in $artifacts"
  exit 1
fi
echo "screenshots in $artifacts"
