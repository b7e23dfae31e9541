//! The AWS adapters against moto (`AWS_ENDPOINT_URL`): DynamoDB idempotency records and
//! rate limits, SQS jobs. Each test makes its own table or queue.

use std::time::Duration as StdDuration;

use aws_sdk_dynamodb::types::{AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType};
use chrono::{Duration, Utc};
use leadflow::idempotency::{Begin, DynamoIdempotency, IdempotencyStore};
use leadflow::queue::{Job, JobQueue, SqsQueue};
use leadflow::ratelimit::{DynamoRateLimiter, RateLimiter};
use serde_json::json;
use uuid::Uuid;

/// An SDK configuration for a fake AWS endpoint (moto, or a wiremock server).
async fn sdk_at(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new("testing", "testing", None, None, "test"))
        .load()
        .await
}

async fn sdk() -> aws_config::SdkConfig {
    let endpoint = std::env::var("AWS_ENDPOINT_URL")
        .expect("AWS_ENDPOINT_URL is not set: run the tests through scripts/test.sh, which starts moto");
    sdk_at(&endpoint).await
}

/// A state table shaped like the template's: string key `pk`.
async fn table() -> (aws_sdk_dynamodb::Client, String) {
    let client = aws_sdk_dynamodb::Client::new(&sdk().await);
    let name = format!("leadflow-state-{}", Uuid::new_v4().simple());
    client
        .create_table()
        .table_name(&name)
        .attribute_definitions(
            AttributeDefinition::builder().attribute_name("pk").attribute_type(ScalarAttributeType::S).build().unwrap(),
        )
        .key_schema(KeySchemaElement::builder().attribute_name("pk").key_type(KeyType::Hash).build().unwrap())
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .expect("create table in moto");
    (client, name)
}

#[tokio::test]
async fn dynamodb_idempotency_follows_the_powertools_algorithm() {
    let (client, name) = table().await;
    let store = DynamoIdempotency::new(client.clone(), &name);
    let until = Utc::now() + Duration::seconds(30);
    assert_eq!(store.begin("twilio:SM1", "h1", until).await.unwrap(), Begin::Proceed);
    assert_eq!(store.begin("twilio:SM1", "h1", until).await.unwrap(), Begin::InProgress);
    assert_eq!(store.begin("twilio:SM1", "h2", until).await.unwrap(), Begin::PayloadMismatch);
    store.complete("twilio:SM1", &json!({"message_id": "m1"})).await.unwrap();
    assert_eq!(store.begin("twilio:SM1", "h1", until).await.unwrap(), Begin::Completed(json!({"message_id": "m1"})));

    assert_eq!(store.begin("k2", "h", until).await.unwrap(), Begin::Proceed);
    store.release("k2").await.unwrap();
    assert_eq!(store.begin("k2", "h", until).await.unwrap(), Begin::Proceed, "a released key may be retried");

    assert_eq!(store.begin("k3", "h", Utc::now() - Duration::seconds(1)).await.unwrap(), Begin::Proceed);
    assert_eq!(store.begin("k3", "h", until).await.unwrap(), Begin::Proceed, "an expired claim is taken over");

    let item = client
        .get_item()
        .table_name(&name)
        .key("pk", aws_sdk_dynamodb::types::AttributeValue::S("idempotency#twilio:SM1".into()))
        .send()
        .await
        .unwrap()
        .item
        .expect("the record is stored");
    assert_eq!(item["status"].as_s().unwrap(), "COMPLETED");
    let ttl: i64 = item["expires_at"].as_n().unwrap().parse().unwrap();
    assert!(ttl > Utc::now().timestamp() + 3600, "expires_at is the TTL in epoch seconds");
}

#[tokio::test]
async fn dynamodb_idempotency_lets_one_of_many_concurrent_duplicates_through() {
    let (client, name) = table().await;
    let store = DynamoIdempotency::new(client, &name);
    let until = Utc::now() + Duration::seconds(30);
    let attempts = (0..10).map(|_| store.begin("email:<dup@x>", "same", until));
    let results = futures::future::join_all(attempts).await;
    let proceeded = results.iter().filter(|r| matches!(r, Ok(Begin::Proceed))).count();
    let in_progress = results.iter().filter(|r| matches!(r, Ok(Begin::InProgress))).count();
    assert_eq!((proceeded, in_progress), (1, 9), "{results:?}");
}

