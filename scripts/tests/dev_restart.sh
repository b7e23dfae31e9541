#!/usr/bin/env bash
# Issue 8, item 10: what scripts/dev.sh stores survives a restart (MongoDB on disk, not in
# memory), and `--reset` starts from empty. Runs dev.sh twice against its own throwaway
# Postgres database and Mongo directory, so a developer's data is never touched.
# Needs the Postgres on DATABASE_URL's server (test.sh provides it).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/stack.sh

: "${DATABASE_URL:?DATABASE_URL must point at a Postgres server}"
if ! command -v psql >/dev/null; then
  log "dev_restart: skipped, psql is not installed"
  exit 0
fi
admin_url="$DATABASE_URL"
db="lf_dev_restart_$$"
data_dir=$(mktemp -d)
port=$(free_port)
api="http://127.0.0.1:$port"
dev_pid=""

cleanup() {
  [ -z "$dev_pid" ] || { kill -TERM "$dev_pid" 2>/dev/null; wait "$dev_pid" 2>/dev/null || true; }
  psql "$admin_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$data_dir"
}
trap cleanup EXIT

start_dev() {
  env -u MONGODB_URI DATABASE_URL="${admin_url%/*}/$db" MONGO_DATA_DIR="$data_dir/mongo" \
    LEADFLOW_ADDR="127.0.0.1:$port" LEADFLOW_API_KEYS="" scripts/dev.sh >"$data_dir/dev.log" 2>&1 &
  dev_pid=$!
  for _ in $(seq 1 300); do
    curl -sf "$api/api/health" >/dev/null 2>&1 && return 0
    kill -0 "$dev_pid" 2>/dev/null || break
    sleep 0.2
  done
  cat "$data_dir/dev.log" >&2
  die "dev.sh did not serve on $api"
}

stop_dev() {
  kill -TERM "$dev_pid"
  wait "$dev_pid" 2>/dev/null || true
  dev_pid=""
}

history_count() {
  curl -sf "$api/api/crm/customers/$1/history" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))'
}

psql "$admin_url" -qc "CREATE DATABASE $db" >/dev/null
# Built first, so the wait for /api/health below never includes a compile.
cargo build --locked --bin leadflow --quiet
start_dev
customer=$(curl -sf -X POST "$api/api/messages/receive" -H 'content-type: application/json' \
  -d '{"channel":"chat","content":"Do you do weekend appointments?","customer":{"name":"Lee","email":"lee@example.com"}}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["customer_id"])')
for _ in $(seq 1 100); do
  [ "$(history_count "$customer")" = 2 ] && break
  sleep 0.1
done
[ "$(history_count "$customer")" = 2 ] || die "the message and its reply were not stored"
stop_dev

start_dev
after=$(history_count "$customer")
stop_dev
[ "$after" = 2 ] || die "after a restart the customer's history has $after messages, expected 2"
log "dev.sh keeps the conversation across a restart"
