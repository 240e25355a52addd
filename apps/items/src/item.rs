//! What an item is, what a client may send, and the checks on it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Longest id, name and description accepted (characters).
pub const MAX_ID: usize = 128;
pub const MAX_NAME: usize = 200;
pub const MAX_DESCRIPTION: usize = 2000;

/// A stored item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Item {
    #[schema(example = "0193b7a2-3c4d-7e8f-9a0b-1c2d3e4f5a6b")]
    pub id: String,
    #[schema(example = "Teapot")]
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Starts at 1 and grows by one with every update; send it back to update or delete.
    pub version: u64,
}

/// The body of `POST /items`.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewItem {
    /// The id to create; the item is created only if no item has it (default: a new UUIDv7).
    pub id: Option<String>,
    pub name: String,
    #[serde(default)]
    pub description: String,
}

/// The body of `PUT /items/{id}`.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemUpdate {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The version the client last read: the update applies only if it is still current.
    pub version: u64,
}

/// One page of items: in id order in memory, in the table's own order on DynamoDB. A page
/// may be shorter than asked (even empty) and still have a next token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Page {
    pub items: Vec<Item>,
    /// Pass as `next_token` for the following page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// Why a client's item was refused: which field, and what is wrong with it.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{field}: {problem}")]
pub struct Invalid {
    pub field: &'static str,
    pub problem: String,
}

fn check_text(field: &'static str, value: &str, max: usize, required: bool) -> Result<(), Invalid> {
    if required && value.trim().is_empty() {
        return Err(Invalid {
            field,
            problem: "must not be empty".to_owned(),
        });
    }
    if value.chars().count() > max {
        return Err(Invalid {
            field,
            problem: format!("longer than {max} characters"),
        });
    }
    Ok(())
}

/// An id: 1 to [`MAX_ID`] characters of `A-Z a-z 0-9 - _ .` (safe in a URL path).
pub fn check_id(id: &str) -> Result<(), Invalid> {
    let ok = !id.is_empty()
        && id.len() <= MAX_ID
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(Invalid {
            field: "id",
            problem: format!("1 to {MAX_ID} characters of A-Z, a-z, 0-9, '-', '_', '.'"),
        })
    }
}

impl NewItem {
    /// The item to create, with a fresh id when none was given.
    pub fn into_item(self) -> Result<Item, Invalid> {
        let id = self.id.unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
        check_id(&id)?;
        check_text("name", &self.name, MAX_NAME, true)?;
        check_text("description", &self.description, MAX_DESCRIPTION, false)?;
        Ok(Item {
            id,
            name: self.name,
            description: self.description,
            version: 1,
        })
    }
}

impl ItemUpdate {
    pub fn check(&self) -> Result<(), Invalid> {
        check_text("name", &self.name, MAX_NAME, true)?;
        check_text("description", &self.description, MAX_DESCRIPTION, false)
    }
}
