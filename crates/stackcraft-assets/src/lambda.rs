//! Rust Lambda functions as zip assets for the `provided.al2023` runtime.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use stackcraft_core::{Asset, Packaging};

use crate::error::{io, AssetError};
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
    fn target_dir(&self) -> PathBuf {
        self.source_dir.join("target/lambda")
    }

    fn cache_dir(&self) -> PathBuf {
        self.source_dir.join("target/stackcraft-assets")
    }

    /// The command that builds the binary, reproducibly: paths of this machine are remapped
    /// so the bytes do not depend on where the project or cargo's registry live.
    pub fn build_command(&self) -> Command {
        let cargo_home = std::env::var("CARGO_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|_| {
                PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo")
            });
        let root = self
            .source_dir
            .canonicalize()
            .unwrap_or_else(|_| self.source_dir.to_owned());
        let rustflags = format!(
            "--remap-path-prefix={}=/build --remap-path-prefix={}=/cargo -C strip=symbols",
            root.display(),
            cargo_home.display()
        );
        let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cmd.args([
            "build",
            "--release",
            "--locked",
            "--package",
            self.package,
            "--bin",
            self.bin,
        ])
        .arg("--target-dir")
        .arg(self.target_dir())
        .current_dir(self.source_dir)
        .env("RUSTFLAGS", rustflags);
        cmd
    }
}

/// Builds (or reuses) the zip of a Rust Lambda function and returns it as an asset.
pub fn rust_lambda(spec: &RustLambda<'_>) -> Result<Asset, AssetError> {
    let fingerprint = fingerprint::of_sources(
        spec.source_dir,
        &spec.source_dir.join(spec.package_dir),
        &["Cargo.toml", "Cargo.lock"],
        &format!(
            "lambda {} {} x86_64-unknown-linux-gnu",
            spec.package, spec.bin
        ),
    )?;
    let zip_path = spec
        .cache_dir()
        .join(format!("{}-{}-{fingerprint}.zip", spec.package, spec.bin));
    let hash_path = zip_path.with_extension("sha256");
    let hash = match std::fs::read_to_string(&hash_path) {
        Ok(hash) if hash.len() == 64 && zip_path.exists() => hash,
        _ => package(spec, &zip_path, &hash_path)?,
    };
    Ok(Asset {
        object_key: format!("assets/{hash}.zip"),
        hash,
        packaging: Packaging::Zip,
        source: zip_path,
    })
}

/// Builds the binary, checks its glibc, zips it, and stores zip and hash in the cache.
fn package(spec: &RustLambda<'_>, zip_path: &Path, hash_path: &Path) -> Result<String, AssetError> {
    // One line says why synth takes a while; cargo's own output is kept for a failure.
    eprintln!(
        "stackcraft: building the Lambda asset {}/{} with cargo (once; cached until its sources change)",
        spec.package, spec.bin
    );
    let output = spec
        .build_command()
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(io("cargo"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(15).collect();
        return Err(AssetError::Build {
            package: spec.package.to_owned(),
            bin: spec.bin.to_owned(),
            status: output.status.to_string(),
            output: tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
        });
    }
    let binary_path = spec.target_dir().join("release").join(spec.bin);
    let binary = std::fs::read(&binary_path).map_err(io(&binary_path))?;
    if let Some(needed) = glibc::newest_glibc(&binary).filter(|v| *v > MAX_GLIBC) {
        return Err(AssetError::Glibc {
            bin: spec.bin.to_owned(),
            needed: format!("{}.{}", needed.0, needed.1),
            max: format!("{}.{}", MAX_GLIBC.0, MAX_GLIBC.1),
        });
    }
    let zip = deterministic_zip(&[Entry {
        name: "bootstrap",
        content: &binary,
        executable: true,
    }])?;
    let hash = sha256_hex(&zip);
    let dir = zip_path.parent().expect("cache files have a directory");
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    // Written under temporary names and renamed, so a crash never leaves a torn cache entry.
    let tmp = zip_path.with_extension(format!("zip.{}.tmp", std::process::id()));
    std::fs::write(&tmp, &zip).map_err(io(&tmp))?;
    std::fs::rename(&tmp, zip_path).map_err(io(zip_path))?;
    let tmp = hash_path.with_extension(format!("sha256.{}.tmp", std::process::id()));
    std::fs::write(&tmp, &hash).map_err(io(&tmp))?;
    std::fs::rename(&tmp, hash_path).map_err(io(hash_path))?;
    Ok(hash)
}
