#!/usr/bin/env bash
# The local Innoscope stack: a throwaway PostgreSQL 15 and the four services,
# all on free loopback ports, nothing installed as a system service.
#
#   deploy/local/stack.sh start      PostgreSQL + ingest, weighting, scoring, network
#   deploy/local/stack.sh start --tls  the same with mutual TLS and an auth file:
#                        a CA and certificates under <stack>/tls (deploy/local/certs.sh),
#                        the CLI's certificate in addresses.env (docs/security.md)
#   deploy/local/stack.sh stop       stop everything this stack started
#   deploy/local/stack.sh status     what is running
#   deploy/local/stack.sh restart
#   deploy/local/stack.sh pg-start   PostgreSQL only (used by the test fixtures)
#   deploy/local/stack.sh pg-stop
#   deploy/local/stack.sh reset      stop and delete the stack's data
#
# Environment:
#   INNOSCOPE_STACK_DIR  state folder (default: <checkout>/.local/stack); it
#                        holds pg/ (the data directory), logs, pid files and
#                        addresses.env, which the CLI and tests read.
#   INNOSCOPE_BUILD_DIR  where the service binaries were built (default: <checkout>/build)
#   INNOSCOPE_STACK_TLS  1: start and restart as with --tls
#   INNOSCOPE_PG_OPTIONS extra PostgreSQL server options appended at pg-start,
#                        e.g. "-c shared_preload_libraries=pg_stat_statements"
#                        (bench/ingest/run.sh PROFILE=1)
#   INNOSCOPE_PGBOUNCER  1: pg-start also starts Debian's PgBouncer in transaction
#                        pooling mode in front of PostgreSQL, and pg.env hands out
#                        PgBouncer's port (INNOSCOPE_PG_SERVER_PORT: PostgreSQL's);
#                        deploy/test.sh runs the pg tests through it once
#                        (docs/operations.md, "PgBouncer"). pg-stop stops both.
#
# pg-start creates one PostgreSQL role per deployable, each owning only its
# schema (deploy/sql/database_roles.sql), and every service runs as its own:
# pg.env and addresses.env hold INNOSCOPE_<NAME>_DATABASE_URL per deployable
# and DATABASE_URL, the administrator's (docs/operations.md, "Database roles").
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STACK_DIR="${INNOSCOPE_STACK_DIR:-$ROOT/.local/stack}"
mkdir -p "$STACK_DIR"
STACK_DIR="$(cd "$STACK_DIR" && pwd)"  # absolute: the server runs as another user
BUILD_DIR="${INNOSCOPE_BUILD_DIR:-$ROOT/build}"
PG_BIN="${INNOSCOPE_PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_DIR="$STACK_DIR/pg"
ADDRESSES="$STACK_DIR/addresses.env"
PG_ENV="$STACK_DIR/pg.env"
SERVICES=(ingest weighting scoring network)
TLS_DIR="$STACK_DIR/tls"
TLS="${INNOSCOPE_STACK_TLS:-0}"
# Each has a PostgreSQL role of its own (deploy/sql/database_roles.sql).
DEPLOYABLES=(ingest weighting scoring network recompute)

say() { echo "stack: $*"; }
die() { echo "stack: error: $*" >&2; exit 1; }

