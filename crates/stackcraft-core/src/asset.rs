//! Assets: what a stack needs published before it deploys: files (Lambda zips, web sites) in the
//! asset bucket, container images in the image repository.

use std::path::PathBuf;

/// The bootstrap bucket that holds every asset of an account and region, as a `Fn::Sub`
/// template string. `stackcraft bootstrap` creates it; templates reference assets in it by key.
pub const ASSET_BUCKET: &str = "stackcraft-assets-${AWS::AccountId}-${AWS::Region}";

/// The bootstrap repository that holds every container image of an account and region, as a
/// `Fn::Sub` template string; templates reference images in it by digest.
pub const IMAGE_REPOSITORY: &str = "stackcraft-images-${AWS::AccountId}-${AWS::Region}";

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

/// A container image in OCI image layout, addressed by the digest of its manifest, so the task
/// definition changes exactly when the image does and a rollback rolls the image back too.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ImageAsset {
    /// `sha256:<hex>` of the image manifest.
    pub digest: String,
    /// What it runs, for messages (`counter/counter`: package and binary).
    pub name: String,
    /// The OCI image layout directory (`oci-layout`, `index.json`, `blobs/`) synth wrote.
    pub source: PathBuf,
}

impl ImageAsset {
    pub fn new(digest: impl Into<String>, name: impl Into<String>, source: PathBuf) -> Self {
        ImageAsset {
            digest: digest.into(),
            name: name.into(),
            source,
        }
    }

    /// The digest's hex part.
    pub fn hex(&self) -> &str {
        self.digest.trim_start_matches("sha256:")
    }

    /// The tag deploy pushes the image under (`sha256-<hex>`): the repository's lifecycle
    /// policy expires untagged images, and a tag derived from the digest never moves.
    pub fn tag(&self) -> String {
        format!("sha256-{}", self.hex())
    }

    /// The image's URI in the bootstrap repository, as a `Fn::Sub` template string.
    pub fn uri_template(&self) -> String {
        format!(
            "${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/{IMAGE_REPOSITORY}@{}",
            self.digest
        )
    }
}
