//! Lambda for `/api/leads/*`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let state = leadflow::app::init_lambda().await;
    lambda_http::run(leadflow::api::leads::router(state)).await
}
