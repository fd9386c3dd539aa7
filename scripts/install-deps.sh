#!/usr/bin/env bash
# Installs everything silverwork needs to build and run, from Debian's
# packages; with --browser also what the browser tests need (Chromium and a
# Korean font, so screenshots show the dashboard's labels). Safe to run
# again: it does nothing when all packages are present. Node.js and npm (for
# the dashboard, scripts/build-web.sh) come with this kind of machine.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config clang clang-tidy libclang-rt-14-dev lld
  libssl-dev libpugixml-dev nlohmann-json3-dev libsqlite3-dev libpq-dev
  libcpp-httplib-dev libcli11-dev libspdlog-dev libfmt-dev libtomlplusplus-dev
  libyaml-cpp-dev libzstd-dev zlib1g-dev libgtest-dev libgmock-dev libbenchmark-dev
  # The allocator the silverwork executable links (SILVERWORK_JEMALLOC).
  libjemalloc-dev
  sqlite3 curl openssl jq tzdata
  # The server the PostgreSQL tests start and stop (scripts/postgres-test-server.sh).
  postgresql
)
if [ "${1:-}" = "--browser" ]; then
  packages+=(chromium fonts-noto-cjk)
elif [ -n "${1:-}" ]; then
  echo "usage: $0 [--browser]" >&2
  exit 2
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "installing: ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
