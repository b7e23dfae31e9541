#!/usr/bin/env bash
# Runs every test of Leadflow against the real local stack (Postgres, SecantusDB, moto),
# then the dashboard's and widget's tests in Chromium, the scripts' own tests (least
# privilege, deploy --dry-run), then lints: rustfmt, clippy, cfn-lint, sam validate --lint
# and checkov. Starts what is missing; stops what it started.
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
stack_deploy_venv
stack_postgres postgres
stack_mongo
stack_moto

[ "${1:-}" = "--" ] && shift
log "cargo test"
cargo test --workspace --all-targets --locked --no-fail-fast -- "$@"
if [ $# -eq 0 ]; then
  log "scripts/tests/least_privilege.py"
  "$STACK_DEPLOY_VENV/bin/python" scripts/tests/least_privilege.py
  log "scripts/tests/deploy_dry_run.sh"
  scripts/tests/deploy_dry_run.sh
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
  log "cfn-lint, sam validate --lint and checkov on template.yaml"
  "$STACK_DEPLOY_VENV/bin/cfn-lint" template.yaml
  SAM_CLI_TELEMETRY=0 "$STACK_DEPLOY_VENV/bin/sam" validate --lint --template-file template.yaml
  "$STACK_DEPLOY_VENV/bin/checkov" --config-file scripts/checkov.yaml -f template.yaml
fi
log "all tests passed"
