#!/usr/bin/env bash
# Measures Leadflow's release builds and writes BENCHMARKS.md:
#   - binary size of the api-crm Lambda and of `leadflow`, per opt-level
#   - start-up to first healthy answer of `leadflow serve` (a proxy for Lambda init)
#   - throughput and latency of the customer routes under wrk, and the server's memory
#   - time from POST /api/messages/receive to the reply in the history (rules engine, local worker)
#   - open slots for 14 days with 500 bookings, in process (p50/p99), and booking creation under wrk
#   - follow-ups: 100,000 due claimed and queued by one dispatch; the send job's throughput
#     against a loopback fake of Twilio's Messages API
#   - what checking the caller adds to a request (bootstrap key, managed key, access token), in process
#   - outbound webhooks: 10,000 events fanned out to 3 loopback endpoints, deliveries/s
#   - the dashboard's initial JavaScript and the chat widget, gzipped (web/dist)
#   - analytics: 100,000 messages of 10,000 leads; full and incremental rollup refresh, and
#     the summary's p50/p99 in process
#
#   scripts/bench.sh                  opt-levels 3, s and z (three release builds)
#   OPT_LEVELS="3" scripts/bench.sh   just one
# Needs wrk (apt-get install wrk). Numbers depend on the machine; compare within a run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/stack.sh
source scripts/lib/web.sh
trap 'stack_stop; [ -n "${server:-}" ] && kill "$server" 2>/dev/null; true' EXIT
trap 'exit 130' INT TERM

command -v wrk >/dev/null || die "wrk is required: apt-get install wrk"
OPT_LEVELS="${OPT_LEVELS:-3 s z}"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-16}"

stack_venv
stack_postgres postgres
admin_url="$DATABASE_URL"
stack_mongo

