//! Assets: what a stack needs uploaded before it deploys.
//!
//! - [`rust_lambda`]: a workload binary built by cargo in release mode, statically linked
//!   (see [`cargo`]), for the Lambda `provided.al2023` runtime, packaged as a deterministic zip
//!   holding `bootstrap`, and addressed by the SHA-256 of the zip. The build is cached by a
//!   fingerprint of its sources (the package and the local packages it depends on), so synth
//!   does not run cargo when nothing changed.
//! - [`rust_image`]: a workload binary built the same way, as a deterministic one-layer OCI
//!   image layout, addressed by its manifest digest and cached by a fingerprint of its sources
//!   in the same way.
//! - [`directory`]: a directory (a static web site) addressed by a hash of its files.

mod cache;
pub mod cargo;
mod error;
mod fingerprint;
pub mod glibc;
pub mod image;
mod lambda;
pub mod progress;
mod site;
pub mod zip;

pub use error::AssetError;
pub use image::{rust_image, RustImage};
pub use lambda::{runs_on_al2023, rust_lambda, RustLambda, MAX_GLIBC};
pub use site::directory;

use sha2::{Digest, Sha256};

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
