//! Writing the verdict as object tags, keeping the object's other tags.
//!
//! S3 replaces an object's whole tag set at once, so the function reads the set, replaces its
//! own keys and writes the set back. Between the two calls another writer's change to the tags
//! can be lost (S3 offers no condition on tagging); the shop's own tag writers should not run on
//! fresh uploads.

use aws_sdk_s3::types::{Tag, Tagging};
use aws_sdk_s3::Client;

use crate::contract::tags;
use crate::error::ModerationError;
use crate::object::{s3_error, ObjectRef};
use crate::verdict::Verdict;

/// S3's limit of tags per object.
pub const MAX_TAGS: usize = 10;

/// The tag set after writing `verdict` over `existing`: every other tag kept, in its order,
/// then ours. When the set would exceed [`MAX_TAGS`] the note is left out; when not even
/// [`tags::INAPPROPRIATE`] fits, `Err` with the number of other tags.
pub fn merged(
    existing: &[(String, String)],
    verdict: &Verdict,
) -> Result<Vec<(String, String)>, usize> {
    let mut set: Vec<(String, String)> = existing
        .iter()
        .filter(|(k, _)| k != tags::INAPPROPRIATE && k != tags::NOTE)
        .cloned()
        .collect();
    let others = set.len();
    if others >= MAX_TAGS {
        return Err(others);
    }
    set.push((
        tags::INAPPROPRIATE.to_owned(),
        verdict.tag_value().to_owned(),
    ));
    if let Some(note) = verdict.note().filter(|_| set.len() < MAX_TAGS) {
        set.push((tags::NOTE.to_owned(), note.to_owned()));
    }
    Ok(set)
}

/// Reads the object's tags and writes them back with the verdict.
pub async fn write_verdict(
    s3: &Client,
    object: &ObjectRef,
    verdict: &Verdict,
) -> Result<(), ModerationError> {
    let current = s3
        .get_object_tagging()
        .bucket(&object.bucket)
        .key(&object.key)
        .set_version_id(object.version_id.clone())
        .send()
        .await
        .map_err(|e| s3_error("GetObjectTagging", object, e))?;
    let existing: Vec<(String, String)> = current
        .tag_set()
        .iter()
        .map(|t| (t.key().to_owned(), t.value().to_owned()))
        .collect();
    let set = merged(&existing, verdict).map_err(|existing| ModerationError::TagSetFull {
        object: object.to_string(),
        existing,
        tag: tags::INAPPROPRIATE,
    })?;
    let tag_set = set
        .into_iter()
        .map(|(key, value)| Tag::builder().key(key).value(value).build())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| s3_error("PutObjectTagging", object, e))?;
    let tagging = Tagging::builder()
        .set_tag_set(Some(tag_set))
        .build()
        .map_err(|e| s3_error("PutObjectTagging", object, e))?;
    s3.put_object_tagging()
        .bucket(&object.bucket)
        .key(&object.key)
        .set_version_id(object.version_id.clone())
        .tagging(tagging)
        .send()
        .await
        .map_err(|e| s3_error("PutObjectTagging", object, e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::notes;

    fn tag(k: &str, v: &str) -> (String, String) {
        (k.to_owned(), v.to_owned())
    }

    #[test]
    fn own_tags_are_replaced_and_others_kept_in_order() {
        let existing = [
            tag("Owner", "alice"),
            tag(tags::INAPPROPRIATE, "true"),
            tag(tags::NOTE, notes::TOO_LARGE),
            tag("sku", "SHOE-1"),
        ];
        assert_eq!(
            merged(&existing, &Verdict::Appropriate).unwrap(),
            [
                tag("Owner", "alice"),
                tag("sku", "SHOE-1"),
                tag(tags::INAPPROPRIATE, "false")
            ]
        );
    }

    #[test]
    fn the_note_gives_way_to_the_limit_and_a_full_set_is_an_error() {
        let nine: Vec<_> = (0..9).map(|i| tag(&format!("k{i}"), "v")).collect();
        let set = merged(&nine, &Verdict::too_large()).unwrap();
        assert_eq!(set.len(), MAX_TAGS);
        assert_eq!(set[9], tag(tags::INAPPROPRIATE, tags::UNCHECKED));

        let eight = &nine[..8];
        let set = merged(eight, &Verdict::too_large()).unwrap();
        assert_eq!(set[9], tag(tags::NOTE, notes::TOO_LARGE));

        let mut ten = nine.clone();
        ten.push(tag("k9", "v"));
        assert_eq!(merged(&ten, &Verdict::Appropriate), Err(10));
        // Our own old tags do not count against the limit.
        ten[9] = tag(tags::INAPPROPRIATE, "true");
        assert!(merged(&ten, &Verdict::Appropriate).is_ok());
    }
}
