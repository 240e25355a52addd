//! Lambda: moderates the media bucket's new objects and finishes video jobs; settings from the
//! environment variables of `moderation::contract`.

use lambda_runtime::{service_fn, Error, LambdaEvent};
use moderation::settings::Settings;
use moderation::{logging, rekognition, Moderator};

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing::subscriber::set_global_default(logging::json_subscriber(std::io::stdout))?;
    let settings = Settings::from_env()?;
    let config = aws_config::load_from_env().await;
    let rekognition_config = aws_sdk_rekognition::config::Builder::from(&config)
        .retry_config(rekognition::retry_config())
        .build();
    let moderator = Moderator::new(
        aws_sdk_s3::Client::new(&config),
        aws_sdk_rekognition::Client::from_conf(rekognition_config),
        settings,
    );
    lambda_runtime::run(service_fn(|event: LambdaEvent<serde_json::Value>| {
        let moderator = moderator.clone();
        async move {
            let outcomes = moderator.handle(&event.payload).await?;
            Ok::<usize, Error>(outcomes.len())
        }
    }))
    .await
}
