//! What the function and whoever deploys it (the magento-webshop blueprint) agree on: the
//! environment variables it reads, their defaults, the tags it writes and the IAM actions it
//! calls. Written once here; the blueprint imports it (this module needs no feature and no
//! dependency) instead of typing the names again.

/// Minimum confidence (0–100) a moderation label needs to be returned, and so to count; sent to
/// Rekognition as `MinConfidence`. Default [`DEFAULT_MIN_CONFIDENCE`].
pub const MIN_CONFIDENCE: &str = "MODERATION_MIN_CONFIDENCE";

/// The labels that make an object inappropriate: label names of any level of Rekognition's
/// moderation taxonomy, separated by commas, matched without regard to case. A detected label
/// counts when it, or one of its ancestors, is listed, so naming a top-level category covers
/// everything under it. Default [`DEFAULT_INAPPROPRIATE_LABELS`].
pub const INAPPROPRIATE_LABELS: &str = "MODERATION_INAPPROPRIATE_LABELS";

/// ARN of the SNS topic Rekognition Video publishes a finished moderation job to; the same
/// function subscribes to it. Set together with [`VIDEO_ROLE_ARN`]; when neither is set, videos
/// are tagged [`tags::UNCHECKED`] with the note [`notes::VIDEO_NOT_CONFIGURED`].
pub const VIDEO_TOPIC_ARN: &str = "MODERATION_VIDEO_TOPIC_ARN";

/// ARN of the IAM role Rekognition Video assumes to publish to [`VIDEO_TOPIC_ARN`] (the
/// function passes it, so it needs `iam:PassRole` on it).
pub const VIDEO_ROLE_ARN: &str = "MODERATION_VIDEO_ROLE_ARN";

/// Every environment variable the function reads.
pub const ENV_VARS: &[&str] = &[
    MIN_CONFIDENCE,
    INAPPROPRIATE_LABELS,
    VIDEO_TOPIC_ARN,
    VIDEO_ROLE_ARN,
];

/// Rekognition's own default is 50; a shop tags fewer false positives at 60.
pub const DEFAULT_MIN_CONFIDENCE: f32 = 60.0;

/// The explicit, violent and hateful categories of Rekognition's moderation taxonomy, by their
/// names in model version 7 (`Explicit`, `Non-Explicit Nudity of Intimate parts and Kissing`)
/// and in version 6 (`Explicit Nudity`). Left out on purpose, because a shop sells or shows
/// them: `Swimwear or Underwear` / `Suggestive`, `Alcohol`, `Drugs & Tobacco`, `Gambling`,
/// `Rude Gestures`.
pub const DEFAULT_INAPPROPRIATE_LABELS: &[&str] = &[
    "Explicit",
    "Explicit Nudity",
    "Non-Explicit Nudity of Intimate parts and Kissing",
    "Violence",
    "Visually Disturbing",
    "Hate Symbols",
];

/// The object tags the function writes. It replaces only these keys and keeps every other tag.
pub mod tags {
    /// `true` (a listed label was found), `false` (checked, nothing listed found) or
    /// [`UNCHECKED`] (not checked; [`NOTE`] says why). Absent: not media, or a video whose
    /// job has not finished yet.
    pub const INAPPROPRIATE: &str = "InappropriateContent";
    /// Why an object is [`UNCHECKED`]: one of [`super::notes`]. Written only with `unchecked`
    /// (and removed otherwise).
    pub const NOTE: &str = "ModerationNote";

    pub const TRUE: &str = "true";
    pub const FALSE: &str = "false";
    pub const UNCHECKED: &str = "unchecked";
}

/// The values of [`tags::NOTE`].
pub mod notes {
    /// Larger than Rekognition accepts: [`super::MAX_IMAGE_BYTES`], [`super::MAX_VIDEO_BYTES`],
    /// or Rekognition said so (image dimensions, video longer than 6 hours).
    pub const TOO_LARGE: &str = "too-large";
    /// An image or video Rekognition cannot read (GIF, WebP, AVI, a corrupt file...).
    pub const UNSUPPORTED_FORMAT: &str = "unsupported-format";
    /// Rekognition Video reports the job FAILED (its status message is logged).
    pub const JOB_FAILED: &str = "job-failed";
    /// A video, but [`super::VIDEO_TOPIC_ARN`] and [`super::VIDEO_ROLE_ARN`] are not set.
    pub const VIDEO_NOT_CONFIGURED: &str = "video-not-configured";
}

/// Rekognition's limit for an image passed as an S3 object (15 MB).
pub const MAX_IMAGE_BYTES: u64 = 15 * 1024 * 1024;
/// Rekognition Video's limit for a stored video (10 GB).
pub const MAX_VIDEO_BYTES: u64 = 10 * 1024 * 1024 * 1024;

/// The IAM actions the function calls, for exact grants.
pub mod iam {
    /// On the media bucket's objects (`arn:aws:s3:::<bucket>/*`). `HeadObject` and
    /// Rekognition's read of the object need `s3:GetObject`; the `...Version...` actions are
    /// used when the bucket is versioned (the event names a version). With SSE-KMS, Rekognition
    /// reads through the function's permissions: add `kms:Decrypt` on the bucket's key.
    pub const S3_OBJECT_ACTIONS: &[&str] = &[
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:GetObjectTagging",
        "s3:GetObjectVersionTagging",
        "s3:PutObjectTagging",
        "s3:PutObjectVersionTagging",
    ];
    /// Rekognition's moderation operations (they support no resource-level permissions).
    pub const REKOGNITION_ACTIONS: &[&str] = &[
        "rekognition:DetectModerationLabels",
        "rekognition:StartContentModeration",
        "rekognition:GetContentModeration",
    ];
    /// On the role named by [`super::VIDEO_ROLE_ARN`].
    pub const PASS_ROLE: &str = "iam:PassRole";
}