results=()
availability=()
follow_ups=()
auth=()
webhooks=()
analytics=()
for level in $OPT_LEVELS; do
  target="target/bench-opt-$level"
  log "release build, opt-level=$level"
  CARGO_PROFILE_RELEASE_OPT_LEVEL="$level" cargo build --release --locked --target-dir "$target" \
    -p api-crm -p leadflow-local >/dev/null
  size_lambda=$(stat -c %s "$target/release/api-crm")
  size_local=$(stat -c %s "$target/release/leadflow")

  db="lf_bench_$level"
  psql "$admin_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
  port=$(free_port)
  # Starts the server; sets $server and $started_ms (exec to first healthy answer).
  start_server() {
    local start_ns; start_ns=$(date +%s%N)
    DATABASE_URL="${admin_url%/*}/$db" MONGODB_DATABASE="$db" RUST_LOG=warn RECEIVE_RATE_LIMIT=100000 CHAT_SESSION_RATE_LIMIT=100000 RATE_LIMIT_PER_MINUTE=1000000 \
      "$target/release/leadflow" serve --addr "127.0.0.1:$port" &
    server=$!
    until curl -fs "http://127.0.0.1:$port/api/health" >/dev/null 2>&1; do sleep 0.005; done
    started_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
  }
  start_server
  ready_ms=$started_ms
  # Second start against the migrated database: the steady-state cold start.
  kill "$server"; wait "$server" 2>/dev/null || true
  start_server
  warm_ready_ms=$started_ms

  base="http://127.0.0.1:$port"
  for i in $(seq 1 200); do
    curl -fs -XPOST "$base/api/crm/customers" -H 'content-type: application/json' \
      -d "{\"name\":\"Seed $i\",\"email\":\"seed$i@example.com\"}" >/dev/null
  done
  id=$(curl -fs "$base/api/crm/customers?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')

  run_wrk() { # name, then wrk arguments
    local name=$1; shift
    local out rps p50 p99
    out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$@")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1=="50%" {print $2}' <<<"$out")
    p99=$(awk '$1=="99%" {print $2}' <<<"$out")
    errors=$(awk '/Non-2xx/ {print $5}' <<<"$out")
    results+=("| $level | $name | ${rps} | ${p50} | ${p99} | ${errors:-0} |")
  }
  log "load: opt-level=$level"
  run_wrk "GET /api/crm/customers/{id}" "$base/api/crm/customers/$id"
  run_wrk "GET /api/crm/customers?limit=50" "$base/api/crm/customers?limit=50"
  run_wrk "POST /api/crm/customers" -s scripts/bench/create-customer.lua "$base"
  run_wrk "GET /api/health" "$base/api/health"
  # Bookings: a calendar open round the clock with five-minute meetings, so every request
  # of the run takes its own free slot (each is checked and inserted under the host lock).
  curl -fs -X PUT "$base/api/settings" -H 'content-type: application/json' -d '{
    "business_hours": {"mon":["00:00-24:00"],"tue":["00:00-24:00"],"wed":["00:00-24:00"],"thu":["00:00-24:00"],
                       "fri":["00:00-24:00"],"sat":["00:00-24:00"],"sun":["00:00-24:00"]},
    "booking": {"duration_minutes": 5, "slot_interval_minutes": 5, "min_notice_minutes": 0, "horizon_days": 365,
                "reminder_offsets_minutes": []}}' >/dev/null
  export BENCH_CUSTOMER=$id BENCH_START=$(( ($(date +%s) / 300 + 12) * 300 ))
  run_wrk "POST /api/bookings" -s scripts/bench/create-booking.lua "$base"
  read -r avail50 avail99 avail_slots < <("$target/release/leadflow" bench-availability --bookings 500 --days 14 --runs 2000)
  availability+=("| $level | ${avail50} µs | ${avail99} µs | ${avail_slots} |")
  read -r lat50 lat95 latmax < <(python3 scripts/bench/reply_latency.py "$base" 50)
  latency+=("| $level | ${lat50} ms | ${lat95} ms | ${latmax} ms |")
  rss_kb=$(ps -o rss= -p "$server" | tr -d ' ')
  fu_db="lf_bench_fu_$level"
  psql "$admin_url" -qc "DROP DATABASE IF EXISTS $fu_db WITH (FORCE)" -c "CREATE DATABASE $fu_db" >/dev/null
  log "follow-ups: opt-level=$level"
  read -r claim_s claimed send_rate sent cpu_ms < <(DATABASE_URL="${admin_url%/*}/$fu_db" MONGODB_DATABASE="$fu_db" \
    RUST_LOG=error "$target/release/leadflow" bench-follow-ups --due "${FOLLOW_UPS_DUE:-100000}" \
    --sends "${FOLLOW_UP_SENDS:-1000}" --concurrency 32)
  follow_ups+=("| $level | ${claimed} | ${claim_s} s | ${sent} | ${send_rate}/s | ${cpu_ms} ms |")
  psql "$admin_url" -qc "DROP DATABASE IF EXISTS $fu_db WITH (FORCE)" >/dev/null
  auth_db="lf_bench_auth_$level"
  psql "$admin_url" -qc "DROP DATABASE IF EXISTS $auth_db WITH (FORCE)" -c "CREATE DATABASE $auth_db" >/dev/null
  log "auth: opt-level=$level"
  read -r a_boot a_key a_jwt a_public a_key99 a_jwt99 < <(DATABASE_URL="${admin_url%/*}/$auth_db" \
    MONGODB_DATABASE="$auth_db" RUST_LOG=error "$target/release/leadflow" bench-auth --runs 20000)
  over() { python3 -c "print(f'{max($1 - $2, 0):.1f}')"; }
  auth+=("| $level | $(over "$a_boot" "$a_public") µs | $(over "$a_key" "$a_public") µs | $(over "$a_jwt" "$a_public") µs | ${a_public} µs | ${a_key99} µs / ${a_jwt99} µs |")
  psql "$admin_url" -qc "DROP DATABASE IF EXISTS $auth_db WITH (FORCE)" >/dev/null
  wh_db="lf_bench_wh_$level"
  psql "$admin_url" -qc "DROP DATABASE IF EXISTS $wh_db WITH (FORCE)" -c "CREATE DATABASE $wh_db" >/dev/null
  log "webhooks: opt-level=$level"
  read -r wh_relay wh_n wh_rate wh_cpu < <(DATABASE_URL="${admin_url%/*}/$wh_db" MONGODB_DATABASE="$wh_db" \
    RUST_LOG=error "$target/release/leadflow" bench-webhooks --events "${WEBHOOK_EVENTS:-10000}" --endpoints 3 --concurrency 32)
  webhooks+=("| $level | ${WEBHOOK_EVENTS:-10000} × 3 | ${wh_relay} s | ${wh_n} | ${wh_rate}/s | ${wh_cpu} ms |")
  psql "$admin_url" -qc "DROP DATABASE IF EXISTS $wh_db WITH (FORCE)" >/dev/null
  an_db="lf_bench_an_$level"
  psql "$admin_url" -qc "DROP DATABASE IF EXISTS $an_db WITH (FORCE)" -c "CREATE DATABASE $an_db" >/dev/null
  log "analytics: opt-level=$level"
  an_messages="${ANALYTICS_MESSAGES:-100000}" an_leads="${ANALYTICS_LEADS:-10000}"
  read -r an_full an_incr an_p50 an_p99 an_days < <(DATABASE_URL="${admin_url%/*}/$an_db" MONGODB_DATABASE="$an_db" \
    RUST_LOG=error "$target/release/leadflow" bench-analytics --messages "$an_messages" --leads "$an_leads" --runs 200)
  analytics+=("| $level | ${an_messages} / ${an_leads} | ${an_days} | ${an_full} s | ${an_incr} s | ${an_p50} ms | ${an_p99} ms |")
  psql "$admin_url" -qc "DROP DATABASE IF EXISTS $an_db WITH (FORCE)" >/dev/null
  kill "$server"; wait "$server" 2>/dev/null || true
  server=""
  psql "$admin_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
  sizes+=("| $level | $(( size_lambda / 1024 )) KiB | $(( size_local / 1024 )) KiB | ${ready_ms} ms | ${warm_ready_ms} ms | $(( rss_kb / 1024 )) MiB |")
