#!/usr/bin/env bash
# Deploys Leadflow into your AWS account with SAM, after migrating your Postgres.
#
#   export DATABASE_URL='postgres://leadflow:...@db.example.com:5432/leadflow?sslmode=verify-full'
#   export MONGODB_URI='mongodb+srv://leadflow:...@cluster.example.net'
#   export LEADFLOW_API_KEYS="$(openssl rand -hex 24)"
#   scripts/deploy.sh [--dry-run] [stack-name]          (default stack name: leadflow)
#
# Providers are optional: set TWILIO_*, SENDGRID_*, OPENAI_*, SLACK_WEBHOOK_URL, SALESFORCE_*
# (see README.md, Configuration and Deploying to AWS) to enable them. Credentials and keys
# go to one Secrets Manager secret, `<stack-name>/leadflow`, written from a 0600 file (never
# a command line); the other settings become the stack's parameters.
#
# --dry-run checks everything that needs no AWS account: the variables, the secret and the
# parameters as CloudFormation would check them, the template (sam validate --lint) and the
# binaries it builds; then prints the commands a deploy runs, and calls no AWS API.
#
# Needs: the AWS CLI with credentials of the target account, cargo-lambda (pip install
# cargo-lambda, or cargo install cargo-lambda) and zig for arm64 builds, and Node.js 20.19+
# for the dashboard and widget (uploaded to the stack's bucket, served by CloudFront). The
# SAM CLI comes from scripts/requirements-deploy.txt (installed into .cache/venv-deploy).
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib/stack.sh
source scripts/lib/web.sh

dry_run=""
stack="leadflow"
for arg in "$@"; do
  case "$arg" in
    --dry-run) dry_run=1 ;;
    -h | --help) sed -n '2,21p' "$0"; exit 0 ;;
    -*) die "unknown option $arg (see scripts/deploy.sh --help)" ;;
    *) stack="$arg" ;;
  esac
done
[[ "$stack" =~ ^[A-Za-z][A-Za-z0-9-]{0,100}$ ]] || die "stack name $stack: letters, digits and hyphens, starting with a letter"
for v in DATABASE_URL MONGODB_URI LEADFLOW_API_KEYS; do
  [ -n "${!v:-}" ] || die "$v must be set (see README.md, Configuration)"
done

stack_deploy_venv
py="$STACK_DEPLOY_VENV/bin/python"
sam="$STACK_DEPLOY_VENV/bin/sam"
export SAM_CLI_TELEMETRY=0

# Secret values live only in files of this directory (0600), removed on exit.
work=$(mktemp -d)
chmod 700 "$work"
trap 'rm -rf "$work"' EXIT
secret_file="$work/secret.json"
params_file="$work/parameters.yaml"
secret_name="$stack/leadflow"

# Prints a command as it would run, each word quoted for the shell.
show() { printf '  '; printf '%q ' "$@"; printf '\n'; }

log "checking the configuration"
"$py" scripts/lib/deploy_config.py secret "$secret_file"
"$py" scripts/lib/deploy_config.py verify-secret "$secret_file"

log "checking the template"
"$py" scripts/lib/deploy_config.py check-template
"$sam" validate --lint --template-file template.yaml >/dev/null

deploy_cmd=(
  "$sam" deploy
  --stack-name "$stack"
  --resolve-s3
  --capabilities CAPABILITY_IAM
  --no-fail-on-empty-changeset
  --parameter-overrides "file://$params_file"
)

if [ -n "$dry_run" ]; then
  region="${AWS_REGION:-${AWS_DEFAULT_REGION:-us-east-1}}"
  arn="arn:aws:secretsmanager:$region:123456789012:secret:$secret_name-AbCdEf"
  "$py" scripts/lib/deploy_config.py parameters "$params_file" "$arn"
  "$py" scripts/lib/deploy_config.py verify-parameters "$params_file" "$arn"
  log "dry run: a deploy would run, in this order (nothing is migrated unless every build passed)"
  show cargo build --release --locked --bin leadflow
  echo "  npm ci && npm run build && npm run build:widget   (in web/)"
  show "$sam" build --beta-features
  show aws secretsmanager create-secret --name "$secret_name" --secret-string "file://$secret_file"
  echo "    (put-secret-value --secret-id $secret_name when it exists; the file is 0600, removed on exit)"
  show ./target/release/leadflow migrate
  show "${deploy_cmd[@]}"
  echo "    (creates the change set, waits for it, executes it)"
  echo "  with the parameters of that file:"
  sed 's/^/    /' "$params_file"
  log "dry run: nothing was built, migrated or deployed"
  exit 0
fi

command -v aws >/dev/null || die "the AWS CLI is required: https://aws.amazon.com/cli/"
cargo lambda --version >/dev/null 2>&1 || die "cargo-lambda is required: pip install cargo-lambda"

# Every build before anything changes: a failed build leaves Postgres as it was.
log "building the leadflow binary, the dashboard and widget"
cargo build --release --locked --bin leadflow
LEADFLOW_BIN="$PWD/target/release/leadflow" web_build
log "building the functions (arm64, provided.al2023)"
"$sam" build --beta-features

log "storing the secret $secret_name"
if aws secretsmanager describe-secret --secret-id "$secret_name" >/dev/null 2>&1; then
  aws secretsmanager put-secret-value --secret-id "$secret_name" --secret-string "file://$secret_file" >/dev/null
else
  aws secretsmanager create-secret --name "$secret_name" --description "Leadflow ($stack): credentials and keys" \
    --secret-string "file://$secret_file" >/dev/null
fi
secret_arn=$(aws secretsmanager describe-secret --secret-id "$secret_name" --query ARN --output text)
"$py" scripts/lib/deploy_config.py parameters "$params_file" "$secret_arn"

log "migrating Postgres and creating MongoDB indexes"
./target/release/leadflow migrate

log "deploying stack $stack"
"${deploy_cmd[@]}"

output() {
  aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
url=$(output ApiUrl)
bucket=$(output WebBucketName)
dashboard=$(output DashboardUrl)

# Hashed assets first and cached for good, then the entry points, which browsers check on
# every use: a page never loads before the files it names are there. Old assets stay, so a
# tab opened before the deploy can still load its lazy pages.
log "uploading the dashboard and widget to s3://$bucket"
aws s3 sync web/dist/assets "s3://$bucket/assets" --cache-control "public, max-age=31536000, immutable"
aws s3 sync web/dist "s3://$bucket" --exclude "assets/*" --cache-control "no-cache" --delete

log "deployed: API $url, dashboard $dashboard"
curl -fsS "$url/api/health" && echo
echo "widget: $(output WidgetSnippet)"
