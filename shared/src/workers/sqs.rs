//! The SQS host: each record is one job; failures are reported per record (partial batch
//! response), so only those are retried, and after `maxReceiveCount` go to the DLQ.

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use chrono::{DateTime, Duration, Utc};

use super::{JobContext, gave_up, run};
use crate::app::AppState;
use crate::queue::Job;

/// Time a job may need (two AI calls with their retries, a send): a record is only
/// started with at least this much of the invocation left, else it is handed back to SQS.
pub const JOB_BUDGET: Duration = Duration::seconds(80);

/// `maxReceiveCount` of the jobs queues' redrive policy (template.yaml).
const MAX_RECEIVES: u32 = 5;

fn receive_count(record: &aws_lambda_events::sqs::SqsMessage) -> u32 {
    record.attributes.get("ApproximateReceiveCount").and_then(|c| c.parse().ok()).unwrap_or(1)
}

/// Handles a batch; `deadline` is the invocation's (Lambda context).
pub async fn handle_batch(state: &AppState, event: SqsEvent, deadline: DateTime<Utc>) -> SqsBatchResponse {
    // Leave a margin to report back before Lambda's own timeout.
    let ctx = JobContext { deadline: deadline - Duration::seconds(2), now: Utc::now() };
    let mut response = SqsBatchResponse::default();
    let mut failed_jobs = 0;
    for record in event.records {
        let id = record.message_id.clone().unwrap_or_default();
        if ctx.deadline - Utc::now() < JOB_BUDGET {
            tracing::info!(sqs_message_id = %id, "not enough time left in this invocation; handed back to SQS");
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = id;
            response.batch_item_failures.push(failure);
            continue;
        }
        let outcome = match record.body.as_deref().map(serde_json::from_str::<Job>) {
            // Boxed: the job future is large (every job's state machine), and each job
            // acts at its own start time.
            Some(Ok(job)) => match Box::pin(run(state, &job, &JobContext { now: Utc::now(), ..ctx })).await {
                Ok(()) => Ok(()),
                // The queue's redrive policy moves the record to the DLQ after this try.
                Err(e) if receive_count(&record) >= MAX_RECEIVES => {
                    gave_up(state, &job, &e).await;
                    Err(e.to_string())
                }
                Err(e) => Err(e.to_string()),
            },
            Some(Err(e)) => Err(format!("not a job: {e}")),
            None => Err("empty body".to_owned()),
        };
        if let Err(error) = outcome {
            failed_jobs += 1;
            tracing::warn!(sqs_message_id = %id, %error, "job failed; SQS will redeliver it");
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = id;
            response.batch_item_failures.push(failure);
        }
    }
    super::metrics::record_jobs_failed(failed_jobs);
    response
}

/// Runs a worker Lambda: every invocation is one SQS batch (the jobs or tasks queue).
pub async fn run_lambda(state: AppState) -> Result<(), lambda_runtime::Error> {
    lambda_runtime::run(lambda_runtime::service_fn(|event: lambda_runtime::LambdaEvent<SqsEvent>| {
        let state = state.clone();
        async move {
            let deadline = DateTime::from_timestamp_millis(i64::try_from(event.context.deadline).unwrap_or(i64::MAX))
                .unwrap_or_else(|| Utc::now() + Duration::seconds(30));
            Ok::<SqsBatchResponse, lambda_runtime::Error>(handle_batch(&state, event.payload, deadline).await)
        }
    }))
    .await
}
