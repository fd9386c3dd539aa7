#!/usr/bin/env bash
# The main job, end to end on the embedded default: installs what it needs,
# builds an optimized silverwork and the dashboard (web/, with npm), and runs
# `silverwork standalone`, which brings the whole system up in one process:
# with no service key configured, the built-in data.go.kr simulator on a
# loopback port; the scheduler, whose first catch-up collects the last 30
# days of postings and every projects file (lake: var/lake, warehouse:
# var/silverwork.db) and builds the SQL project; and the dashboard with its
# JSON API. It prints the dashboard's URL first, then the catch-up's
# progress, and runs until Ctrl-C, which stops all three without losing
# anything (a restart resumes). SILVERWORK_PORT picks another port than
# 8080; SILVERWORK_DAYS another number of days than 30; with
# DATA_GO_KR_SERVICE_KEY set (or service_key_file in the config) it collects
# from the real portal instead. Arguments go to `silverwork standalone`
# (see `silverwork standalone --help`).
#
# For tests and machines already set up: SILVERWORK_SKIP_INSTALL=1 installs
# nothing and builds no dashboard (the server finds one already built, or
# SILVERWORK_WEB_DIR); SILVERWORK_BIN=path runs that silverwork binary
# instead of building one (tests/e2e/main_job_script_test.cc runs it so).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${SILVERWORK_SKIP_INSTALL:-0}" != 1 ]; then
  scripts/install-deps.sh
fi
if [ -n "${SILVERWORK_BIN:-}" ]; then
  silverwork="$SILVERWORK_BIN"
else
  cmake --preset release >/dev/null
  cmake --build --preset release --target silverwork
  silverwork=build/release/silverwork
fi
if [ "${SILVERWORK_SKIP_INSTALL:-0}" != 1 ]; then
  scripts/build-web.sh
fi
exec "$silverwork" standalone --port "${SILVERWORK_PORT:-8080}" \
  --days "${SILVERWORK_DAYS:-30}" "$@"