# Runs a PostgreSQL binary as an unprivileged user: the server refuses root.
pg_run() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# A free TCP port on loopback: random in 20000-59999, checked by connecting.
# Drawn below the kernel's ephemeral range (ip_local_port_range), from which
# every process bound to port 0 (the services the tests start) and every
# outgoing connection take theirs: a port drawn inside it could be taken
# between this check and PostgreSQL's bind.
free_port() {
  local port low=32768 span
  if [ -r /proc/sys/net/ipv4/ip_local_port_range ]; then
    read -r low _ </proc/sys/net/ipv4/ip_local_port_range
  fi
  span=$(( low - 10000 ))
  [ "$span" -ge 1000 ] || span=1000
  for _ in $(seq 1 200); do
    port=$(( 10000 + (RANDOM * 32768 + RANDOM) % span ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  die "no free port found on 127.0.0.1"
}

pg_running() {
  [ -f "$PG_DIR/data/postmaster.pid" ] && pg_run "$PG_BIN/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1
}

# When running as root, the postgres user must be able to reach the data
# directory inside the checkout: grant traversal (x) on parents that lack it.
grant_traversal() {
  [ "$(id -u)" -eq 0 ] || return 0
  id postgres >/dev/null 2>&1 || die "user 'postgres' missing; run deploy/install-deps.sh"
  local dir="$1"
  while [ "$dir" != "/" ]; do
    if ! runuser -u postgres -- test -x "$dir" 2>/dev/null; then
      say "granting traversal of $dir to the postgres user"
      chmod o+x "$dir"
    fi
    dir="$(dirname "$dir")"
  done
}

# A postmaster killed with SIGKILL stays a zombie where nobody reaps it (a
# container's or VM's init may not), and pg_ctl and postgres take a zombie
# for a running server: drop the lock files (data directory and socket) of
# a dead or zombie postmaster.
pg_clear_stale_lock() {
  local lock pid state
  for lock in "$PG_DIR/data/postmaster.pid" "$PG_DIR"/.s.PGSQL.*.lock; do
    [ -f "$lock" ] || continue
    pid=$(head -1 "$lock")
    state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)
    if [ -z "$state" ] || [ "$state" = Z ]; then
      say "removing $(basename "$lock") of PostgreSQL $pid, which is dead"
      rm -f "$lock" "${lock%.lock}"
    fi
  done
}

pg_start() {
  mkdir -p "$STACK_DIR"
  pg_clear_stale_lock
  if pg_running; then
    say "PostgreSQL already running ($(grep ^DATABASE_URL "$PG_ENV" | cut -d= -f2-))"
    # A stack made before the per-deployable roles gets them now.
    grep -q '^INNOSCOPE_RECOMPUTE_DATABASE_URL=' "$PG_ENV" \
      || pg_prepare "$(pg_server_port)"
    if [ "${INNOSCOPE_PGBOUNCER:-0}" = 1 ] && ! pgbouncer_running; then
      pgbouncer_start "$(pg_server_port)"
    fi
    return 0
  fi
  [ -x "$PG_BIN/initdb" ] || die "PostgreSQL 15 not found in $PG_BIN; run deploy/install-deps.sh"
  mkdir -p "$PG_DIR"
  grant_traversal "$STACK_DIR"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$PG_DIR"
  if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
    say "initialising PostgreSQL data directory $PG_DIR/data"
    pg_run "$PG_BIN/initdb" -D "$PG_DIR/data" -U innoscope --auth=trust -E UTF8 \
      --no-locale >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; die "initdb failed"; }
  fi
  # Reuse the previous port when it is free, so a restarted PostgreSQL is
  # found again by services already configured with its address.
  local port=""
  if [ -f "$PG_ENV" ]; then
    port=$(pg_server_port)
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then port=""; fi
  fi
  local attempt
  for attempt in 1 2 3; do
    [ -n "$port" ] || port=$(free_port)
    # A throwaway development database: durability is traded for speed.
    if pg_run "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
      -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300 \
          -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
          ${INNOSCOPE_PG_OPTIONS:-}" start >/dev/null; then
      break
    fi
    # Another process bound the port first: draw another one.
    if [ "$attempt" -lt 3 ] && tail -5 "$PG_DIR/server.log" | grep -q "Address already in use"; then
      say "port $port was taken meanwhile; trying another"
      port=""
      continue
    fi
    tail -20 "$PG_DIR/server.log" >&2
    die "PostgreSQL did not start (log: $PG_DIR/server.log)"
  done
  pg_prepare "$port"
  say "PostgreSQL 15 on 127.0.0.1:$port (data: $PG_DIR/data)"
  if [ "${INNOSCOPE_PGBOUNCER:-0}" = 1 ]; then pgbouncer_start "$port"; fi
}

# PostgreSQL's own port (pg.env's INNOSCOPE_PG_PORT is PgBouncer's when it runs).
pg_server_port() {
  if grep -q '^INNOSCOPE_PG_SERVER_PORT=' "$PG_ENV"; then
    grep '^INNOSCOPE_PG_SERVER_PORT=' "$PG_ENV" | cut -d= -f2
  else
    grep '^INNOSCOPE_PG_PORT=' "$PG_ENV" | cut -d= -f2
  fi
}

PGB_DIR="$STACK_DIR/pgbouncer"
pgbouncer_running() {
  [ -f "$PGB_DIR/pgbouncer.pid" ] && kill -0 "$(cat "$PGB_DIR/pgbouncer.pid")" 2>/dev/null
}

