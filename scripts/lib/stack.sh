# Shared by dev.sh, test.sh and bench.sh: bring up what Leadflow needs on this machine,
# remember what we started, and stop exactly that on exit.
#
#   Postgres  DATABASE_URL if set; else 127.0.0.1:5432 if it answers; else a throwaway
#             cluster from the machine's PostgreSQL install under .cache/.
#   MongoDB   MONGODB_URI if set; else SecantusDB (secantusd-py) on a free port.
#   AWS APIs  AWS_ENDPOINT_URL if set; else moto_server on a free port (tests only).

STACK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STACK_CACHE="$STACK_ROOT/.cache"
STACK_VENV="$STACK_CACHE/venv"
STACK_DEPLOY_VENV="$STACK_CACHE/venv-deploy"
STACK_RUN="$STACK_CACHE/run"
STACK_PIDS=()
STACK_PG_DIR=""

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  local port=$1 what=$2 logfile=$3
  for _ in $(seq 1 150); do
    port_open "$port" && return 0
    sleep 0.2
  done
  [ -n "$logfile" ] && tail -n 30 "$logfile" >&2
  die "$what did not start on port $port"
}

stack_venv() {
  local req="$STACK_ROOT/scripts/requirements-dev.txt" stamp="$STACK_VENV/.requirements"
  if [ -x "$STACK_VENV/bin/python" ] && cmp -s "$req" "$stamp"; then return 0; fi
  command -v python3 >/dev/null || die "python3 is required (for SecantusDB, moto and cfn-lint)"
  log "installing the Python tools into .cache/venv"
  mkdir -p "$STACK_CACHE"
  python3 -m venv "$STACK_VENV" || die "cannot create a virtualenv (install python3-venv)"
  "$STACK_VENV/bin/pip" install --quiet --disable-pip-version-check -r "$req" || die "pip install failed"
  cp "$req" "$stamp"
}

# The template tools (SAM CLI, cfn-lint, checkov) in a venv of their own: checkov pins
# versions of shared packages that the test stack's tools do not accept.
stack_deploy_venv() {
  local req="$STACK_ROOT/scripts/requirements-deploy.txt" stamp="$STACK_DEPLOY_VENV/.requirements"
  if [ -x "$STACK_DEPLOY_VENV/bin/python" ] && cmp -s "$req" "$stamp"; then return 0; fi
  command -v python3 >/dev/null || die "python3 is required (for the SAM CLI, cfn-lint and checkov)"
  log "installing the template tools into .cache/venv-deploy (SAM CLI, cfn-lint, checkov)"
  mkdir -p "$STACK_CACHE"
  python3 -m venv "$STACK_DEPLOY_VENV" || die "cannot create a virtualenv (install python3-venv)"
  "$STACK_DEPLOY_VENV/bin/pip" install --quiet --disable-pip-version-check -r "$req" || die "pip install failed"
  cp "$req" "$stamp"
}

# stack_postgres DB [DIR]: a cluster started here keeps its data in DIR (reused next time),
# or in a throwaway directory removed on exit without one.
stack_postgres() {
  if [ -n "${DATABASE_URL:-}" ]; then
    log "Postgres: using DATABASE_URL"
    return 0
  fi
  if port_open 5432; then
    export DATABASE_URL="postgres://${PGUSER:-postgres}@127.0.0.1:5432/${1:-postgres}"
    log "Postgres: using the server on 127.0.0.1:5432"
    return 0
  fi
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$bin" ] || bin=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")
  [ -x "$bin/initdb" ] || die "no Postgres answers on 127.0.0.1:5432 and no PostgreSQL install was found; set DATABASE_URL"
  local port; port=$(free_port)
  if [ -n "${2:-}" ]; then
    STACK_PG_DIR="$2"
    STACK_PG_KEEP=1
  else
    STACK_PG_DIR="$STACK_RUN/pg-$$"
  fi
  mkdir -p "$STACK_PG_DIR"
  local as=()
  if [ "$(id -u)" = 0 ]; then
    chown -R postgres "$STACK_PG_DIR" 2>/dev/null || die "running as root needs a postgres user to run the database"
    as=(runuser -u postgres --)
  fi
  log "Postgres: starting a cluster in $STACK_PG_DIR on port $port"
  if [ ! -f "$STACK_PG_DIR/data/PG_VERSION" ]; then
    "${as[@]}" "$bin/initdb" -D "$STACK_PG_DIR/data" -U postgres -A trust >"$STACK_PG_DIR/initdb.log" 2>&1 \
      || { cat "$STACK_PG_DIR/initdb.log" >&2; die "initdb failed"; }
  fi
  "${as[@]}" "$bin/pg_ctl" -D "$STACK_PG_DIR/data" -l "$STACK_PG_DIR/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $STACK_PG_DIR -c fsync=off" start >/dev/null \
    || { cat "$STACK_PG_DIR/server.log" >&2; die "Postgres did not start"; }
  STACK_PG_CTL=("${as[@]}" "$bin/pg_ctl" -D "$STACK_PG_DIR/data" -m fast stop)
  export DATABASE_URL="postgres://postgres@127.0.0.1:$port/${1:-postgres}"
}

# stack_mongo [dir]: data kept in dir (created if missing), or in memory without one.
stack_mongo() {
  if [ -n "${MONGODB_URI:-}" ]; then
    log "MongoDB: using MONGODB_URI"
    return 0
  fi
  local port storage=":memory:"; port=$(free_port)
  mkdir -p "$STACK_RUN"
  if [ -n "${1:-}" ]; then
    storage="$1"
    mkdir -p "$storage"
  fi
  log "MongoDB: starting SecantusDB on port $port (data: $storage)"
  "$STACK_VENV/bin/secantusd-py" --host 127.0.0.1 --port "$port" --storage-path "$storage" --log-level WARNING \
    >"$STACK_RUN/secantus-$$.log" 2>&1 &
  STACK_PIDS+=($!)
  wait_port "$port" SecantusDB "$STACK_RUN/secantus-$$.log"
  export MONGODB_URI="mongodb://127.0.0.1:$port/?directConnection=true"
}

stack_moto() {
  if [ -n "${AWS_ENDPOINT_URL:-}" ]; then
    log "AWS: using AWS_ENDPOINT_URL"
  else
    local port; port=$(free_port)
    mkdir -p "$STACK_RUN"
    log "AWS: starting moto on port $port"
    "$STACK_VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$STACK_RUN/moto-$$.log" 2>&1 &
    STACK_PIDS+=($!)
    wait_port "$port" moto "$STACK_RUN/moto-$$.log"
    export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
  fi
  export AWS_REGION="${AWS_REGION:-us-east-1}"
  export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-testing}"
  export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-testing}"
}

stack_stop() {
  local pid
  for pid in "${STACK_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${STACK_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  STACK_PIDS=()
  if [ -n "$STACK_PG_DIR" ]; then
    "${STACK_PG_CTL[@]}" >/dev/null 2>&1 || true
    [ -n "${STACK_PG_KEEP:-}" ] || rm -rf "$STACK_PG_DIR"
    STACK_PG_DIR=""
  fi
}
