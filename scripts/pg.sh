#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for tests and benchmarks (TOOLCHAIN.md).
#   scripts/pg.sh start DIR PORT   -> prints the DATABASE_URL on stdout
#   scripts/pg.sh stop DIR
# The cluster trusts local connections, listens on 127.0.0.1 only and has fsync off:
# it is for tests, never for data you care about.
set -euo pipefail
cmd=${1:?usage: pg.sh start DIR PORT | stop DIR}
dir=${2:?data directory}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "pg.sh: no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)" >&2
  exit 3
fi
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$cmd" in
  start)
    port=${3:?port}
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then
      chown postgres:postgres "$dir"
      # the postgres user must be able to reach DIR through its parents
      if ! runuser -u postgres -- test -x "$dir"; then
        echo "pg.sh: the postgres user cannot reach $dir (a parent folder is private)" >&2
        exit 4
      fi
    fi
    if [ ! -f "$dir/PG_VERSION" ]; then
      if ! as_pg "$bin/initdb" -D "$dir" --auth=trust -U postgres >"$dir.initdb.log" 2>&1; then
        echo "pg.sh: initdb failed:" >&2
        tail -n 5 "$dir.initdb.log" >&2
        exit 5
      fi
    fi
    if ! as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" -w start >/dev/null; then
      echo "pg.sh: the server did not start:" >&2
      tail -n 5 "$dir/server.log" >&2
      exit 6
    fi
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    as_pg "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: pg.sh start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
