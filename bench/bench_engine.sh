# Shared by the benchmarks that measure both warehouse engines side by side
# (source it; it does nothing on its own). ENGINE picks the engine:
#
#   ENGINE=sqlite     (the default) a database file, as before
#   ENGINE=postgres   a throwaway PostgreSQL server started by
#                     scripts/postgres-test-server.sh for this run and stopped
#                     by bench_engine_stop, which the caller runs from its EXIT
#                     trap (so also when the run fails or is interrupted)
#
# The server keeps PostgreSQL's durability on, as Debian's postgresql.conf
# ships it (fsync, synchronous_commit, full_page_writes on; shared_buffers
# 128MB, work_mem 4MB, max_wal_size 1GB): the test server's fsync=off would
# flatter every write. Variables a caller may set:
#   BENCH_PG_DURABLE=0    the test server's settings instead (durability off)
#   BENCH_PG_SETTINGS     more server settings, e.g. "-c shared_buffers=2GB"
# The password stays in the server folder's `password` file (mode 600): the
# configs name that file, and psql gets it through PGPASSFILE, never argv.

ENGINE=${ENGINE:-sqlite}
BENCH_PG_DIR=""
BENCH_PG_URL=""
# BENCH_NICE: bench_prioritise (bench_priority.sh) for the scripts that do not
# use bench_lib.sh; bench_engine_stop puts the old priority back.
# shellcheck source=bench/bench_priority.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench_priority.sh"

bench_engine_check() {
  case "$ENGINE" in
    sqlite | postgres) ;;
    *) echo "bench: ENGINE must be sqlite or postgres, not '$ENGINE'" >&2; exit 2 ;;
  esac
}

# bench_engine_start DIR: on PostgreSQL, starts the server with its files in
# DIR and sets BENCH_PG_URL; on SQLite, does nothing.
bench_engine_start() {
  bench_engine_check
  [ "$ENGINE" = postgres ] || return 0
  BENCH_PG_DIR=$1
  SILVERWORK_PG_DURABLE=${BENCH_PG_DURABLE:-1} SILVERWORK_PG_SETTINGS=${BENCH_PG_SETTINGS:-} \
    scripts/postgres-test-server.sh start "$BENCH_PG_DIR" >/dev/null
  BENCH_PG_URL=$(cat "$BENCH_PG_DIR/url")
  # host:port:database:user:password, for psql (bench_psql) only.
  (umask 077 && printf '*:*:*:*:%s\n' "$(cat "$BENCH_PG_DIR/password")" >"$BENCH_PG_DIR/pgpass")
  echo "engine: postgres $(bench_psql -Atc "SHOW server_version"), server settings:" \
    "$(bench_psql -Atc "SELECT string_agg(name || '=' || current_setting(name), ' ' ORDER BY name)
        FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes',
        'shared_buffers', 'work_mem', 'maintenance_work_mem', 'max_wal_size', 'wal_level')")"
}

bench_engine_stop() {
  bench_restore_priority
  [ -n "$BENCH_PG_DIR" ] || return 0
  scripts/postgres-test-server.sh stop "$BENCH_PG_DIR" >/dev/null 2>&1 || true
  rm -f "$BENCH_PG_DIR/pgpass"
  BENCH_PG_DIR=""
}

# psql on the benchmark's server (arguments are psql's).
bench_psql() {
  PGPASSFILE="$BENCH_PG_DIR/pgpass" psql -X -q "$BENCH_PG_URL" "$@"
}

# bench_engine_warehouse_toml SQLITE_PATH: the [warehouse] table of a config,
# the SQLite file at SQLITE_PATH or the benchmark's server.
bench_engine_warehouse_toml() {
  if [ "$ENGINE" = postgres ]; then
    printf '[warehouse]\nengine = "postgres"\nurl = "%s"\npassword_file = "%s"\n' \
      "$BENCH_PG_URL" "$BENCH_PG_DIR/password"
  else
    printf '[warehouse]\npath = "%s"\n' "$1"
  fi
}

# bench_engine_fixture_flags SQLITE_PATH: the warehouse flags of
# bench/make_raw_fixture and serve_fixture, in the array FIXTURE_FLAGS.
bench_engine_fixture_flags() {
  if [ "$ENGINE" = postgres ]; then
    FIXTURE_FLAGS=(--engine postgres --password-file "$BENCH_PG_DIR/password")
    FIXTURE_LOCATION=$BENCH_PG_URL
  else
    FIXTURE_FLAGS=()
    FIXTURE_LOCATION=$1
  fi
}
