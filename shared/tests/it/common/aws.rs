//! moto-backed AWS resources for tests that need real adapters.

use uuid::Uuid;

/// The SDK configuration for moto (`AWS_ENDPOINT_URL`, started by scripts/test.sh).
pub(crate) async fn moto() -> aws_config::SdkConfig {
    let endpoint = std::env::var("AWS_ENDPOINT_URL")
        .expect("AWS_ENDPOINT_URL is not set: run the tests through scripts/test.sh, which starts moto");
    at(&endpoint).await
}

/// The SDK configuration for any fake endpoint (an unreachable one for outages).
pub(crate) async fn at(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_sqs::config::Credentials::new("testing", "testing", None, None, "test"))
        .load()
        .await
}

/// A fresh EventBridge bus on moto whose every Leadflow event lands in an SQS queue.
pub(crate) struct BusTap {
    pub bus_name: String,
    pub eventbridge: aws_sdk_eventbridge::Client,
    pub sqs: aws_sdk_sqs::Client,
    pub queue_url: String,
}

impl BusTap {
    pub(crate) async fn new() -> Self {
        let config = moto().await;
        let eventbridge = aws_sdk_eventbridge::Client::new(&config);
        let sqs = aws_sdk_sqs::Client::new(&config);
        let suffix = Uuid::new_v4().simple().to_string();
        let bus_name = format!("leadflow-{suffix}");
        eventbridge.create_event_bus().name(&bus_name).send().await.unwrap();
        let queue_url =
            sqs.create_queue().queue_name(format!("events-{suffix}")).send().await.unwrap().queue_url.unwrap();
        let arn = sqs
            .get_queue_attributes()
            .queue_url(&queue_url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
            .send()
            .await
            .unwrap()
            .attributes
            .unwrap()[&aws_sdk_sqs::types::QueueAttributeName::QueueArn]
            .clone();
        eventbridge
            .put_rule()
            .name("all-leadflow")
            .event_bus_name(&bus_name)
            .event_pattern(r#"{"source": ["leadflow"]}"#)
            .send()
            .await
            .unwrap();
        eventbridge
            .put_targets()
            .rule("all-leadflow")
            .event_bus_name(&bus_name)
            .targets(aws_sdk_eventbridge::types::Target::builder().id("queue").arn(arn).build().unwrap())
            .send()
            .await
            .unwrap();
        Self { bus_name, eventbridge, sqs, queue_url }
    }

    pub(crate) fn bus(&self) -> leadflow::bus::EventBridgeBus {
        leadflow::bus::EventBridgeBus::new(self.eventbridge.clone(), &self.bus_name)
    }

    /// Every EventBridge envelope delivered so far (waits briefly for stragglers).
    pub(crate) async fn drain(&self) -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        let mut empty_polls = 0;
        while empty_polls < 2 {
            let got = self
                .sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(10)
                .wait_time_seconds(1)
                .send()
                .await
                .unwrap()
                .messages
                .unwrap_or_default();
            if got.is_empty() {
                empty_polls += 1;
            }
            for m in got {
                out.push(serde_json::from_str(m.body.as_deref().unwrap()).unwrap());
                self.sqs
                    .delete_message()
                    .queue_url(&self.queue_url)
                    .receipt_handle(m.receipt_handle.unwrap())
                    .send()
                    .await
                    .unwrap();
            }
        }
        out
    }
}
