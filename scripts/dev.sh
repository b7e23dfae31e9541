#!/usr/bin/env bash
# Runs Leadflow on this machine: Postgres and a MongoDB-compatible server are used or
# started, migrations applied, and every route served on http://127.0.0.1:3000.
# Data is kept between runs: Postgres in the `leadflow` database, MongoDB under
# .cache/mongo (MONGO_DATA_DIR moves it). `scripts/dev.sh --reset` starts from empty.
# The dashboard is built once into web/dist and served at /; `--web-dev` instead runs
# Vite's dev server on http://127.0.0.1:5173 (hot reload, /api proxied to the server).
# Ctrl-C stops the server and whatever this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/stack.sh
source scripts/lib/web.sh
trap stack_stop EXIT
trap 'exit 130' INT TERM

reset=""
web_dev=""
while [ $# -gt 0 ]; do
  case "$1" in
    --reset) reset=1; shift ;;
    --web-dev) web_dev=1; shift ;;
    *) break ;;
  esac
done
mongo_dir="${MONGO_DATA_DIR:-$STACK_CACHE/mongo}"

command -v cargo >/dev/null || die "cargo is required (https://rustup.rs)"
stack_venv
if [ -n "$reset" ]; then
  [ -z "${DATABASE_URL:-}" ] || die "--reset only clears the data dev.sh keeps; with DATABASE_URL set, reset that database yourself"
  [ -z "${MONGODB_URI:-}" ] || die "--reset only clears the data dev.sh keeps; with MONGODB_URI set, reset that server yourself"
  log "reset: removing $mongo_dir, .cache/pg (if used) and the leadflow database"
  rm -rf "$mongo_dir" "$STACK_CACHE/pg"
fi
if [ -z "${DATABASE_URL:-}" ]; then
  # Without a server on 5432, a cluster of dev.sh's own under .cache/pg, kept like Mongo's data.
  stack_postgres postgres "$STACK_CACHE/pg"
  # A database of its own, so development data stays apart from anything else.
  base="${DATABASE_URL%/*}"
  psql_url="$DATABASE_URL"
  if [ -n "$reset" ] && ! command -v psql >/dev/null; then
    die "--reset needs psql to drop the leadflow database (install postgresql-client)"
  fi
  if command -v psql >/dev/null; then
    [ -z "$reset" ] || psql "$psql_url" -qc "DROP DATABASE IF EXISTS leadflow WITH (FORCE)" >/dev/null
    psql "$psql_url" -tAc "SELECT 1 FROM pg_database WHERE datname = 'leadflow'" | grep -q 1 \
      || psql "$psql_url" -qc "CREATE DATABASE leadflow" >/dev/null
    export DATABASE_URL="$base/leadflow"
  fi
fi
stack_mongo "$mongo_dir"

log "building leadflow"
cargo build --locked --bin leadflow
if [ -n "$web_dev" ]; then
  web_npm
  (cd web && LEADFLOW_BIN="$STACK_ROOT/target/debug/leadflow" npm run --silent gen)
  log "dashboard with hot reload on http://127.0.0.1:5173"
  (cd web && exec node node_modules/vite/bin/vite.js --host 127.0.0.1 --port 5173 --strictPort) &
  STACK_PIDS=("$!" "${STACK_PIDS[@]}")
else
  web_build
  export WEB_DIST_DIR="$STACK_ROOT/web/dist"
fi
log "serving on http://${LEADFLOW_ADDR:-127.0.0.1:3000} (Ctrl-C to stop)"
./target/debug/leadflow serve "$@" &
server=$!
STACK_PIDS=("$server" "${STACK_PIDS[@]}")
wait "$server"
