//! `Image::rust`: a container that runs a binary of this project. Synth builds the binary
//! statically into an OCI image (stackcraft-assets); deploy pushes it to the environment's
//! bootstrap image repository; the task definition names it by digest, so what runs changes
//! exactly when the sources do, and a rollback rolls the image back as well.

use stackcraft_core::template::{sub, Expr};
use stackcraft_core::{ImageAsset, Stack, IMAGE_REPOSITORY};

use super::task_definition::{Image, DEFAULT_USER};

/// Which binary of which package, with the port it listens on and the user it runs as.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RustImage {
    /// The package's directory, relative to the project root (`apps/counter`).
    pub package_dir: String,
    pub package: String,
    pub bin: String,
    /// The image's exposed port (default: none).
    pub port: Option<u16>,
    /// `uid:gid` (default [`DEFAULT_USER`]).
    pub user: String,
}

impl RustImage {
    pub fn new(package_dir: &str, package: &str, bin: &str) -> RustImage {
        RustImage {
            package_dir: package_dir.to_owned(),
            package: package.to_owned(),
            bin: bin.to_owned(),
            port: None,
            user: DEFAULT_USER.to_owned(),
        }
    }

    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    pub fn user(mut self, user: &str) -> Self {
        self.user = user.to_owned();
        self
    }

    /// Builds the image (or takes it from the cache) and registers it with the stack; a
    /// failed build is an error of the stack at `<stack>/<package>/<bin>`.
    pub fn build(&self, stack: &mut Stack) -> Image {
        let spec = stackcraft_assets::RustImage {
            source_dir: stack.source_dir(),
            package_dir: &self.package_dir,
            package: &self.package,
            bin: &self.bin,
            port: self.port,
            user: &self.user,
        };
        match stackcraft_assets::rust_image(&spec) {
            Ok(asset) => {
                stack.add_image(asset.clone());
                Image::Asset(asset)
            }
            Err(e) => {
                let path = stack.path_of("Image");
                stack.error(
                    &path,
                    format!(
                        "the image of {}/{} could not be built: {e}",
                        self.package, self.bin
                    ),
                );
                Image::Uri(String::new())
            }
        }
    }
}

impl Image {
    /// The image of binary `bin` of package `package` (in `package_dir`), built at synth.
    pub fn rust(stack: &mut Stack, package_dir: &str, package: &str, bin: &str) -> Image {
        RustImage::new(package_dir, package, bin).build(stack)
    }
}

/// `<account>.dkr.ecr.<region>.<suffix>/<bootstrap repository>@sha256:...`.
pub(super) fn uri(asset: &ImageAsset) -> Expr<String> {
    sub(asset.uri_template())
}

/// The ARN of the bootstrap image repository.
pub(super) fn repository_arn() -> Expr<String> {
    sub(format!(
        "arn:${{AWS::Partition}}:ecr:${{AWS::Region}}:${{AWS::AccountId}}:repository/{IMAGE_REPOSITORY}"
    ))
}
