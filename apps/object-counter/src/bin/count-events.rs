//! Lambda: counts S3 object events delivered by SNS into the table named by `TABLE_NAME`.

use lambda_runtime::{service_fn, Error, LambdaEvent};
use object_counter::counter::Counter;
use object_counter::events::SnsEvent;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let table = std::env::var("TABLE_NAME").map_err(|_| "TABLE_NAME is not set")?;
    let config = aws_config::load_from_env().await;
    let counter = Counter::new(aws_sdk_dynamodb::Client::new(&config), table);
    lambda_runtime::run(service_fn(|event: LambdaEvent<SnsEvent>| {
        let counter = counter.clone();
        async move {
            let outcomes = counter.handle(event.payload).await?;
            tracing::info!(events = outcomes.len(), ?outcomes, "applied");
            Ok::<(), Error>(())
        }
    }))
    .await
}
