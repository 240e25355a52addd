//! An OCI image layout (image-spec v1.1): `oci-layout`, `index.json`, and under
//! `blobs/sha256/` the config, the manifest and the one layer, each named by its digest. JSON is
//! written with keys in a fixed order and no whitespace, so the digests depend on the content
//! only.

use std::path::Path;

use serde_json::{json, Value};

use crate::cache::write_atomic;
use crate::error::AssetError;
use crate::sha256_hex;

pub const MEDIA_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const MEDIA_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const MEDIA_LAYER: &str = "application/vnd.oci.image.layer.v1.tar+gzip";

/// What the image's config says about running it.
#[derive(Clone, Debug)]
pub struct RunConfig {
    pub user: String,
    pub entrypoint: Vec<String>,
    pub working_dir: String,
    pub env: Vec<String>,
    pub exposed_ports: Vec<u16>,
    pub labels: Vec<(String, String)>,
}

/// A blob: its bytes and `sha256:<hex>`.
#[derive(Clone, Debug)]
pub struct Blob {
    pub digest: String,
    pub bytes: Vec<u8>,
}

impl Blob {
    pub fn new(bytes: Vec<u8>) -> Blob {
        Blob {
            digest: format!("sha256:{}", sha256_hex(&bytes)),
            bytes,
        }
    }

    fn descriptor(&self, media_type: &str) -> Value {
        json!({"mediaType": media_type, "digest": self.digest, "size": self.bytes.len()})
    }
}

/// The three blobs of a one-layer image.
#[derive(Clone, Debug)]
pub struct Image {
    pub config: Blob,
    pub layer: Blob,
    pub manifest: Blob,
}

impl Image {
    /// The image of one gzipped layer (whose uncompressed tar has `diff_id`) run as `run` says.
    pub fn new(layer_gz: Vec<u8>, diff_id: &str, run: &RunConfig) -> Image {
        let ports: serde_json::Map<String, Value> = run
            .exposed_ports
            .iter()
            .map(|p| (format!("{p}/tcp"), json!({})))
            .collect();
        let labels: serde_json::Map<String, Value> = run
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect();
        let config = json!({
            // The epoch, not the build time: the same sources give the same config.
            "created": "1970-01-01T00:00:00Z",
            "architecture": "amd64",
            "os": "linux",
            "config": {
                "User": run.user,
                "Entrypoint": run.entrypoint,
                "Env": run.env,
                "WorkingDir": run.working_dir,
                "ExposedPorts": ports,
                "Labels": labels,
            },
            "rootfs": {"type": "layers", "diff_ids": [format!("sha256:{diff_id}")]},
        });
        let config = Blob::new(to_bytes(&config));
        let layer = Blob::new(layer_gz);
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": MEDIA_MANIFEST,
            "config": config.descriptor(MEDIA_CONFIG),
            "layers": [layer.descriptor(MEDIA_LAYER)],
        });
        let manifest = Blob::new(to_bytes(&manifest));
        Image {
            config,
            layer,
            manifest,
        }
    }

    /// Writes the layout into `dir` (which must not exist yet; the caller renames it into
    /// place).
    pub fn write(&self, dir: &Path) -> Result<(), AssetError> {
        write_atomic(
            &dir.join("oci-layout"),
            br#"{"imageLayoutVersion":"1.0.0"}"#,
        )?;
        let index = json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [self.manifest.descriptor(MEDIA_MANIFEST)],
        });
        write_atomic(&dir.join("index.json"), &to_bytes(&index))?;
        for blob in [&self.layer, &self.config, &self.manifest] {
            let hex = blob.digest.trim_start_matches("sha256:");
            write_atomic(&dir.join("blobs/sha256").join(hex), &blob.bytes)?;
        }
        Ok(())
    }
}

fn to_bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).expect("JSON values serialize")
}
