//! Assets: files that a stack needs uploaded before it deploys (Lambda zips, web sites).

use std::path::PathBuf;

/// The bootstrap bucket that holds every asset of an account and region, as a `Fn::Sub`
/// template string. `stackcraft bootstrap` creates it; templates reference assets in it by key.
pub const ASSET_BUCKET: &str = "stackcraft-assets-${AWS::AccountId}-${AWS::Region}";

/// The bootstrap stack's name.
pub const BOOTSTRAP_STACK: &str = "stackcraft-bootstrap";

/// A file asset, addressed by the SHA-256 of its content, so an unchanged asset is never
/// uploaded twice and the template changes exactly when the content does.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Asset {
    /// Hex SHA-256 of the packaged content.
    pub hash: String,
    /// What the asset is: a zip to upload as one object, or a directory to sync.
    pub packaging: Packaging,
    /// Where the packaged content is on disk when synth runs; copied into the assembly.
    pub source: PathBuf,
    /// Object key under the asset bucket (`assets/<hash>.zip`, `sites/<hash>/`).
    pub object_key: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Packaging {
    Zip,
    Directory,
}
