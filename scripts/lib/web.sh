# Shared by dev.sh, test.sh and deploy.sh: the dashboard and widget under web/.
# Needs Node.js 20+ with npm; packages come from package-lock.json (npm ci), reinstalled
# only when the lock changed.

web_npm() {
  command -v npm >/dev/null || die "Node.js 20+ with npm is required for the dashboard (https://nodejs.org)"
  # Vite 8 and jsdom 29 need 20.19+ on the 20 line, 22.13+ on the 22 line.
  node -e 'const [a, b] = process.versions.node.split(".").map(Number);
    process.exit(a > 22 || (a === 22 && b >= 13) || (a === 20 && b >= 19) ? 0 : 1)' \
    || die "Node.js 20.19+ or 22.13+ is required (found $(node --version))"
  local stamp="$STACK_ROOT/web/node_modules/.lock-stamp"
  if [ -d "$STACK_ROOT/web/node_modules" ] && cmp -s "$STACK_ROOT/web/package-lock.json" "$stamp"; then return 0; fi
  log "installing the dashboard's npm packages (npm ci)"
  (cd "$STACK_ROOT/web" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed"
  cp "$STACK_ROOT/web/package-lock.json" "$stamp"
}

# Debian's Chromium for the browser tests: Playwright never downloads a browser here.
web_chromium() {
  export CHROMIUM_PATH="${CHROMIUM_PATH:-$(command -v chromium || command -v chromium-browser || true)}"
  [ -n "$CHROMIUM_PATH" ] && return 0
  command -v apt-get >/dev/null || die "Chromium is required for the browser tests (set CHROMIUM_PATH)"
  log "installing Chromium (apt-get install chromium)"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null \
    || die "apt-get install chromium failed"
  export CHROMIUM_PATH=/usr/bin/chromium
}

# Builds web/dist: the typed client from the API's own OpenAPI document (so a changed API
# breaks the build), the dashboard, then the widget into the same directory.
# Skipped when nothing under web/ and no newer leadflow binary (its API document) came
# since the last build.
web_build() {
  web_npm
  local bin="${LEADFLOW_BIN:-$STACK_ROOT/target/debug/leadflow}" stamp="$STACK_ROOT/web/dist/.built"
  if [ -f "$stamp" ] && [ ! "$bin" -nt "$stamp" ] && [ -z "$(find "$STACK_ROOT/web" \
      \( -path "$STACK_ROOT/web/node_modules" -o -path "$STACK_ROOT/web/dist" \) -prune -o -newer "$stamp" -print -quit)" ]; then
    log "web/dist is up to date"
    return 0
  fi
  log "building the dashboard and widget (web/dist)"
  (cd "$STACK_ROOT/web" && LEADFLOW_BIN="$bin" npm run --silent build && npm run --silent build:widget) \
    || die "the web build failed"
  touch "$stamp"
}
