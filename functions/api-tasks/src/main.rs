//! Lambda for `/api/tasks/*`, `/api/teams/*` and `/api/agents/*`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let state = leadflow::app::init_lambda().await;
    lambda_http::run(leadflow::api::tasks::router(state)).await
}
