#!/usr/bin/env bash
# The main job, end to end on the embedded default: installs what it needs,
# builds an optimized silverwork, and runs `silverwork pipeline`, which (with
# no service key configured) starts the built-in simulator, collects the
# last 30 days of postings and every projects file, lands them in the lake
# (var/lake), loads them into SQLite (var/silverwork.db) and prints what
# was loaded, builds the SQL project's marts, and then serves the dashboard
# (built from web/ with npm) and its JSON API, printing the dashboard's URL.
# It serves until Ctrl-C; SILVERWORK_PORT picks another port than 8080.
# Arguments go to `silverwork pipeline` (see `silverwork pipeline --help`).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target silverwork
scripts/build-web.sh
build/release/silverwork pipeline "$@"
exec build/release/silverwork serve --port "${SILVERWORK_PORT:-8080}"
