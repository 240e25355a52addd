//! Which check an object gets, from its content type, its key and its size.

use crate::contract::{MAX_IMAGE_BYTES, MAX_VIDEO_BYTES};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Media {
    Image,
    Video,
}

/// What to do with an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Plan {
    /// `DetectModerationLabels` (JPEG, PNG).
    CheckImage,
    /// `StartContentModeration` (MP4, MOV).
    CheckVideo,
    /// An image or video larger than Rekognition accepts.
    TooLarge(Media),
    /// An image or video type Rekognition cannot read (`image/gif`, `video/x-msvideo`...).
    Unsupported(Media),
    /// Not an image or video: left untagged.
    NotMedia,
}

/// The content type decides when it names a type; a missing or generic one
/// (`application/octet-stream`, which many uploaders send) leaves it to the key's extension.
pub fn plan(content_type: Option<&str>, key: &str, size: u64) -> Plan {
    let media = match content_type.map(essence).as_deref() {
        None | Some("" | "application/octet-stream" | "binary/octet-stream") => by_extension(key),
        Some("image/jpeg" | "image/jpg" | "image/pjpeg" | "image/png") => {
            Some(Format::Readable(Media::Image))
        }
        Some("video/mp4" | "video/quicktime") => Some(Format::Readable(Media::Video)),
        Some(other) if other.starts_with("image/") => Some(Format::Unreadable(Media::Image)),
        Some(other) if other.starts_with("video/") => Some(Format::Unreadable(Media::Video)),
        Some(_) => None,
    };
    match media {
        None => Plan::NotMedia,
        Some(Format::Unreadable(media)) => Plan::Unsupported(media),
        Some(Format::Readable(Media::Image)) if size > MAX_IMAGE_BYTES => {
            Plan::TooLarge(Media::Image)
        }
        Some(Format::Readable(Media::Video)) if size > MAX_VIDEO_BYTES => {
            Plan::TooLarge(Media::Video)
        }
        Some(Format::Readable(Media::Image)) => Plan::CheckImage,
        Some(Format::Readable(Media::Video)) => Plan::CheckVideo,
    }
}

/// An image or video, in a format Rekognition reads or not.
enum Format {
    Readable(Media),
    Unreadable(Media),
}

/// `image/JPEG; charset=binary` → `image/jpeg`.
fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Only the formats Rekognition reads are recognised by extension.
fn by_extension(key: &str) -> Option<Format> {
    let extension = key.rsplit_once('.')?.1.to_ascii_lowercase();
    match extension.as_str() {
        "jpg" | "jpeg" | "png" => Some(Format::Readable(Media::Image)),
        "mp4" | "mov" => Some(Format::Readable(Media::Video)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_type_first_then_extension() {
        assert_eq!(plan(Some("image/jpeg"), "a.bin", 10), Plan::CheckImage);
        assert_eq!(plan(Some("Image/PNG; x=y"), "a", 10), Plan::CheckImage);
        assert_eq!(plan(Some("video/quicktime"), "clip", 10), Plan::CheckVideo);
        assert_eq!(plan(None, "catalog/Shoe.JPEG", 10), Plan::CheckImage);
        assert_eq!(
            plan(Some("binary/octet-stream"), "v/a.mov", 10),
            Plan::CheckVideo
        );
        assert_eq!(plan(Some("text/css"), "styles.jpg", 10), Plan::NotMedia);
        assert_eq!(plan(None, "README", 10), Plan::NotMedia);
        assert_eq!(plan(None, "doc.pdf", 10), Plan::NotMedia);
        assert_eq!(
            plan(Some("image/gif"), "a.gif", 10),
            Plan::Unsupported(Media::Image)
        );
    }

    #[test]
    fn rekognition_limits_are_inclusive() {
        assert_eq!(
            plan(Some("image/png"), "a", MAX_IMAGE_BYTES),
            Plan::CheckImage
        );
        assert_eq!(
            plan(Some("image/png"), "a", MAX_IMAGE_BYTES + 1),
            Plan::TooLarge(Media::Image)
        );
        assert_eq!(
            plan(Some("video/mp4"), "a", MAX_VIDEO_BYTES),
            Plan::CheckVideo
        );
        assert_eq!(
            plan(Some("video/mp4"), "a", MAX_VIDEO_BYTES + 1),
            Plan::TooLarge(Media::Video)
        );
    }
}
