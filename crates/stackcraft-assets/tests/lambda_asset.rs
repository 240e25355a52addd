//! The object-counter's functions as real assets: cargo build, glibc check, deterministic zip.

use std::io::Read;
use std::path::Path;

use stackcraft_assets::zip::{deterministic_zip, Entry};
use stackcraft_assets::{glibc, rust_lambda, sha256_hex, RustLambda, MAX_GLIBC};

mod fixture;

fn root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

#[test]
fn a_rust_lambda_is_a_deterministic_zip_of_an_al2023_bootstrap() {
    let root = root();
    let spec = RustLambda {
        source_dir: &root,
        package_dir: "apps/object-counter",
        package: "object-counter",
        bin: "count-events",
    };
    let asset = rust_lambda(&spec).expect("builds");
    let zip = std::fs::read(&asset.source).unwrap();
    assert_eq!(
        asset.hash,
        sha256_hex(&zip),
        "addressed by the zip's content"
    );
    assert_eq!(asset.object_key, format!("assets/{}.zip", asset.hash));

    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&zip)).unwrap();
    assert_eq!(archive.len(), 1);
    let mut entry = archive.by_index(0).unwrap();
    assert_eq!(entry.name(), "bootstrap");
    assert_eq!(
        entry.unix_mode().map(|m| m & 0o777),
        Some(0o755),
        "bootstrap is executable"
    );
    let mut binary = Vec::new();
    entry.read_to_end(&mut binary).unwrap();
    assert!(binary.starts_with(b"\x7fELF"));

    // The runtime has glibc 2.34: the binary must need nothing newer.
    let newest = glibc::newest_glibc(&binary).expect("dynamically linked against glibc");
    assert!(newest <= MAX_GLIBC, "needs glibc {newest:?}");

    // Zipping the same binary again gives the same bytes.
    let again = deterministic_zip(&[Entry {
        name: "bootstrap",
        content: &binary,
        executable: true,
    }])
    .unwrap();
    assert_eq!(sha256_hex(&again), asset.hash);

    // Asking again reuses the build (the cache answers): the same content, the same key.
    let again = rust_lambda(&spec).unwrap();
    assert_eq!(
        (again.hash, again.object_key),
        (asset.hash, asset.object_key)
    );
}

#[test]
fn one_cargo_invocation_builds_every_function_of_a_package() {
    let dir = tempfile::tempdir().unwrap();
    fixture::project(dir.path(), &["one", "two"]);
    let spec = |bin| RustLambda {
        source_dir: dir.path(),
        package_dir: "hello",
        package: "hello",
        bin,
    };
    let one = rust_lambda(&spec("one")).expect("builds");
    // cargo's output is gone: the second function can only come from the cache, where the
    // first build put it.
    let cargo_output = spec("one").build().target_dir.join("release");
    std::fs::remove_dir_all(&cargo_output).unwrap();
    let two = rust_lambda(&spec("two")).expect("from the cache");
    assert!(!cargo_output.exists(), "cargo did not run again");
    assert_ne!(one.hash, two.hash, "two binaries, two zips");
}
