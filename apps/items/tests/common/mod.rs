//! A DynamoDB API served locally: moto in server mode on loopback (one server for the test
//! binary, from stackcraft-testkit: one request at a time, so conditional writes are as atomic
//! as DynamoDB's), and fresh tables in it. Without moto these tests fail and say so.

use std::time::Duration;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
};
use aws_sdk_dynamodb::Client;

pub fn client() -> Client {
    let creds =
        aws_sdk_dynamodb::config::Credentials::new("testing", "testing", None, None, "tests");
    let timeouts = aws_sdk_dynamodb::config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(60))
        .build();
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version_latest()
        .region(aws_sdk_dynamodb::config::Region::new("eu-central-1"))
        .credentials_provider(creds)
        .endpoint_url(stackcraft_testkit::moto::shared().url())
        .timeout_config(timeouts)
        .build();
    Client::from_conf(config)
}

/// A fresh table with the blueprint's key schema (`id`, a string).
pub async fn table(client: &Client, name: &str) -> String {
    client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name(items_contract::PARTITION_KEY)
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(items_contract::PARTITION_KEY)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    name.to_owned()
}
