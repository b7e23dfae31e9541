//! Jobs on SQS: one message per job, the JSON of [`Job`] as its body.

use std::time::Duration;

use aws_sdk_sqs::Client;

use super::{Job, JobQueue, Lane, QueueError};

/// The jobs and tasks queues; each job goes to the queue of its [`Lane`].
#[derive(Clone)]
pub struct SqsQueue {
    client: Client,
    messages_url: String,
    tasks_url: String,
}

impl SqsQueue {
    /// One queue for every job.
    pub fn new(client: Client, url: impl Into<String>) -> Self {
        let url = url.into();
        Self { client, messages_url: url.clone(), tasks_url: url }
    }

    pub fn with_lanes(client: Client, messages_url: impl Into<String>, tasks_url: impl Into<String>) -> Self {
        Self { client, messages_url: messages_url.into(), tasks_url: tasks_url.into() }
    }
}

#[async_trait::async_trait]
impl JobQueue for SqsQueue {
    async fn enqueue_after(&self, job: &Job, delay: Duration) -> Result<(), QueueError> {
        let body = serde_json::to_string(job)?;
        let delay = i32::try_from(delay.as_secs().min(900)).unwrap_or(900);
        self.client
            .send_message()
            .queue_url(match job.lane() {
                Lane::Messages => &self.messages_url,
                Lane::Tasks => &self.tasks_url,
            })
            .message_body(body)
            .delay_seconds(delay)
            .send()
            .await
            .map_err(|e| QueueError::Unavailable(aws_sdk_sqs::error::DisplayErrorContext(e).to_string()))?;
        Ok(())
    }
}
