//! The `moderate` function as the blueprint ships it: built by stackcraft's asset builder for
//! `provided.al2023` (release, statically linked, in the target directory all workloads
//! share), a deterministic zip; the function compiled and linked a second time zips to the
//! same bytes.

use std::io::Read;
use std::path::{Path, PathBuf};

use stackcraft_assets::image::check_static;
use stackcraft_assets::zip::{deterministic_zip, Entry};
use stackcraft_assets::{runs_on_al2023, rust_lambda, sha256_hex, RustLambda};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn bootstrap_of(zip: &[u8]) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    assert_eq!(archive.len(), 1, "the zip holds only the bootstrap");
    let mut entry = archive.by_index(0).unwrap();
    assert_eq!(entry.name(), "bootstrap");
    assert_eq!(entry.unix_mode().map(|m| m & 0o777), Some(0o755));
    let mut binary = Vec::new();
    entry.read_to_end(&mut binary).unwrap();
    binary
}

#[test]
fn the_function_is_a_deterministic_al2023_zip() {
    let root = root();
    let spec = RustLambda {
        source_dir: &root,
        package_dir: "apps/moderation",
        package: "moderation",
        bin: "moderate",
    };
    let first = rust_lambda(&spec).expect("builds");
    let zip = std::fs::read(&first.source).unwrap();
    assert_eq!(first.hash, sha256_hex(&zip));
    let binary = bootstrap_of(&zip);
    assert!(binary.starts_with(b"\x7fELF"));
    check_static(&binary).expect("statically linked: nothing needed from the runtime's libc");
    runs_on_al2023("moderate", &binary).expect("runs on provided.al2023");

    // Link the function again (its compiled binary removed, so cargo compiles and links it
    // anew; the cached zip is left for others): zipped, it is the same bytes.
    let release = spec.build().release_dir();
    for built in std::fs::read_dir(release.join("deps")).unwrap() {
        let path = built.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with(&format!("{}-", spec.bin)) {
            std::fs::remove_file(&path).unwrap();
        }
    }
    let linked = release.join(spec.bin);
    std::fs::remove_file(&linked).unwrap();
    let build = spec.build().command().output().unwrap();
    assert!(
        build.status.success(),
        "cargo builds the function again: {}",
        String::from_utf8_lossy(&build.stderr)
    );
    let again = std::fs::read(&linked).expect("linked again");
    let rezipped = deterministic_zip(&[Entry {
        name: "bootstrap",
        content: &again,
        executable: true,
    }])
    .unwrap();
    assert_eq!(
        sha256_hex(&rezipped),
        first.hash,
        "the same sources give the same zip"
    );
    assert_eq!(first.object_key, format!("assets/{}.zip", first.hash));
}