#[tokio::test]
async fn dynamodb_rate_limits_count_per_key_and_window() {
    let (client, name) = table().await;
    let limiter = DynamoRateLimiter::new(client, &name);
    let window = StdDuration::from_hours(1);
    for left in (0..3).rev() {
        let hit = limiter.hit("receive:203.0.113.9", 3, window).await.unwrap();
        assert!(hit.allowed);
        assert_eq!(hit.remaining, left, "each hit says how many are left");
        assert!(hit.reset_after <= window && !hit.reset_after.is_zero());
    }
    let refused = limiter.hit("receive:203.0.113.9", 3, window).await.unwrap();
    assert!(!refused.allowed);
    assert_eq!(refused.remaining, 0);
    assert!(limiter.hit("receive:203.0.113.10", 3, window).await.unwrap().allowed);
    assert!(
        limiter.hit("receive:203.0.113.9", 3, StdDuration::from_mins(1)).await.unwrap().allowed,
        "a window of another length is counted apart"
    );
}

#[tokio::test]
async fn sqs_queue_carries_jobs_as_tagged_json() {
    let client = aws_sdk_sqs::Client::new(&sdk().await);
    let name = format!("leadflow-jobs-{}", Uuid::new_v4().simple());
    let url = client.create_queue().queue_name(&name).send().await.unwrap().queue_url.unwrap();
    let queue = SqsQueue::new(client.clone(), &url);
    let job = Job::ProcessMessage { message_id: Uuid::now_v7() };
    queue.enqueue(&job).await.unwrap();
    let received =
        client.receive_message().queue_url(&url).max_number_of_messages(10).wait_time_seconds(1).send().await.unwrap();
    let messages = received.messages.unwrap_or_default();
    assert_eq!(messages.len(), 1);
    let body: Job = serde_json::from_str(messages[0].body.as_deref().unwrap()).unwrap();
    assert_eq!(body, job);

    queue.enqueue_after(&job, StdDuration::from_mins(1)).await.unwrap();
    let early = client.receive_message().queue_url(&url).wait_time_seconds(1).send().await.unwrap();
    assert!(early.messages.unwrap_or_default().is_empty(), "a delayed job is not visible yet");
}

#[tokio::test]
async fn an_unreachable_queue_is_an_error_not_a_panic() {
    let config = sdk_at("http://127.0.0.1:9").await;
    let queue = SqsQueue::new(aws_sdk_sqs::Client::new(&config), "http://127.0.0.1:9/000000000000/nope");
    assert!(queue.enqueue(&Job::ProcessMessage { message_id: Uuid::now_v7() }).await.is_err());
}

fn events(n: usize) -> Vec<leadflow::domain::EventEnvelope> {
    use leadflow::domain::event::{LeadQualified, QualifyTrigger};
    use leadflow::domain::{Event, EventEnvelope, Priority, Score};
    (0..n)
        .map(|i| {
            let event = Event::LeadQualified(LeadQualified {
                lead_id: Uuid::now_v7(),
                score: Score::new(i64::try_from(i % 100).unwrap()).unwrap(),
                priority: Priority::Low,
                previous_score: Score::default(),
                previous_priority: Priority::Low,
                recommendations: Vec::new(),
                trigger: QualifyTrigger::Manual,
            });
            EventEnvelope::new(event, chrono::Utc::now())
        })
        .collect()
}

#[tokio::test]
async fn eventbridge_delivers_every_event_in_batches_of_ten() {
    use leadflow::bus::EventBus;
    let tap = crate::common::aws::BusTap::new().await;
    let sent = events(25);
    tap.bus().publish(&sent).await.expect("published");
    let mut seen = std::collections::HashSet::new();
    for envelope in tap.drain().await {
        assert_eq!(envelope["source"], "leadflow");
        assert_eq!(envelope["detail-type"], "lead.qualified");
        assert!(seen.insert(envelope["detail"]["id"].as_str().unwrap().to_owned()), "delivered twice: {envelope}");
    }
    assert_eq!(seen.len(), 25, "every event arrives once");
}

