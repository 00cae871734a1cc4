#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster on 127.0.0.1 for the postgres test suite
# and the propagation benchmark. No systemd; initdb refuses root, so as root
# every server command runs as the `postgres` user (runuser).
#
#   pg_cluster.sh start DIR [PORT|auto]  fresh cluster (any old one in DIR is
#                                        stopped and wiped), database sorights_test;
#                                        prints the conninfo and writes it to DIR/conninfo
#   pg_cluster.sh stop DIR               stop and delete the cluster
#   pg_cluster.sh down DIR               stop the server, keep the data (restart tests)
#   pg_cluster.sh up DIR                 start it again on the same port
#
# DIR only holds small state files (conninfo, port, pgdata); the data
# directory itself lives under /tmp so that the postgres user can reach it
# whatever the permissions of DIR's parents.
set -euo pipefail

cmd=${1:?usage: pg_cluster.sh start|stop|down|up DIR [PORT|auto]}
dir=${2:?usage: pg_cluster.sh start|stop|down|up DIR [PORT|auto]}
PGBIN=${PGBIN:-}
if [ -z "$PGBIN" ]; then
  for v in 17 16 15 14 13; do
    if [ -x "/usr/lib/postgresql/$v/bin/initdb" ]; then PGBIN=/usr/lib/postgresql/$v/bin; break; fi
  done
fi
if [ -z "$PGBIN" ] && command -v initdb >/dev/null; then PGBIN=$(dirname "$(command -v initdb)"); fi
if [ -z "$PGBIN" ]; then
  echo "pg_cluster.sh: no PostgreSQL server binaries (apt-get install postgresql)" >&2
  exit 1
fi

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 - <<'EOF' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

server_start() {
  local pgdata=$1 port=$2
  as_pg "$PGBIN/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k /tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
}

server_stop() {
  local pgdata=$1 mode=${2:-fast}
  if [ -f "$pgdata/postmaster.pid" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$pgdata" -m "$mode" -w -t 30 stop >/dev/null || true
  fi
}

case "$cmd" in
  start)
    port=${3:-auto}
    mkdir -p "$dir"
    if [ -f "$dir/pgdata" ]; then
      old=$(cat "$dir/pgdata")
      server_stop "$old" immediate
      rm -rf "$old"
    fi
    [ "$port" = auto ] && port=$(free_port)
    pgdata=$(mktemp -d /tmp/sorights-pg.XXXXXX)
    if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$pgdata"; fi
    chmod 700 "$pgdata"
    as_pg "$PGBIN/initdb" -D "$pgdata" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
    echo "$pgdata" >"$dir/pgdata"
    echo "$port" >"$dir/port"
    server_start "$pgdata" "$port"
    "$PGBIN/psql" "host=127.0.0.1 port=$port user=postgres dbname=postgres" -Atqc "CREATE DATABASE sorights_test" >/dev/null
    conninfo="host=127.0.0.1 port=$port user=postgres dbname=sorights_test connect_timeout=5"
    echo "$conninfo" >"$dir/conninfo"
    echo "$conninfo"
    ;;
  stop)
    if [ -f "$dir/pgdata" ]; then
      pgdata=$(cat "$dir/pgdata")
      server_stop "$pgdata" immediate
      rm -rf "$pgdata"
      rm -f "$dir/pgdata" "$dir/port" "$dir/conninfo"
    fi
    ;;
  down)
    server_stop "$(cat "$dir/pgdata")" fast
    ;;
  up)
    server_start "$(cat "$dir/pgdata")" "$(cat "$dir/port")"
    ;;
  *)
    echo "pg_cluster.sh: unknown command $cmd" >&2
    exit 2
    ;;
esac
