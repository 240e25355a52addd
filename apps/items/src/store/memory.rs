//! Items in memory, in id order: the laptop default (nothing to install, gone on exit).

use std::collections::BTreeMap;
use std::ops::Bound;

use async_trait::async_trait;
use tokio::sync::Mutex;

use super::{encode_token, Store, StoreError};
use crate::item::{Item, Page};

#[derive(Default)]
pub struct MemoryStore {
    items: Mutex<BTreeMap<String, Item>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }
}

fn at_version<'a>(
    items: &'a mut BTreeMap<String, Item>,
    id: &str,
    expected: u64,
) -> Result<&'a mut Item, StoreError> {
    let item = items
        .get_mut(id)
        .ok_or_else(|| StoreError::NotFound(id.to_owned()))?;
    if item.version != expected {
        return Err(StoreError::VersionConflict {
            id: id.to_owned(),
            expected,
            current: item.version,
        });
    }
    Ok(item)
}

#[async_trait]
impl Store for MemoryStore {
    async fn list(&self, limit: usize, after: Option<String>) -> Result<Page, StoreError> {
        let items = self.items.lock().await;
        let start = after.map_or(Bound::Unbounded, Bound::Excluded);
        let page: Vec<Item> = items
            .range((start, Bound::Unbounded))
            .take(limit)
            .map(|(_, item)| item.clone())
            .collect();
        let more = page.last().is_some_and(|last| {
            items
                .range::<String, _>((Bound::Excluded(&last.id), Bound::Unbounded))
                .next()
                .is_some()
        });
        let next_token = if more {
            page.last().map(|last| encode_token(&last.id))
        } else {
            None
        };
        Ok(Page {
            items: page,
            next_token,
        })
    }

    async fn get(&self, id: &str) -> Result<Item, StoreError> {
        let items = self.items.lock().await;
        items
            .get(id)
            .cloned()
            .ok_or_else(|| StoreError::NotFound(id.to_owned()))
    }

    async fn create(&self, item: &Item) -> Result<(), StoreError> {
        let mut items = self.items.lock().await;
        if items.contains_key(&item.id) {
            return Err(StoreError::AlreadyExists(item.id.clone()));
        }
        items.insert(item.id.clone(), item.clone());
        Ok(())
    }

    async fn update(
        &self,
        id: &str,
        expected: u64,
        name: &str,
        description: &str,
    ) -> Result<Item, StoreError> {
        let mut items = self.items.lock().await;
        let item = at_version(&mut items, id, expected)?;
        item.name = name.to_owned();
        item.description = description.to_owned();
        item.version += 1;
        Ok(item.clone())
    }

    async fn delete(&self, id: &str, expected: u64) -> Result<(), StoreError> {
        let mut items = self.items.lock().await;
        at_version(&mut items, id, expected)?;
        items.remove(id);
        Ok(())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        Ok(())
    }
}
