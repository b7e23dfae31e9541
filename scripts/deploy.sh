#!/usr/bin/env bash
# Deploys Leadflow into your AWS account with SAM, after migrating your Postgres.
#
#   export DATABASE_URL='postgres://leadflow:...@db.example.com:5432/leadflow?sslmode=require'
#   export MONGODB_URI='mongodb+srv://leadflow:...@cluster.example.net'
#   export LEADFLOW_API_KEYS="$(openssl rand -hex 24)"
#   scripts/deploy.sh [stack-name]          (default stack name: leadflow)
#
# Providers are optional: set TWILIO_*, SENDGRID_*, OPENAI_*, SLACK_WEBHOOK_URL, SALESFORCE_*
# (see README.md) to enable them.
# Needs: the AWS CLI credentials of the target account, the SAM CLI, cargo-lambda
# (pip install cargo-lambda, or cargo install cargo-lambda) and zig for arm64 builds, and
# Node.js 20.19+ for the dashboard and widget (uploaded to the stack's bucket, served by
# CloudFront).
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib/stack.sh
source scripts/lib/web.sh

stack="${1:-leadflow}"
command -v sam >/dev/null || die "the SAM CLI is required: https://docs.aws.amazon.com/serverless-application-model/"
cargo lambda --version >/dev/null 2>&1 || die "cargo-lambda is required: pip install cargo-lambda"
for v in DATABASE_URL MONGODB_URI LEADFLOW_API_KEYS; do
  [ -n "${!v:-}" ] || die "$v must be set (see README.md, Configuration)"
done

log "building the dashboard and widget"
cargo build --release --locked --bin leadflow
LEADFLOW_BIN="$PWD/target/release/leadflow" web_build

log "migrating Postgres and creating MongoDB indexes"
./target/release/leadflow migrate

log "building the functions (arm64, provided.al2023)"
sam build --beta-features

log "deploying stack $stack"
sam deploy \
  --stack-name "$stack" \
  --resolve-s3 \
  --capabilities CAPABILITY_IAM \
  --no-fail-on-empty-changeset \
  --parameter-overrides \
    "DatabaseUrl=$DATABASE_URL" \
    "MongoDbUri=$MONGODB_URI" \
    "MongoDbDatabase=${MONGODB_DATABASE:-leadflow}" \
    "ApiKeys=$LEADFLOW_API_KEYS" \
    "DefaultCountry=${DEFAULT_COUNTRY:-US}" \
    "PublicBaseUrl=${PUBLIC_BASE_URL:-}" \
    "AlarmEmail=${ALARM_EMAIL:-}" \
    "TwilioAccountSid=${TWILIO_ACCOUNT_SID:-}" \
    "TwilioAuthToken=${TWILIO_AUTH_TOKEN:-}" \
    "TwilioFromNumber=${TWILIO_FROM_NUMBER:-}" \
    "SendGridApiKey=${SENDGRID_API_KEY:-}" \
    "SendGridFromEmail=${SENDGRID_FROM_EMAIL:-}" \
    "SendGridFromName=${SENDGRID_FROM_NAME:-}" \
    "SendGridInboundSecret=${SENDGRID_INBOUND_SECRET:-}" \
    "OpenAiApiKey=${OPENAI_API_KEY:-}" \
    "OpenAiModel=${OPENAI_MODEL:-gpt-4o-mini}" \
    "OpenAiBaseUrl=${OPENAI_BASE_URL:-https://api.openai.com/v1}" \
    "ChatSecret=${CHAT_SECRET:-}" \
    "SlackWebhookUrl=${SLACK_WEBHOOK_URL:-}" \
    "LeadLinkTemplate=${LEAD_LINK_TEMPLATE:-}" \
    "SalesforceClientId=${SALESFORCE_CLIENT_ID:-}" \
    "SalesforceAuth=${SALESFORCE_AUTH:-client_credentials}" \
    "SalesforceClientSecret=${SALESFORCE_CLIENT_SECRET:-}" \
    "SalesforceUsername=${SALESFORCE_USERNAME:-}" \
    "SalesforcePrivateKey=${SALESFORCE_PRIVATE_KEY:-}" \
    "SalesforceLoginUrl=${SALESFORCE_LOGIN_URL:-https://login.salesforce.com}" \
    "SalesforceExternalIdField=${SALESFORCE_EXTERNAL_ID_FIELD:-Leadflow_Id__c}"

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
