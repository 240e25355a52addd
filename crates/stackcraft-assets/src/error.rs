use std::path::PathBuf;

/// Why an asset could not be made.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum AssetError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("building {package} failed (cargo exited with {status}):\n{output}")]
    Build {
        package: String,
        status: String,
        /// The end of cargo's output.
        output: String,
    },
    #[error("{bin} needs glibc {needed}, but the Lambda runtime provided.al2023 has {max}: build it on an older system, or with cargo-zigbuild targeting x86_64-unknown-linux-gnu.2.34")]
    Glibc {
        bin: String,
        needed: String,
        max: String,
    },
    #[error("package {package} has no binary {bin} (it has: {found})")]
    NoSuchBinary {
        package: String,
        bin: String,
        found: String,
    },
    #[error("{bin} is not statically linked ({reason}): an image without a libc cannot run it")]
    NotStatic { bin: String, reason: String },
    #[error("the image of {bin} would run as root: give it an unprivileged uid:gid")]
    RootUser { bin: String },
    #[error("{path}: {reason}")]
    Manifest { path: PathBuf, reason: String },
    #[error("writing the zip: {0}")]
    Zip(#[from] zip::result::ZipError),
}

pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> AssetError {
    let path = path.into();
    move |source| AssetError::Io { path, source }
}
