//! Items in a DynamoDB table keyed by `id` (a string). Pages are scans from the previous
//! page's last key; every write is conditional, so two clients never overwrite each other.

use std::collections::HashMap;

use anyhow::Context as _;
use async_trait::async_trait;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use aws_sdk_dynamodb::Client;
use items_contract::PARTITION_KEY;

use super::{encode_token, Store, StoreError};
use crate::item::{Item, Page};

const NAME: &str = "name";
const DESCRIPTION: &str = "description";
const VERSION: &str = "version";

pub struct DynamoStore {
    client: Client,
    table: String,
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoStore {
            client,
            table: table.into(),
        }
    }

    fn key(id: &str) -> HashMap<String, AttributeValue> {
        HashMap::from([(PARTITION_KEY.to_owned(), AttributeValue::S(id.to_owned()))])
    }

    /// After a refused conditional write: absent, or at another version.
    async fn why_refused(&self, id: &str, expected: u64) -> StoreError {
        match self.get(id).await {
            Ok(item) => StoreError::VersionConflict {
                id: id.to_owned(),
                expected,
                current: item.version,
            },
            Err(e) => e,
        }
    }
}

fn text(item: &HashMap<String, AttributeValue>, name: &str) -> anyhow::Result<String> {
    match item.get(name) {
        Some(AttributeValue::S(s)) => Ok(s.clone()),
        None => Ok(String::new()),
        Some(other) => anyhow::bail!("attribute {name} is not a string: {other:?}"),
    }
}

fn from_attributes(item: &HashMap<String, AttributeValue>) -> anyhow::Result<Item> {
    let version = match item.get(VERSION) {
        Some(AttributeValue::N(n)) => n.parse().context("attribute version")?,
        other => anyhow::bail!("attribute version is not a number: {other:?}"),
    };
    Ok(Item {
        id: text(item, PARTITION_KEY)?,
        name: text(item, NAME)?,
        description: text(item, DESCRIPTION)?,
        version,
    })
}

fn number(n: u64) -> AttributeValue {
    AttributeValue::N(n.to_string())
}

/// Whether a write was refused by its condition (and not by anything else).
fn condition_failed<E, R>(error: &SdkError<E, R>) -> bool
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata,
{
    error
        .as_service_error()
        .and_then(|e| e.code())
        .is_some_and(|code| code == "ConditionalCheckFailedException")
}

fn backend<E, R>(what: &str, error: SdkError<E, R>) -> StoreError
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let context = aws_sdk_dynamodb::error::DisplayErrorContext(error);
    StoreError::Backend(anyhow::anyhow!("{what}: {context}"))
}

#[async_trait]
impl Store for DynamoStore {
    async fn list(&self, limit: usize, after: Option<String>) -> Result<Page, StoreError> {
        let limit = i32::try_from(limit).unwrap_or(i32::MAX);
        let output = self
            .client
            .scan()
            .table_name(&self.table)
            .limit(limit)
            .consistent_read(true)
            .set_exclusive_start_key(after.as_deref().map(Self::key))
            .send()
            .await
            .map_err(|e| backend("scan", e))?;
        let items = output
            .items()
            .iter()
            .map(from_attributes)
            .collect::<anyhow::Result<Vec<_>>>()?;
        let next_token = output
            .last_evaluated_key()
            .and_then(|key| key.get(PARTITION_KEY))
            .and_then(|id| id.as_s().ok())
            .map(|id| encode_token(id));
        Ok(Page { items, next_token })
    }

    async fn get(&self, id: &str) -> Result<Item, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(Self::key(id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| backend("get item", e))?;
        match output.item() {
            Some(item) => Ok(from_attributes(item)?),
            None => Err(StoreError::NotFound(id.to_owned())),
        }
    }

    async fn create(&self, item: &Item) -> Result<(), StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .item(PARTITION_KEY, AttributeValue::S(item.id.clone()))
            .item(NAME, AttributeValue::S(item.name.clone()))
            .item(DESCRIPTION, AttributeValue::S(item.description.clone()))
            .item(VERSION, number(item.version))
            .condition_expression("attribute_not_exists(#id)")
            .expression_attribute_names("#id", PARTITION_KEY)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if condition_failed(&e) => Err(StoreError::AlreadyExists(item.id.clone())),
            Err(e) => Err(backend("put item", e)),
        }
    }

    async fn update(
        &self,
        id: &str,
        expected: u64,
        name: &str,
        description: &str,
    ) -> Result<Item, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(Self::key(id)))
            .update_expression("SET #n = :n, #d = :d, #v = :next")
            .condition_expression("#v = :expected")
            .expression_attribute_names("#n", NAME)
            .expression_attribute_names("#d", DESCRIPTION)
            .expression_attribute_names("#v", VERSION)
            .expression_attribute_values(":n", AttributeValue::S(name.to_owned()))
            .expression_attribute_values(":d", AttributeValue::S(description.to_owned()))
            .expression_attribute_values(":next", number(expected + 1))
            .expression_attribute_values(":expected", number(expected))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match result {
            Ok(output) => {
                let attributes = output
                    .attributes()
                    .context("update item returned no attributes")?;
                Ok(from_attributes(attributes)?)
            }
            Err(e) if condition_failed(&e) => Err(self.why_refused(id, expected).await),
            Err(e) => Err(backend("update item", e)),
        }
    }

    async fn delete(&self, id: &str, expected: u64) -> Result<(), StoreError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(Self::key(id)))
            .condition_expression("#v = :expected")
            .expression_attribute_names("#v", VERSION)
            .expression_attribute_values(":expected", number(expected))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if condition_failed(&e) => Err(self.why_refused(id, expected).await),
            Err(e) => Err(backend("delete item", e)),
        }
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.client
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
            .map_err(|e| backend("describe table", e))?;
        Ok(())
    }
}
