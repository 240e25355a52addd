//! Builds one workload asset of a project the way synth does and prints its address: the
//! SHA-256 of a Lambda zip or the digest of an image. `scripts/reproducible.sh` runs it in two
//! clones of the project to show the bytes do not depend on the checkout's place.
//!
//! usage: workload (lambda|image) PROJECT_DIR PACKAGE_DIR PACKAGE BIN

use std::path::Path;
use std::process::ExitCode;

use stackcraft_assets::{rust_image, rust_lambda, RustImage, RustLambda};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [kind, root, package_dir, package, bin] = args.as_slice() else {
        eprintln!("usage: workload (lambda|image) PROJECT_DIR PACKAGE_DIR PACKAGE BIN");
        return ExitCode::from(2);
    };
    let source_dir = Path::new(root);
    let address = match kind.as_str() {
        "lambda" => rust_lambda(&RustLambda {
            source_dir,
            package_dir,
            package,
            bin,
        })
        .map(|asset| asset.hash),
        "image" => rust_image(&RustImage {
            source_dir,
            package_dir,
            package,
            bin,
            port: None,
            user: "10001:10001",
        })
        .map(|image| image.digest),
        other => {
            eprintln!("workload: {other}: lambda or image");
            return ExitCode::from(2);
        }
    };
    match address {
        Ok(address) => {
            println!("{address}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("workload: {err}");
            ExitCode::FAILURE
        }
    }
}
