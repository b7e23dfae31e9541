#!/usr/bin/env bash
# The dashboard and widget: type-checked build, Vitest component tests, then the browser
# tests (Playwright driving Debian's Chromium) against `leadflow serve` on the local stack.
# Needs DATABASE_URL and MONGODB_URI (test.sh sets them) and target/debug/leadflow.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/stack.sh
source scripts/lib/web.sh

cargo build --locked --quiet --bin leadflow
web_chromium
web_build
log "vitest (dashboard, then widget)"
(cd web && npm test --silent && npm run --silent test:widget)
log "browser tests (web/e2e)"
(cd web && npm run --silent e2e)
