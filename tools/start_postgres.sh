#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on this machine for the tests and prints its URL.
# Installs Debian's postgresql if missing. PostgreSQL refuses to run as root, so the cluster
# belongs to the `postgres` user. Usage: eval "$(tools/start_postgres.sh)"  (exports TEST_DATABASE_URL)
set -euo pipefail
PORT=${PGPORT_TEST:-55432}
DATA=${PGDATA_TEST:-/tmp/voice-pg-$PORT}
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  echo "Installing PostgreSQL from Debian's packages..." >&2
  apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2
fi
BIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -1)")
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ ! -s "$DATA/PG_VERSION" ]; then
  mkdir -p "$DATA"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$DATA"
  as_pg "$BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi
if ! as_pg "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  as_pg "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w \
    -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >&2
fi
for db in voice_test voice_bench; do
  as_pg "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 \
    || as_pg "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$db"
done
echo "export TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:$PORT/voice_test"
echo "export BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:$PORT/voice_bench"
echo "export PG_BIN=$BIN PG_DATA=$DATA PG_PORT=$PORT"
