//! Rust Lambda functions as zip assets for the `provided.al2023` runtime.

use std::path::{Path, PathBuf};
use std::time::Instant;

use stackcraft_core::{Asset, Packaging};

use crate::cache::write_atomic;
use crate::cargo::{build_salt, Build};
use crate::error::{io, AssetError};
use crate::image::check_static;
use crate::progress::{self, Origin};
use crate::zip::{deterministic_zip, Entry};
use crate::{fingerprint, glibc, sha256_hex};

/// The glibc of Amazon Linux 2023, which `provided.al2023` runs on.
pub const MAX_GLIBC: (u32, u32) = (2, 34);

/// Which binary of which package, in which project.
#[derive(Clone, Debug)]
pub struct RustLambda<'a> {
    /// The project root (the cargo workspace).
    pub source_dir: &'a Path,
    /// The package's directory, relative to the root (`apps/object-counter`).
    pub package_dir: &'a str,
    pub package: &'a str,
    pub bin: &'a str,
}

impl RustLambda<'_> {
    fn cache_dir(&self) -> PathBuf {
        self.source_dir.join("target/stackcraft-assets")
    }

    /// The build of every binary of the package: one cargo invocation serves all the
    /// functions of a package (object-counter's `count-events` and `read-counts`), in the
    /// target directory every workload of the project shares.
    pub fn build(&self) -> Build<'_> {
        Build {
            source_dir: self.source_dir,
            package: self.package,
        }
    }

    /// The zip and hash files of `bin` in the cache.
    fn cached(&self, bin: &str) -> Result<(PathBuf, PathBuf), AssetError> {
        let fingerprint = fingerprint::of_package(
            self.source_dir,
            &self.source_dir.join(self.package_dir),
            &["Cargo.toml", "Cargo.lock"],
            &format!("lambda {} {bin} {}", self.package, build_salt()),
        )?;
        let zip_path = self
            .cache_dir()
            .join(format!("{}-{bin}-{fingerprint}.zip", self.package));
        let hash_path = zip_path.with_extension("sha256");
        Ok((zip_path, hash_path))
    }
}

/// Builds (or reuses) the zip of a Rust Lambda function and returns it as an asset.
pub fn rust_lambda(spec: &RustLambda<'_>) -> Result<Asset, AssetError> {
    let started = Instant::now();
    let name = format!("{}/{}", spec.package, spec.bin);
    let (zip_path, hash_path) = spec.cached(spec.bin)?;
    let hash = match std::fs::read_to_string(&hash_path) {
        Ok(hash) if hash.len() == 64 && zip_path.exists() => {
            progress::report("Lambda asset", &name, Origin::Cached, started.elapsed());
            hash
        }
        _ => {
            progress::building("the Lambda binaries of", spec.package);
            package_all(spec)?;
            progress::report("Lambda asset", &name, Origin::Built, started.elapsed());
            std::fs::read_to_string(&hash_path).map_err(io(&hash_path))?
        }
    };
    Ok(Asset {
        object_key: format!("assets/{hash}.zip"),
        hash,
        packaging: Packaging::Zip,
        source: zip_path,
    })
}

/// `Ok` if `provided.al2023` can run the binary: a static one always can; one that is
/// dynamically linked after all (a user's `RUSTFLAGS` can turn `+crt-static` off) must need no
/// glibc newer than the runtime's.
pub fn runs_on_al2023(bin: &str, binary: &[u8]) -> Result<(), AssetError> {
    if check_static(binary).is_ok() {
        return Ok(());
    }
    match glibc::newest_glibc(binary).filter(|v| *v > MAX_GLIBC) {
        Some(needed) => Err(AssetError::Glibc {
            bin: bin.to_owned(),
            needed: format!("{}.{}", needed.0, needed.1),
            max: format!("{}.{}", MAX_GLIBC.0, MAX_GLIBC.1),
        }),
        None => Ok(()),
    }
}

/// Builds every binary of the package, checks that each one runs on the runtime, zips it, and
/// stores zip and hash in the cache, so the package's other functions find theirs there.
fn package_all(spec: &RustLambda<'_>) -> Result<(), AssetError> {
    let executables = spec.build().run()?;
    if !executables.contains_key(spec.bin) {
        return Err(AssetError::NoSuchBinary {
            package: spec.package.to_owned(),
            bin: spec.bin.to_owned(),
            found: executables.keys().cloned().collect::<Vec<_>>().join(", "),
        });
    }
    for (bin, binary_path) in &executables {
        let binary = std::fs::read(binary_path).map_err(io(binary_path))?;
        runs_on_al2023(bin, &binary)?;
        let zip = deterministic_zip(&[Entry {
            name: "bootstrap",
            content: &binary,
            executable: true,
        }])?;
        let (zip_path, hash_path) = spec.cached(bin)?;
        // The zip first: a hash file is only ever next to a complete zip.
        write_atomic(&zip_path, &zip)?;
        write_atomic(&hash_path, sha256_hex(&zip).as_bytes())?;
    }
    Ok(())
}
