//! Where items live: DynamoDB on AWS, memory on a laptop. Both keep the same promises, and the
//! same tests (`tests/store.rs`) hold them to it.

mod dynamo;
mod memory;
mod token;

use async_trait::async_trait;

pub use dynamo::DynamoStore;
pub use memory::MemoryStore;
pub use token::{decode_token, encode_token};

use crate::item::{Item, Page};

/// What a store refuses, and why.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no item has id {0}")]
    NotFound(String),
    #[error("an item with id {0} already exists")]
    AlreadyExists(String),
    #[error("item {id} is at version {current}, not {expected}")]
    VersionConflict {
        id: String,
        expected: u64,
        current: u64,
    },
    #[error("the next token is not one this API handed out")]
    BadToken,
    #[error(transparent)]
    Backend(#[from] anyhow::Error),
}

/// Items by id, with conditional writes.
#[async_trait]
pub trait Store: Send + Sync {
    /// Up to `limit` items after the position `after` (an id, from the previous page).
    async fn list(&self, limit: usize, after: Option<String>) -> Result<Page, StoreError>;
    async fn get(&self, id: &str) -> Result<Item, StoreError>;
    /// Stores `item` only if no item has its id.
    async fn create(&self, item: &Item) -> Result<(), StoreError>;
    /// Replaces name and description only if the item is at `expected`; returns the item at
    /// its new version.
    async fn update(
        &self,
        id: &str,
        expected: u64,
        name: &str,
        description: &str,
    ) -> Result<Item, StoreError>;
    /// Removes the item only if it is at `expected`.
    async fn delete(&self, id: &str, expected: u64) -> Result<(), StoreError>;
    /// Whether the backend answers (readiness).
    async fn ping(&self) -> Result<(), StoreError>;
}
