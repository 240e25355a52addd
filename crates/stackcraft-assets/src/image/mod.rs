//! Container images of Rust workloads, without a Docker daemon: the binary built statically
//! (glibc's static libraries: `+crt-static` on `x86_64-unknown-linux-gnu`), one layer with the
//! binary, a CA bundle when the binary reads the system's roots, `/tmp`, and the few files libc
//! reads to resolve host names; written as an OCI image layout. Cached by a fingerprint of the
//! sources, like the Lambda zips: same sources, same bytes, same digest.

mod elf;
pub mod layer;
pub mod layout;
pub mod roots;

use std::path::Path;
use std::time::Instant;

use stackcraft_core::ImageAsset;

pub use elf::check_static;
use layer::LayerEntry;
use layout::RunConfig;

use crate::cache::write_atomic;
use crate::cargo::{build_salt, Build};
use crate::error::{io, AssetError};
use crate::progress::{self, Origin};
use crate::{fingerprint, sha256_hex};

/// The target images are built for (Fargate's default platform, `linux/amd64`).
pub use crate::cargo::TARGET;

/// Bumped whenever the layout of the image changes, so cached images are rebuilt.
const FORMAT: u32 = 1;

/// The label that carries the fingerprint of the sources the image was built from.
pub const FINGERPRINT_LABEL: &str = "dev.stackcraft.source-fingerprint";

/// Which binary of which package runs in the image, and how.
#[derive(Clone, Debug)]
pub struct RustImage<'a> {
    /// The project root (the cargo workspace).
    pub source_dir: &'a Path,
    /// The package's directory, relative to the root (`apps/counter`).
    pub package_dir: &'a str,
    pub package: &'a str,
    pub bin: &'a str,
    /// The port the binary listens on (the config's `ExposedPorts`).
    pub port: Option<u16>,
    /// `uid:gid` the container runs as; never root.
    pub user: &'a str,
}

impl RustImage<'_> {
    /// Where the binary goes in the image.
    pub fn binary_path(&self) -> String {
        format!("/usr/local/bin/{}", self.bin)
    }

    /// The static build of the package's binaries (the one every workload shares).
    pub fn build(&self) -> Build<'_> {
        Build {
            source_dir: self.source_dir,
            package: self.package,
        }
    }

    fn fingerprint(&self) -> Result<String, AssetError> {
        fingerprint::of_package(
            self.source_dir,
            &self.source_dir.join(self.package_dir),
            &["Cargo.toml", "Cargo.lock"],
            &format!(
                "image {FORMAT} {} {} {:?} {} {}",
                self.package,
                self.bin,
                self.port,
                self.user,
                build_salt()
            ),
        )
    }
}

/// Builds (or reuses) the image and returns it as an asset.
pub fn rust_image(spec: &RustImage<'_>) -> Result<ImageAsset, AssetError> {
    let started = Instant::now();
    let name = format!("{}/{}", spec.package, spec.bin);
    let fingerprint = spec.fingerprint()?;
    let dir = spec
        .source_dir
        .join("target/stackcraft-assets/images")
        .join(format!("{}-{}-{fingerprint}", spec.package, spec.bin));
    let digest_file = dir.with_extension("digest");
    if let Ok(digest) = std::fs::read_to_string(&digest_file) {
        if digest.starts_with("sha256:") && dir.join("index.json").exists() {
            progress::report("image", &name, Origin::Cached, started.elapsed());
            return Ok(ImageAsset::new(digest, name, dir));
        }
    }
    progress::building("the image", &name);
    let executables = spec.build().run()?;
    let binary_path = executables
        .get(spec.bin)
        .ok_or_else(|| AssetError::NoSuchBinary {
            package: spec.package.to_owned(),
            bin: spec.bin.to_owned(),
            found: executables.keys().cloned().collect::<Vec<_>>().join(", "),
        })?;
    let binary = std::fs::read(binary_path).map_err(io(binary_path))?;
    let image = image_of(spec, binary, &fingerprint)?;
    // The layout goes to a temporary directory renamed into place, and the digest file (the
    // cache's "this entry is complete") only after it.
    let tmp = dir.with_extension(format!("{}.tmp", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
    }
    image.write(&tmp)?;
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(io(&dir))?;
    }
    std::fs::rename(&tmp, &dir).map_err(io(&dir))?;
    write_atomic(&digest_file, image.manifest.digest.as_bytes())?;
    progress::report("image", &name, Origin::Built, started.elapsed());
    Ok(ImageAsset::new(image.manifest.digest, name, dir))
}

/// The image around a static binary.
pub fn image_of(
    spec: &RustImage<'_>,
    binary: Vec<u8>,
    fingerprint: &str,
) -> Result<layout::Image, AssetError> {
    if spec
        .user
        .split(':')
        .next()
        .is_some_and(|u| u == "0" || u == "root")
    {
        return Err(AssetError::RootUser {
            bin: spec.bin.to_owned(),
        });
    }
    check_static(&binary).map_err(|reason| AssetError::NotStatic {
        bin: spec.bin.to_owned(),
        reason,
    })?;
    let mut env = vec!["PATH=/usr/local/bin".to_owned()];
    let mut entries = vec![
        LayerEntry::dir("etc", 0o755),
        // Static glibc still reads these to resolve names: `localhost` from the file, the rest
        // from DNS (ECS writes its own hosts and resolv.conf over them).
        LayerEntry::file("etc/hosts", 0o644, HOSTS.as_bytes().to_vec()),
        LayerEntry::file("etc/nsswitch.conf", 0o644, b"hosts: files dns\n".to_vec()),
        LayerEntry::dir("tmp", 0o1777),
        LayerEntry::dir("usr", 0o755),
        LayerEntry::dir("usr/local", 0o755),
        LayerEntry::dir("usr/local/bin", 0o755),
    ];
    if roots::reads_system_roots(&binary) {
        entries.extend([
            LayerEntry::dir("etc/ssl", 0o755),
            LayerEntry::dir("etc/ssl/certs", 0o755),
            LayerEntry::file(roots::BUNDLE_PATH, 0o644, roots::bundle()),
        ]);
        env.push(format!("SSL_CERT_FILE=/{}", roots::BUNDLE_PATH));
    }
    let binary_path = spec.binary_path();
    entries.push(LayerEntry::file(
        binary_path.trim_start_matches('/'),
        0o755,
        binary,
    ));
    let tar = layer::tar(entries).map_err(io("the image layer"))?;
    let diff_id = sha256_hex(&tar);
    let gz = layer::gzip(&tar).map_err(io("the image layer"))?;
    let run = RunConfig {
        user: spec.user.to_owned(),
        entrypoint: vec![binary_path],
        // The one writable place of a read-only root file system (ECS mounts a volume there).
        working_dir: "/tmp".to_owned(),
        env,
        exposed_ports: spec.port.into_iter().collect(),
        labels: vec![
            (
                "org.opencontainers.image.title".to_owned(),
                format!("{}/{}", spec.package, spec.bin),
            ),
            (FINGERPRINT_LABEL.to_owned(), fingerprint.to_owned()),
        ],
    };
    Ok(layout::Image::new(gz, &diff_id, &run))
}

const HOSTS: &str = "127.0.0.1\tlocalhost\n::1\tlocalhost\n";
