#!/usr/bin/env bash
# Runs every test of Leadflow against the real local stack (Postgres, SecantusDB, moto),
# then the dashboard's and widget's tests in Chromium, then lints: rustfmt, clippy and
# cfn-lint. Starts what is missing; stops what it started.
#   SKIP_LINT=1 scripts/test.sh          tests only
#   SKIP_FUZZ=1 scripts/test.sh          without the schemathesis fuzz of the live API
#   scripts/test.sh -- some_test_name    extra arguments go to `cargo test`
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/stack.sh
trap stack_stop EXIT
trap 'exit 130' INT TERM

command -v cargo >/dev/null || die "cargo is required (https://rustup.rs)"
stack_venv
stack_postgres postgres
stack_mongo
stack_moto

[ "${1:-}" = "--" ] && shift
log "cargo test"
cargo test --workspace --all-targets --locked --no-fail-fast -- "$@"
if [ $# -eq 0 ]; then
  log "scripts/tests/web.sh"
  scripts/tests/web.sh
  log "scripts/tests/dev_restart.sh"
  scripts/tests/dev_restart.sh
  if [ -z "${SKIP_FUZZ:-}" ]; then
    log "scripts/tests/schemathesis.sh"
    scripts/tests/schemathesis.sh
  fi
fi

if [ -z "${SKIP_LINT:-}" ]; then
  log "cargo fmt --check"
  cargo fmt --all -- --check
  log "cargo clippy"
  cargo clippy --workspace --all-targets --locked -- -D warnings
  log "cfn-lint template.yaml"
  "$STACK_VENV/bin/cfn-lint" template.yaml
fi
log "all tests passed"
