//! Lambda for the jobs queue (message processing): each SQS record is a job; failed ones are reported.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let state = leadflow::app::init_lambda().await;
    leadflow::workers::sqs::run_lambda(state).await
}