# PgBouncer in transaction pooling mode in front of the server at port $1:
# every database, each role with the trust the server gives on loopback
# (roles listed in its auth file); then pg.env points at it.
pgbouncer_start() {
  local server_port="$1" port
  command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] \
    || die "pgbouncer not found; run deploy/install-deps.sh"
  mkdir -p "$PGB_DIR"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$PGB_DIR"
  port=$(free_port)
  {
    echo '"innoscope" ""'
    local name
    for name in "${DEPLOYABLES[@]}"; do echo "\"innoscope_$name\" \"\""; done
  } >"$PGB_DIR/userlist.txt"
  cat >"$PGB_DIR/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=$server_port

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $PGB_DIR/userlist.txt
pool_mode = transaction
max_client_conn = 2000
default_pool_size = 20
; test databases come and go: do not keep their server connections around
server_idle_timeout = 5
logfile = $PGB_DIR/pgbouncer.log
pidfile = $PGB_DIR/pgbouncer.pid
INI
  pg_run "$(command -v pgbouncer || echo /usr/sbin/pgbouncer)" -d "$PGB_DIR/pgbouncer.ini" \
    || die "PgBouncer did not start (log: $PGB_DIR/pgbouncer.log)"
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
  pg_prepare "$server_port" "$port"
  say "PgBouncer $(pgbouncer --version 2>/dev/null | head -1 | awk '{print $2}') (transaction pooling) on 127.0.0.1:$port"
}

pgbouncer_stop() {
  if pgbouncer_running; then
    kill -TERM "$(cat "$PGB_DIR/pgbouncer.pid")"
    for _ in $(seq 1 50); do pgbouncer_running || break; sleep 0.1; done
    say "PgBouncer stopped"
  fi
  rm -f "$PGB_DIR/pgbouncer.pid"
}

# The database, its roles and pg.env, on the running server at port $1;
# pg.env hands out port $2 (PgBouncer's) when given, else $1.
pg_prepare() {
  local port="$1" public_port="${2:-$1}"
  "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U innoscope -d postgres -qtAc \
    "SELECT 1 FROM pg_database WHERE datname='innoscope'" | grep -q 1 \
    || "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U innoscope innoscope
  # One role per deployable, each owning only its schema (docs/operations.md,
  # "Database roles"); DATABASE_URL stays the administrator's (psql, tests).
  "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U innoscope -d innoscope -qtA -v ON_ERROR_STOP=1 \
    -f "$ROOT/deploy/sql/database_roles.sql" >"$PG_DIR/roles.log" 2>&1 \
    || { cat "$PG_DIR/roles.log" >&2; die "creating the database roles failed"; }
  {
    echo "# Written by deploy/local/stack.sh pg-start"
    echo "INNOSCOPE_PG_PORT=$public_port"
    echo "INNOSCOPE_PG_SERVER_PORT=$port"
    echo "INNOSCOPE_PG_BIN=$PG_BIN"
    echo "DATABASE_URL=postgresql://innoscope@127.0.0.1:$public_port/innoscope"
    local name
    for name in "${DEPLOYABLES[@]}"; do
      echo "INNOSCOPE_$(echo "$name" | tr a-z A-Z)_DATABASE_URL=postgresql://innoscope_$name@127.0.0.1:$public_port/innoscope"
    done
  } >"$PG_ENV"
}

pg_stop() {
  pgbouncer_stop
  if pg_running; then
    pg_run "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null
    say "PostgreSQL stopped"
  fi
}

# Starts one service on ephemeral ports and waits for its address lines.
start_service() {
  local name="$1"; shift
  local bin="$BUILD_DIR/services/$name/innoscope-$name"
  [ -x "$bin" ] || die "$bin not built; run: cmake -S $ROOT -B $BUILD_DIR -G Ninja && ninja -C $BUILD_DIR"
  local out="$STACK_DIR/$name.out" log="$STACK_DIR/$name.log"
  : >"$out"
  local security=(--reflection --health_address=127.0.0.1:0)
  if [ "$TLS" = 1 ]; then
    # Mutual TLS; the service's certificate also identifies it to upstreams.
    security+=(--tls_cert_file="$TLS_DIR/$name.crt" --tls_key_file="$TLS_DIR/$name.key"
               --tls_client_ca_file="$TLS_DIR/ca.crt" --tls_ca_file="$TLS_DIR/ca.crt"
               --auth_file="$TLS_DIR/auth.csv")
  fi
  local upper_name
  upper_name=$(echo "$name" | tr a-z A-Z)
  DATABASE_URL="$(grep "^INNOSCOPE_${upper_name}_DATABASE_URL=" "$PG_ENV" | cut -d= -f2-)" \
    setsid "$bin" --grpc_address=127.0.0.1:0 --metrics_address=127.0.0.1:0 \
      --drain_seconds=0.5 "${security[@]}" "$@" >"$out" 2>"$log" </dev/null &
  echo $! >"$STACK_DIR/$name.pid"
  for _ in $(seq 1 600); do
    if grep -q '^metrics_address=' "$out"; then
      local grpc metrics
      grpc=$(grep '^grpc_address=' "$out" | cut -d= -f2)
      metrics=$(grep '^metrics_address=' "$out" | cut -d= -f2)
      local upper
      upper=$(echo "$name" | tr a-z A-Z)
      echo "INNOSCOPE_${upper}_ADDRESS=$grpc" >>"$ADDRESSES.tmp"
      echo "INNOSCOPE_${upper}_METRICS_ADDRESS=$metrics" >>"$ADDRESSES.tmp"
      echo "INNOSCOPE_${upper}_HEALTH_ADDRESS=$(grep '^health_address=' "$out" | cut -d= -f2)" \
        >>"$ADDRESSES.tmp"
      say "$name serving gRPC on $grpc, metrics on $metrics"
      eval "ADDR_$name=$grpc"
      return 0
    fi
    if ! kill -0 "$(cat "$STACK_DIR/$name.pid")" 2>/dev/null; then
      tail -20 "$log" >&2
      die "$name exited during start-up (log: $log)"
    fi
    sleep 0.1
  done
  die "$name did not report its address within 60 s (log: $log)"
}

