//! Static sites that deploy publishes once the stack that owns them is deployed: the files of a
//! directory asset go into a bucket of the stack, `config.json` is written from the stack's
//! outputs, and the distribution in front of the bucket is invalidated where files changed.

use indexmap::IndexMap;

/// Where a site's files go, recorded in the cloud assembly's manifest (`stacks.<name>.sites`).
/// Bucket and distribution are logical ids of the stack: deploy finds their physical ids
/// (bucket name, distribution id) among the deployed stack's resources, so no output has to
/// carry them.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SitePublication {
    /// The site's construct path (`counter/Site`), for messages.
    pub path: String,
    /// The hash of the directory asset that holds the files.
    pub asset: String,
    /// Logical id of the bucket the files are published to.
    pub bucket: String,
    /// Logical id of the CloudFront distribution to invalidate.
    pub distribution: String,
    /// `config.json`, when not empty: key → the name of the stack output that gives its value.
    /// It replaces any `config.json` of the source directory.
    pub config: IndexMap<String, String>,
}

impl SitePublication {
    pub fn new(
        path: impl Into<String>,
        asset: impl Into<String>,
        bucket: impl Into<String>,
        distribution: impl Into<String>,
    ) -> SitePublication {
        SitePublication {
            path: path.into(),
            asset: asset.into(),
            bucket: bucket.into(),
            distribution: distribution.into(),
            config: IndexMap::new(),
        }
    }
}

/// The name of the file written from the stack's outputs.
pub const SITE_CONFIG_FILE: &str = "config.json";