#[tokio::test]
async fn eventbridge_failed_entries_are_sent_again() {
    use leadflow::bus::{EventBridgeBus, EventBus};
    use wiremock::matchers::{header, method};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    let json_response = |body: serde_json::Value| {
        ResponseTemplate::new(200).insert_header("content-type", "application/x-amz-json-1.1").set_body_json(body)
    };
    Mock::given(method("POST"))
        .and(header("x-amz-target", "AWSEvents.PutEvents"))
        .respond_with(json_response(json!({
            "FailedEntryCount": 1,
            "Entries": [{"EventId": "e1"}, {"ErrorCode": "ThrottlingException", "ErrorMessage": "Rate exceeded"}, {"EventId": "e3"}]
        })))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(json_response(json!({"FailedEntryCount": 0, "Entries": [{"EventId": "e2"}]})))
        .mount(&server)
        .await;
    let config = sdk_at(&server.uri()).await;
    let sent = events(3);
    EventBridgeBus::new(aws_sdk_eventbridge::Client::new(&config), "bus").publish(&sent).await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    let retry: serde_json::Value = serde_json::from_slice(&requests[1].body).unwrap();
    let entries = retry["Entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "only the refused entry goes again");
    let detail: serde_json::Value = serde_json::from_str(entries[0]["Detail"].as_str().unwrap()).unwrap();
    assert_eq!(detail["id"], sent[1].id.to_string());
}

#[tokio::test]
async fn eventbridge_requests_carry_at_most_ten_entries() {
    use leadflow::bus::{EventBridgeBus, EventBus};
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/x-amz-json-1.1")
                .set_body_json(json!({"FailedEntryCount": 0, "Entries": []})),
        )
        .mount(&server)
        .await;
    let config = sdk_at(&server.uri()).await;
    EventBridgeBus::new(aws_sdk_eventbridge::Client::new(&config), "bus").publish(&events(25)).await.unwrap();
    let sizes: Vec<usize> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice::<serde_json::Value>(&r.body).unwrap()["Entries"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [10, 10, 5]);
}

/// The deployment's secret in (moto's) Secrets Manager: read once, its keys win over the
/// environment, the rest comes from the environment, and nothing of it is printed.
#[tokio::test]
async fn the_secret_in_secrets_manager_comes_before_the_environment() {
    let client = aws_sdk_secretsmanager::Client::new(&sdk().await);
    let pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQ secret-pem-body\n-----END PRIVATE KEY-----";
    let value = json!({
        "DATABASE_URL": "postgres://leadflow:s3cret-pw@db.internal:5432/leadflow",
        "LEADFLOW_API_KEYS": "secret-key-0123456789abcdef",
        "SALESFORCE_PRIVATE_KEY": pem,
    });
    let arn = client
        .create_secret()
        .name(format!("leadflow-{}/leadflow", Uuid::new_v4().simple()))
        .secret_string(value.to_string())
        .send()
        .await
        .expect("create secret in moto")
        .arn
        .unwrap();
    let secret = leadflow::config::SecretValues::fetch(&client, &arn).await.unwrap();
    assert_eq!(secret.len(), 3);
    let env = |name: &str| match name {
        "DATABASE_URL" => Some("postgres://env-loses@127.0.0.1/x".to_owned()),
        "MONGODB_URI" => Some("mongodb://127.0.0.1:27017".to_owned()),
        "SALESFORCE_CLIENT_ID" => Some("3MVG9-client".to_owned()),
        "SALESFORCE_AUTH" => Some("jwt".to_owned()),
        "SALESFORCE_USERNAME" => Some("ops@example.com".to_owned()),
        _ => None,
    };
    let config = leadflow::config::Config::from_lookup(secret.over(env)).unwrap();
    use secrecy::ExposeSecret;
    assert_eq!(config.database_url.expose_secret(), "postgres://leadflow:s3cret-pw@db.internal:5432/leadflow");
    assert_eq!(config.mongodb_uri.expose_secret(), "mongodb://127.0.0.1:27017", "from the environment");
    assert_eq!(config.api_keys[0].expose_secret(), "secret-key-0123456789abcdef");
    let sf = config.providers.salesforce.as_ref().expect("Salesforce from the secret's key and the environment");
    let leadflow::config::SalesforceAuth::JwtBearer { private_key, .. } = &sf.auth else { panic!("jwt") };
    assert_eq!(private_key.expose_secret(), pem, "the PEM whole, newlines and all");
    let printed = format!("{config:?} {secret:?}");
    assert!(!printed.contains("s3cret-pw") && !printed.contains("secret-pem-body"), "{printed}");
    // A secret that is not there stops start-up with one line naming the variable.
    let missing =
        leadflow::config::SecretValues::fetch(&client, "arn:aws:secretsmanager:us-east-1:123456789012:secret:nope")
            .await
            .unwrap_err();
    assert!(missing.to_string().contains("LEADFLOW_SECRET_ARN"), "{missing}");
}
