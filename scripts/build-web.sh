#!/usr/bin/env bash
# Builds the dashboard front end into web/dist, which `silverwork serve`
# serves. Installs the npm packages from web/package-lock.json (`npm ci`) only
# when they are missing or the lock file changed since the last install.
# Needs Node.js >= 20.19 and npm (present on this kind of machine).
set -euo pipefail
cd "$(dirname "$0")/../web"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "error: building the dashboard needs Node.js (>= 20.19) and npm; install them and run again" >&2
  exit 1
fi
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
  echo "error: building the dashboard needs Node.js >= 20.19 (vite 7); found $(node --version)" >&2
  exit 1
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing the dashboard's npm packages (npm ci)" >&2
  timeout 900 npm ci --no-audit --no-fund --loglevel=error
fi
echo "building the dashboard (web/dist)" >&2
timeout 300 npx --no-install vite build --logLevel warn
