//! Lambda for `/api/messages/*`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let state = leadflow::app::init_lambda().await;
    lambda_http::run(leadflow::api::messages::router(state)).await
}
