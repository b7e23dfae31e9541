#!/usr/bin/env bash
# scripts/deploy.sh --dry-run with nothing but the README's three required variables, then
# with a value holding spaces and a multi-line PEM key, then with what must be refused.
# The environment is emptied (env -i) so nothing of the developer's leaks in, and an `aws`
# on PATH records any call: a dry run must make none.
set -euo pipefail
cd "$(dirname "$0")/../.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin"
cat >"$tmp/bin/aws" <<EOF
#!/bin/sh
echo "aws \$*" >>"$tmp/aws-called"
exit 1
EOF
chmod +x "$tmp/bin/aws"

pem=$'-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7 dry+run/key==\n-----END PRIVATE KEY-----'
required=(
  "DATABASE_URL=postgres://leadflow:pa55-word@db.example.com:5432/leadflow?sslmode=verify-full"
  "MONGODB_URI=mongodb+srv://leadflow:m0ngo-word@cluster.example.net"
  "LEADFLOW_API_KEYS=dry-run-key-0123456789abcdef"
)
failures=0

# run NAME EXPECT(0|1) VAR=VALUE...: deploy.sh --dry-run in an empty environment.
run() {
  local name=$1 expect=$2
  shift 2
  local rc=0
  env -i PATH="$tmp/bin:$PATH" HOME="$HOME" "$@" scripts/deploy.sh --dry-run "dry-run-stack" >"$tmp/out" 2>&1 || rc=$?
  if { [ "$expect" = 0 ] && [ "$rc" != 0 ]; } || { [ "$expect" != 0 ] && [ "$rc" = 0 ]; }; then
    echo "FAIL $name: exit $rc"
    sed 's/^/    /' "$tmp/out"
    failures=$((failures + 1))
    return 1
  fi
  echo "ok   $name"
}

# expect NAME GREP-ARGS...: the last run's output matches.
expect() {
  local name=$1
  shift
  if ! grep -q "$@" "$tmp/out"; then
    echo "FAIL $name: output lacks $*"
    failures=$((failures + 1))
  fi
}

refute() {
  local name=$1
  shift
  if grep -q "$@" "$tmp/out"; then
    echo "FAIL $name: output shows $*"
    failures=$((failures + 1))
  fi
}

if run "only the three required variables" 0 "${required[@]}"; then
  expect "required: done" -F "dry run: nothing was built, migrated or deployed"
  expect "required: secret" -F "secret: DATABASE_URL, LEADFLOW_API_KEYS, MONGODB_URI (each exactly as set)"
  expect "required: parameters" -F "read back by sam deploy exactly as set"
  expect "required: optional empty" -xF "    PublicBaseUrl: ''"
  expect "required: the change set" -F "sam deploy --stack-name dry-run-stack"
  refute "required: no secret on screen" -e "pa55-word" -e "m0ngo-word" -e "dry-run-key-0123"
fi

if run "a value with spaces and a PEM key" 0 "${required[@]}" \
  "SENDGRID_FROM_NAME=Acme Plumbing & Sons" "SALESFORCE_PRIVATE_KEY=$pem" \
  "SALESFORCE_CLIENT_ID=3MVG9 client" "SALESFORCE_AUTH=jwt" "SALESFORCE_USERNAME=ops@acme.example"; then
  expect "spaces: whole" -xF "    SendGridFromName: Acme Plumbing & Sons"
  expect "pem: in the secret" -F "MONGODB_URI, SALESFORCE_PRIVATE_KEY (each exactly as set)"
  refute "pem: not on screen" -e "BEGIN PRIVATE KEY" -e "dry+run/key"
fi

if run "a missing required variable" 1 "${required[@]:0:2}"; then
  expect "missing: named" -F "LEADFLOW_API_KEYS must be set"
fi

if run "a value CloudFormation refuses" 1 "${required[@]}" "DEFAULT_COUNTRY=usa"; then
  expect "refused: named" -F "DefaultCountry does not match"
fi

if [ -e "$tmp/aws-called" ]; then
  echo "FAIL a dry run called the AWS CLI:"
  sed 's/^/    /' "$tmp/aws-called"
  failures=$((failures + 1))
fi

if [ "$failures" -gt 0 ]; then
  echo "deploy_dry_run: $failures failed"
  exit 1
fi
echo "deploy_dry_run: all passed"
