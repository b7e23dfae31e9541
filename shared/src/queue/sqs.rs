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

    fn url(&self, lane: Lane) -> &str {
        match lane {
            Lane::Messages => &self.messages_url,
            Lane::Tasks => &self.tasks_url,
        }
    }
}

fn unavailable<E: std::error::Error + 'static>(e: E) -> QueueError {
    QueueError::Unavailable(aws_sdk_sqs::error::DisplayErrorContext(e).to_string())
}

fn delay_seconds(delay: Duration) -> i32 {
    i32::try_from(delay.as_secs().min(900)).unwrap_or(900)
}

#[async_trait::async_trait]
impl JobQueue for SqsQueue {
    async fn enqueue_after(&self, job: &Job, delay: Duration) -> Result<(), QueueError> {
        let body = serde_json::to_string(job)?;
        self.client
            .send_message()
            .queue_url(self.url(job.lane()))
            .message_body(body)
            .delay_seconds(delay_seconds(delay))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    /// `SendMessageBatch`, ten at a time per lane: a dispatch of thousands of follow-ups
    /// makes a tenth of the requests. Any entry SQS refuses fails the whole call, so the
    /// caller's claim rolls back and the schedule tries again (a job queued twice is
    /// harmless: every consumer is idempotent).
    async fn enqueue_batch(&self, jobs: &[(Job, Duration)]) -> Result<(), QueueError> {
        use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
        for lane in [Lane::Messages, Lane::Tasks] {
            let of_lane: Vec<&(Job, Duration)> = jobs.iter().filter(|(j, _)| j.lane() == lane).collect();
            for chunk in of_lane.chunks(10) {
                let mut entries = Vec::with_capacity(chunk.len());
                for (i, (job, delay)) in chunk.iter().enumerate() {
                    let entry = SendMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .message_body(serde_json::to_string(job)?)
                        .delay_seconds(delay_seconds(*delay))
                        .build()
                        .map_err(|e| QueueError::Unavailable(e.to_string()))?;
                    entries.push(entry);
                }
                let out = self
                    .client
                    .send_message_batch()
                    .queue_url(self.url(lane))
                    .set_entries(Some(entries))
                    .send()
                    .await
                    .map_err(unavailable)?;
                if let Some(failed) = out.failed().first() {
                    return Err(QueueError::Unavailable(format!(
                        "SQS refused {} of a batch: {}",
                        out.failed().len(),
                        failed.message().unwrap_or(failed.code())
                    )));
                }
            }
        }
        Ok(())
    }
}
