//! The table layout, shared by both functions.
//!
//! One table, key `pk` (string) + `sk` (string):
//! - counters: `pk = "count#<bucket>"`, `sk = <prefix>` (`"/"` is the whole bucket — DynamoDB
//!   keys cannot be empty —, then `"a/"`, `"a/b/"`...), attributes `created`, `removed`,
//!   `current` (numbers);
//! - objects: `pk = "object#<bucket>/<key>"`, `sk = "state"`, attributes `present` (bool),
//!   `sequencer` (the last applied event's, normalized for ordering), `expires_at` (epoch
//!   seconds, the table's TTL attribute: the state of a removed object expires after a week).

pub const PARTITION_KEY: &str = "pk";
pub const SORT_KEY: &str = "sk";
/// The table's time-to-live attribute.
pub const TTL_ATTRIBUTE: &str = "expires_at";
/// How long the state of a removed object is kept, to recognise late duplicates.
pub const REMOVED_STATE_TTL_SECS: i64 = 7 * 24 * 3600;

pub fn counter_pk(bucket: &str) -> String {
    format!("count#{bucket}")
}

pub fn object_pk(bucket: &str, key: &str) -> String {
    format!("object#{bucket}/{key}")
}

pub const OBJECT_SK: &str = "state";

/// The prefix that stands for the whole bucket.
pub const BUCKET_PREFIX: &str = "/";

/// Every prefix an object counts under: the bucket (`"/"`) and each folder on its path.
pub fn prefixes(key: &str) -> Vec<&str> {
    let mut out = vec![BUCKET_PREFIX];
    out.extend(key.match_indices('/').map(|(i, _)| &key[..=i]));
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn prefixes_are_every_folder_on_the_path() {
        assert_eq!(super::prefixes("a/b/c.jpg"), ["/", "a/", "a/b/"]);
        assert_eq!(super::prefixes("c.jpg"), ["/"]);
    }
}
