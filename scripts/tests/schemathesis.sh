#!/usr/bin/env bash
# Fuzzes the live API from its own OpenAPI document (`/api/openapi.json`) with
# schemathesis: every check, positive and negative data, and the stateful links the
# document declares. Any failure, and any 5xx, fails the step.
# Serves `leadflow serve` on a free port against a throwaway Postgres database and Mongo
# database of the stack test.sh started (DATABASE_URL, MONGODB_URI, AWS_* set).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/stack.sh

: "${DATABASE_URL:?DATABASE_URL must point at a Postgres server}"
: "${MONGODB_URI:?MONGODB_URI must point at a MongoDB server}"
SCHEMATHESIS_VERSION=4.32.5
# About four minutes on two cores; SCHEMATHESIS_EXAMPLES raises it for a deeper run.
EXAMPLES="${SCHEMATHESIS_EXAMPLES:-15}"

if ! "$STACK_VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  log "installing schemathesis $SCHEMATHESIS_VERSION into .cache/venv"
  "$STACK_VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" \
    || die "pip install schemathesis failed"
fi

admin_url="$DATABASE_URL"
db="lf_fuzz_$$"
work=$(mktemp -d)
port=$(free_port)
api="http://127.0.0.1:$port"
key="fuzz-admin-key-$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
server=""

cleanup() {
  [ -z "$server" ] || { kill -TERM "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; }
  if [ -n "${made_db:-}" ]; then
    psql "$admin_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

database_url="$admin_url"
if command -v psql >/dev/null; then
  psql "$admin_url" -qc "CREATE DATABASE $db" >/dev/null
  made_db=1
  database_url="${admin_url%/*}/$db"
fi

cargo build --locked --bin leadflow --quiet
# The fuzzer is one caller making thousands of requests: lift its per-minute limit.
DATABASE_URL="$database_url" MONGODB_DATABASE="$db" LEADFLOW_API_KEYS="$key" LEADFLOW_ADDR="127.0.0.1:$port" \
  RATE_LIMIT_PER_MINUTE=1000000 \
  RUST_LOG="${RUST_LOG:-warn}" ./target/debug/leadflow serve >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do
  curl -sf "$api/api/health" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; die "leadflow serve exited"; }
  sleep 0.2
done
curl -sf "$api/api/health" >/dev/null || { cat "$work/server.log" >&2; die "leadflow did not serve on $api"; }

log "schemathesis run $api/api/openapi.json ($EXAMPLES examples per operation)"
status=0
"$STACK_VENV/bin/schemathesis" --config-file scripts/tests/schemathesis.toml run "$api/api/openapi.json" \
  --checks all \
  --header "Authorization: Bearer $key" \
  --max-examples "$EXAMPLES" \
  --workers 2 \
  --seed "${SCHEMATHESIS_SEED:-1}" \
  --request-timeout 30 \
  --suppress-health-check too_slow,filter_too_much \
  --report junit --report-dir "$work/report" \
  --no-color || status=$?
# A 5xx fails schemathesis's not_a_server_error check; a panic or an error the server
# only logged (a detached task) shows here.
if grep -qE 'ERROR|panicked' "$work/server.log"; then
  log "the server logged errors during the fuzz:"
  grep -E 'ERROR|panicked' "$work/server.log" | tail -n 20 >&2
  status=1
fi
[ "$status" = 0 ] || die "schemathesis found failures (see above)"
log "schemathesis: no failures"