services_stop() {
  local name pid
  for name in "${SERVICES[@]}"; do
    [ -f "$STACK_DIR/$name.pid" ] || continue
    pid=$(cat "$STACK_DIR/$name.pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; say "$name killed after 30 s"; else say "$name stopped"; fi
    fi
    rm -f "$STACK_DIR/$name.pid"
  done
  rm -f "$ADDRESSES"
}

# The CA, one certificate per workload (SPIFFE URI SAN
# spiffe://innoscope/<name>) and the auth file granting each the least role
# it needs: weighting reads ingest; scoring reads ingest and computes weight
# sets in weighting (writer); network writes the indicators it derives into
# ingest (writer); the recompute job publishes (operator); the CLI is the
# local operator's (admin).
tls_setup() {
  "$ROOT/deploy/local/certs.sh" stack "$TLS_DIR" "${SERVICES[@]}" recompute cli
  cat >"$TLS_DIR/auth.csv" <<CSV
identity,role
san:spiffe://innoscope/weighting,reader
san:spiffe://innoscope/scoring,writer
san:spiffe://innoscope/network,writer
san:spiffe://innoscope/recompute,operator
san:spiffe://innoscope/cli,admin
CSV
  say "mutual TLS: CA and certificates in $TLS_DIR, roles in $TLS_DIR/auth.csv"
}

start() {
  pg_start
  services_stop
  rm -f "$ADDRESSES.tmp"
  {
    echo "# Written by deploy/local/stack.sh start; read by the innoscope CLI and tests."
    cat "$PG_ENV" | grep -v '^#'
  } >"$ADDRESSES.tmp"
  if [ "$TLS" = 1 ]; then
    tls_setup
    # The CLI's and the recompute job's credentials (flags win over these).
    {
      echo "INNOSCOPE_STACK_TLS=1"
      echo "INNOSCOPE_TLS_CA_FILE=$TLS_DIR/ca.crt"
      echo "INNOSCOPE_TLS_CERT_FILE=$TLS_DIR/cli.crt"
      echo "INNOSCOPE_TLS_KEY_FILE=$TLS_DIR/cli.key"
    } >>"$ADDRESSES.tmp"
  fi
  start_service ingest
  start_service weighting --ingest_address="$ADDR_ingest"
  start_service network --ingest_address="$ADDR_ingest"
  start_service scoring --ingest_address="$ADDR_ingest" --weighting_address="$ADDR_weighting"
  mv "$ADDRESSES.tmp" "$ADDRESSES"
  say "addresses written to $ADDRESSES"
}

status() {
  local name pid
  if pg_running; then say "PostgreSQL: running ($(grep ^DATABASE_URL "$PG_ENV" | cut -d= -f2-))"; else say "PostgreSQL: stopped"; fi
  for name in "${SERVICES[@]}"; do
    if [ -f "$STACK_DIR/$name.pid" ] && kill -0 "$(cat "$STACK_DIR/$name.pid")" 2>/dev/null; then
      say "$name: running (pid $(cat "$STACK_DIR/$name.pid"))"
    else
      say "$name: stopped"
    fi
  done
}

if [ "${2:-}" = "--tls" ]; then TLS=1; fi
case "${1:-}" in
  start) start ;;
  stop) services_stop; pg_stop ;;
  restart) services_stop; start ;;
  status) status ;;
  pg-start) pg_start ;;
  pg-stop) pg_stop ;;
  reset) services_stop; pg_stop; rm -rf "$STACK_DIR"; say "removed $STACK_DIR" ;;
  *) sed -n '2,34p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
