//! Lambda for `/api/bookings/*`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let state = leadflow::app::init_lambda().await;
    lambda_http::run(leadflow::api::bookings::router(state)).await
}
