#!/usr/bin/env bash
# Runs Leadflow on this machine: Postgres and a MongoDB-compatible server are used or
# started, migrations applied, and every route served on http://127.0.0.1:3000.
# Ctrl-C stops the server and whatever this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/stack.sh
trap stack_stop EXIT
trap 'exit 130' INT TERM

command -v cargo >/dev/null || die "cargo is required (https://rustup.rs)"
stack_venv
if [ -z "${DATABASE_URL:-}" ]; then
  stack_postgres postgres
  # A database of its own, so development data stays apart from anything else.
  base="${DATABASE_URL%/*}"
  psql_url="$DATABASE_URL"
  if command -v psql >/dev/null; then
    psql "$psql_url" -tAc "SELECT 1 FROM pg_database WHERE datname = 'leadflow'" | grep -q 1 \
      || psql "$psql_url" -qc "CREATE DATABASE leadflow" >/dev/null
    export DATABASE_URL="$base/leadflow"
  fi
fi
stack_mongo

log "building leadflow"
cargo build --locked --bin leadflow
log "serving on http://${LEADFLOW_ADDR:-127.0.0.1:3000} (Ctrl-C to stop)"
./target/debug/leadflow serve "$@" &
server=$!
STACK_PIDS=("$server" "${STACK_PIDS[@]}")
wait "$server"
