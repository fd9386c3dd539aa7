#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests, from Debian's `postgresql`
# package (scripts/install-deps.sh installs it).
#
#   scripts/postgres-test-server.sh start DIR    initdb into a new temporary folder, start the
#                                                server on a free loopback port, and write what
#                                                clients need into DIR
#   scripts/postgres-test-server.sh restart DIR  restart it (fast shutdown: sessions are cut)
#   scripts/postgres-test-server.sh stop DIR     stop it and remove its folder and DIR's files
#
# DIR gets `url` (postgresql://silverwork@127.0.0.1:PORT/postgres, no password), `password`
# (the superuser's random password, mode 600), and `server` (the server's temporary folder).
# The data lives outside DIR, in a folder of its own under /tmp, because PostgreSQL refuses to
# run as root: as root the server runs as the package's `postgres` user (or a `silverwork-pg`
# user this script creates), which may not be able to enter DIR. Logins over TCP and the
# socket need the password (scram-sha-256). `start` first stops a server an earlier,
# interrupted run left in DIR. Durability is off (fsync=off): nothing here outlives the tests.
#
# Environment (for the benchmarks, bench/bench_engine.sh):
#   SILVERWORK_PG_DURABLE=1    keep the server's durability on (fsync, full_page_writes and
#                              synchronous_commit as PostgreSQL ships them), as a real installation
#   SILVERWORK_PG_SETTINGS     more server settings, e.g. "-c shared_buffers=1GB"
set -euo pipefail

usage() {
  echo "usage: $0 start|restart|stop DIR" >&2
  exit 2
}
[ $# -eq 2 ] || usage
action=$1
dir=$2

fail() {
  echo "error: $1" >&2
  [ -n "${2:-}" ] && echo "  to fix: $2" >&2
  exit 1
}

# Debian keeps the server programs out of PATH, under /usr/lib/postgresql/<version>/bin.
find_bindir() {
  if [ -n "${SILVERWORK_PG_BINDIR:-}" ]; then
    echo "$SILVERWORK_PG_BINDIR"
    return
  fi
  local candidate
  for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then
      echo "$candidate"
      return
    fi
  done
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    dirname "$(command -v initdb)"
    return
  fi
  fail "PostgreSQL's server programs (initdb, pg_ctl) are not installed" \
    "run scripts/install-deps.sh (Debian package postgresql), or set SILVERWORK_PG_BINDIR"
}

# The unprivileged user the server runs as when this script runs as root.
server_user() {
  if id postgres >/dev/null 2>&1; then
    echo postgres
    return
  fi
  if ! id silverwork-pg >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin silverwork-pg ||
      fail "cannot create the user silverwork-pg to run PostgreSQL as" "run as a normal user"
  fi
  echo silverwork-pg
}

as_server() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$(server_user)" -- "$@"
  else
    "$@"
  fi
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

stop_server() {
  [ -f "$dir/server" ] || return 0
  local folder
  folder=$(cat "$dir/server")
  if [ -f "$folder/data/postmaster.pid" ]; then
    as_server "$(find_bindir)/pg_ctl" -D "$folder/data" -m immediate -w -s stop >/dev/null 2>&1 || true
  fi
  rm -rf -- "$folder"
  rm -f -- "$dir/server" "$dir/url" "$dir/password"
}

start_server() {
  local bindir folder password port attempt durability="-c fsync=off -c full_page_writes=off"
  [ "${SILVERWORK_PG_DURABLE:-0}" = 1 ] && durability=""
  bindir=$(find_bindir)
  mkdir -p "$dir"
  folder=$(mktemp -d /tmp/silverwork-pg.XXXXXX)
  echo "$folder" >"$dir/server"
  password=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
  (umask 077 && printf '%s\n' "$password" >"$dir/password")
  (umask 077 && printf '%s\n' "$password" >"$folder/pwfile")
  if [ "$(id -u)" -eq 0 ]; then chown -R "$(server_user)" "$folder"; fi

  as_server "$bindir/initdb" -D "$folder/data" -U silverwork --pwfile="$folder/pwfile" \
    --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync >"$folder/initdb.log" 2>&1 ||
    fail "initdb failed: $(tail -n 5 "$folder/initdb.log")" "see $folder/initdb.log"
  rm -f "$folder/pwfile"

  # A free port, found by trying: PostgreSQL cannot be given port 0.
  for attempt in $(seq 1 20); do
    port=$((20000 + RANDOM % 40000))
    port_in_use "$port" && continue
    if as_server "$bindir/pg_ctl" -D "$folder/data" -l "$folder/server.log" -w -s -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$folder \
          $durability -c max_connections=100 ${SILVERWORK_PG_SETTINGS:-}" start >/dev/null 2>&1; then
      echo "postgresql://silverwork@127.0.0.1:$port/postgres" >"$dir/url"
      echo "PostgreSQL test server: postgresql://silverwork@127.0.0.1:$port/postgres (data in $folder)"
      return 0
    fi
    grep -q "could not bind\|Address already in use" "$folder/server.log" 2>/dev/null ||
      fail "the PostgreSQL test server did not start: $(tail -n 5 "$folder/server.log" 2>/dev/null)" \
        "see $folder/server.log"
  done
  fail "no free loopback port for the PostgreSQL test server after 20 tries" \
    "free some ports in 20000-60000 and run again"
}

case "$action" in
  start)
    stop_server
    start_server
    ;;
  restart)
    [ -f "$dir/server" ] || fail "no test server in $dir" "run: $0 start $dir"
    folder=$(cat "$dir/server")
    as_server "$(find_bindir)/pg_ctl" -D "$folder/data" -l "$folder/server.log" -m fast -w -s \
      -t 60 restart >/dev/null ||
      fail "the PostgreSQL test server did not restart: $(tail -n 5 "$folder/server.log")"
    ;;
  stop)
    stop_server
    ;;
  *)
    usage
    ;;
esac
