//! Lambda for `/api/crm/*` (and `/api/health`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let state = leadflow::app::init_lambda().await;
    lambda_http::run(leadflow::api::crm::lambda_router(state)).await
}
