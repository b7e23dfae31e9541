//! Lambda for `/api/follow-ups/*`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let state = leadflow::app::init_lambda().await;
    lambda_http::run(leadflow::api::follow_ups::router(state)).await
}
