//! Lambda for the EventBridge schedule (every minute).

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let state = leadflow::app::init_lambda().await;
    lambda_runtime::run(service_fn(|_: LambdaEvent<Value>| {
        let state = state.clone();
        async move { Ok::<Value, Error>(leadflow::workers::schedule::tick(&state, chrono::Utc::now()).await?) }
    }))
    .await
}