done

# The web build's sizes do not depend on the Rust opt-level: measured once, with the
# typed client generated from the last release build.
LEADFLOW_BIN="$PWD/target/bench-opt-${OPT_LEVELS##* }/release/leadflow" web_build
web_sizes=$(node scripts/bench/web_sizes.mjs web/dist)

{
  echo "# Benchmarks"
  echo
  echo "Written by \`scripts/bench.sh\` on $(date -u +%Y-%m-%d) ($(nproc) cores, $(uname -m), rustc $(rustc --version | cut -d' ' -f2))."
  echo "Postgres and SecantusDB on the same machine as the server and wrk; wrk: 2 threads,"
  echo "$CONNECTIONS connections, $DURATION per route. Compare rows of one run, not across machines."
  echo
  echo "## Builds (release: fat LTO, codegen-units=1, stripped)"
  echo
  echo "| opt-level | api-crm Lambda | leadflow (all routes) | first start (migrates) | start to healthy | RSS after load |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${sizes[@]}"
  echo
  echo "## Routes"
  echo
  echo "| opt-level | route | req/s | p50 | p99 | non-2xx |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${results[@]}"
  echo
  echo "## Open slots in process (14 days, 500 bookings, open round the clock, 15-minute grid; 2000 runs)"
  echo
  echo "| opt-level | p50 | p99 | open slots |"
  echo "|---|---|---|---|"
  printf '%s\n' "${availability[@]}"
  echo
  echo "## Message in to reply stored (chat, rules engine, in-process worker; 50 messages one at a time)"
  echo
  echo "| opt-level | p50 | p95 | max |"
  echo "|---|---|---|---|"
  printf '%s\n' "${latency[@]}"
  echo
  echo "## Follow-ups (one dispatch of due follow-ups with the cap lifted; sends 32 at a time to a loopback fake Twilio)"
  echo
  echo "| opt-level | due claimed and queued | claim time | sent | send rate | Leadflow CPU per send |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${follow_ups[@]}"
  echo
  echo "## Caller check (in process, 20,000 requests each; the overhead is the p50 over a public route's)"
  echo
  echo "| opt-level | bootstrap key | managed key (cached) | access token (HS256) | public route p50 | p99 key / token (whole request) |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${auth[@]}"
  echo
  echo "## Outbound webhooks (events in the outbox; the relay records them in MongoDB and makes a delivery per endpoint; then 32 signed attempts at a time to a loopback receiver answering 204)"
  echo
  echo "| opt-level | events × endpoints | relay (fan-out) | deliveries | deliveries/s | CPU per delivery |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${webhooks[@]}"
  echo
  echo "## Dashboard and widget (web/dist, gzip -9)"
  echo
  echo "| artefact | gzipped | target |"
  echo "|---|---|---|"
  echo "$web_sizes"
  echo
  echo "## Analytics summary (messages of leads over 30 days; rollups refreshed in full, then after 100 messages and 10 status changes; 200 summaries of the last 7 days in process)"
  echo
  echo "| opt-level | messages / leads | days | full refresh | incremental refresh | summary p50 | summary p99 |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${analytics[@]}"
  if [ -f BENCHMARKS.notes.md ]; then echo; cat BENCHMARKS.notes.md; fi
} > BENCHMARKS.md
log "wrote BENCHMARKS.md"
