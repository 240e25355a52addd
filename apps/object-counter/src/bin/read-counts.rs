//! Lambda: answers `GET /count[/{prefix}]` from the table `TABLE_NAME` for bucket `BUCKET_NAME`.

use lambda_runtime::{service_fn, Error, LambdaEvent};
use object_counter::api::{ApiRequest, Reader};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let table = std::env::var("TABLE_NAME").map_err(|_| "TABLE_NAME is not set")?;
    let bucket = std::env::var("BUCKET_NAME").map_err(|_| "BUCKET_NAME is not set")?;
    let config = aws_config::load_from_env().await;
    let reader = Reader::new(aws_sdk_dynamodb::Client::new(&config), table, bucket);
    lambda_runtime::run(service_fn(|event: LambdaEvent<ApiRequest>| {
        let reader = reader.clone();
        async move { Ok::<_, Error>(reader.handle(event.payload).await) }
    }))
    .await
}
