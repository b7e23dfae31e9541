//! Lambda for the tasks queue (routing, Slack, Salesforce, event retries): each SQS record is a job; failed ones are reported.

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let state = leadflow::app::init_lambda().await;
    lambda_runtime::run(service_fn(|event: LambdaEvent<SqsEvent>| {
        let state = state.clone();
        async move {
            let deadline = chrono::DateTime::from_timestamp_millis(event.context.deadline as i64).unwrap_or_default();
            Ok::<SqsBatchResponse, Error>(leadflow::workers::sqs::handle_batch(&state, event.payload, deadline).await)
        }
    }))
    .await
}
