//! `GET /count` and `GET /count/{prefix}`, behind an API Gateway REST API (Lambda proxy).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::table::*;

/// The parts of an API Gateway proxy request the API reads.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiRequest {
    pub http_method: String,
    #[serde(default)]
    pub path_parameters: Option<HashMap<String, String>>,
}

/// An API Gateway proxy response.
#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ApiResponse {
    pub status_code: u16,
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl ApiResponse {
    fn json(status_code: u16, body: serde_json::Value) -> Self {
        let headers = HashMap::from([("content-type".to_owned(), "application/json".to_owned())]);
        ApiResponse {
            status_code,
            headers,
            body: body.to_string(),
        }
    }

    /// The body, parsed (for tests and clients).
    pub fn body_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// The counts of one prefix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub prefix: String,
    pub created: i64,
    pub removed: i64,
    pub current: i64,
}

/// Reads the counts of one bucket.
#[derive(Clone)]
pub struct Reader {
    client: Client,
    table: String,
    bucket: String,
}

impl Reader {
    pub fn new(client: Client, table: impl Into<String>, bucket: impl Into<String>) -> Self {
        Reader {
            client,
            table: table.into(),
            bucket: bucket.into(),
        }
    }

    /// Answers a request; never fails: errors become JSON responses, details go to the log.
    pub async fn handle(&self, request: ApiRequest) -> ApiResponse {
        if request.http_method != "GET" {
            return ApiResponse::json(405, json!({"error": "only GET is supported"}));
        }
        let prefix = request
            .path_parameters
            .as_ref()
            .and_then(|p| p.get("prefix"));
        let result = match prefix {
            None => self.all().await.map(|counts| {
                ApiResponse::json(200, json!({"bucket": self.bucket, "prefixes": counts}))
            }),
            Some(prefix) => {
                let prefix = normalize_prefix(prefix);
                self.one(&prefix).await.map(|counts| match counts {
                    Some(c) => ApiResponse::json(200, json!({"bucket": self.bucket, "prefix": c.prefix, "created": c.created, "removed": c.removed, "current": c.current})),
                    None => ApiResponse::json(404, json!({"error": format!("no objects were counted under prefix {prefix:?}")})),
                })
            }
        };
        result.unwrap_or_else(|e| {
            tracing::error!(error = %e, "reading counts failed");
            ApiResponse::json(
                500,
                json!({"error": "the counts could not be read; try again"}),
            )
        })
    }

    /// Every prefix of the bucket, in key order.
    pub async fn all(&self) -> Result<Vec<Counts>, String> {
        let mut out = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", AttributeValue::S(counter_pk(&self.bucket)))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| aws_sdk_dynamodb::error::DisplayErrorContext(e).to_string())?;
            out.extend(page.items().iter().map(counts_of));
            match page.last_evaluated_key {
                Some(key) => start = Some(key),
                None => return Ok(out),
            }
        }
    }

    pub async fn one(&self, prefix: &str) -> Result<Option<Counts>, String> {
        let item = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PARTITION_KEY, AttributeValue::S(counter_pk(&self.bucket)))
            .key(SORT_KEY, AttributeValue::S(prefix.to_owned()))
            .send()
            .await
            .map_err(|e| aws_sdk_dynamodb::error::DisplayErrorContext(e).to_string())?
            .item;
        Ok(item.as_ref().map(counts_of))
    }
}

/// `uploads` and `uploads/` name the same prefix; `/` (or nothing) is the whole bucket.
pub fn normalize_prefix(prefix: &str) -> String {
    let trimmed = prefix.trim_matches('/');
    if trimmed.is_empty() {
        BUCKET_PREFIX.to_owned()
    } else {
        format!("{trimmed}/")
    }
}

fn counts_of(item: &HashMap<String, AttributeValue>) -> Counts {
    let number = |name: &str| match item.get(name) {
        Some(AttributeValue::N(n)) => n.parse().unwrap_or(0),
        _ => 0,
    };
    let prefix = match item.get(SORT_KEY) {
        Some(AttributeValue::S(s)) => s.clone(),
        _ => String::new(),
    };
    Counts {
        prefix,
        created: number("created"),
        removed: number("removed"),
        current: number("current"),
    }
}
