//! Both stores keep the same promises: conditional create, update and delete at the expected
//! version, pages that visit every item once. DynamoDB's API is moto's, not a mock.

mod common;

use std::collections::BTreeSet;

use items::item::Item;
use items::store::{DynamoStore, MemoryStore, Store, StoreError};

fn item(id: &str) -> Item {
    Item {
        id: id.to_owned(),
        name: format!("name of {id}"),
        description: String::new(),
        version: 1,
    }
}

async fn keeps_its_promises(store: &dyn Store) {
    store.create(&item("a")).await.unwrap();
    assert!(
        matches!(store.create(&item("a")).await, Err(StoreError::AlreadyExists(id)) if id == "a")
    );

    let updated = store.update("a", 1, "renamed", "new text").await.unwrap();
    assert_eq!((updated.version, updated.name.as_str()), (2, "renamed"));
    assert_eq!(store.get("a").await.unwrap(), updated);
    // A client that read version 1 loses: nothing is overwritten, and it learns the current one.
    match store.update("a", 1, "stale", "").await {
        Err(StoreError::VersionConflict {
            current: 2,
            expected: 1,
            ..
        }) => {}
        other => panic!("expected a version conflict, got {other:?}"),
    }
    assert_eq!(store.get("a").await.unwrap().name, "renamed");
    assert!(matches!(
        store.update("absent", 1, "x", "").await,
        Err(StoreError::NotFound(_))
    ));

    assert!(matches!(
        store.delete("a", 1).await,
        Err(StoreError::VersionConflict { current: 2, .. })
    ));
    store.delete("a", 2).await.unwrap();
    assert!(matches!(store.get("a").await, Err(StoreError::NotFound(_))));
    assert!(matches!(
        store.delete("a", 2).await,
        Err(StoreError::NotFound(_))
    ));
}

async fn pages_visit_every_item_once(store: &dyn Store) {
    let ids: BTreeSet<String> = (0..23).map(|i| format!("item-{i:02}")).collect();
    for id in &ids {
        store.create(&item(id)).await.unwrap();
    }
    let mut seen = Vec::new();
    let mut after = None;
    let mut pages = 0;
    loop {
        let page = store.list(5, after).await.unwrap();
        assert!(page.items.len() <= 5);
        seen.extend(page.items.into_iter().map(|i| i.id));
        pages += 1;
        match page.next_token {
            Some(token) => after = Some(items::store::decode_token(&token).unwrap()),
            None => break,
        }
        assert!(pages < 20, "pagination does not end");
    }
    assert_eq!(seen.len(), ids.len(), "every item exactly once: {seen:?}");
    assert_eq!(seen.into_iter().collect::<BTreeSet<_>>(), ids);
    assert!(pages >= 5, "23 items in pages of 5 took {pages} pages");
}

#[tokio::test]
async fn the_memory_store_keeps_its_promises() {
    keeps_its_promises(&MemoryStore::new()).await;
    pages_visit_every_item_once(&MemoryStore::new()).await;
}

#[tokio::test]
async fn the_dynamodb_store_keeps_its_promises() {
    let client = common::client();
    let table = common::table(&client, "promises").await;
    keeps_its_promises(&DynamoStore::new(client.clone(), table)).await;
    let table = common::table(&client, "pages").await;
    let store = DynamoStore::new(client, table);
    store.ping().await.unwrap();
    pages_visit_every_item_once(&store).await;
}

#[tokio::test]
async fn a_missing_table_is_a_backend_error_not_a_missing_item() {
    let store = DynamoStore::new(common::client(), "no-such-table");
    assert!(matches!(store.get("a").await, Err(StoreError::Backend(_))));
    assert!(store.ping().await.is_err());
}
