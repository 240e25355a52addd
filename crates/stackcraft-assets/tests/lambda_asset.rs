//! Rust Lambda functions as real assets: the object counter's, built statically by cargo in a
//! deterministic zip; a tiny fixture project for what a big build would make slow (the bytes
//! do not depend on the checkout's place, the cache answers until a source changes, also a
//! source of a local dependency), and the runtime check on real dynamic binaries.

use std::io::Read;
use std::path::Path;

use stackcraft_assets::image::check_static;
use stackcraft_assets::zip::{deterministic_zip, Entry};
use stackcraft_assets::{runs_on_al2023, rust_lambda, sha256_hex, AssetError, RustLambda};

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

    // Statically linked: the runtime's glibc (2.34) does not matter.
    check_static(&binary).expect("statically linked");

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
    let cargo_output = spec("one").build().release_dir();
    std::fs::remove_dir_all(&cargo_output).unwrap();
    let two = rust_lambda(&spec("two")).expect("from the cache");
    assert!(!cargo_output.exists(), "cargo did not run again");
    assert_ne!(one.hash, two.hash, "two binaries, two zips");
}

fn hello<'a>(root: &'a Path, bin: &'a str) -> RustLambda<'a> {
    RustLambda {
        source_dir: root,
        package_dir: "hello",
        package: "hello",
        bin,
    }
}

#[test]
fn the_zip_does_not_depend_on_where_the_project_is() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::Builder::new()
        .prefix("elsewhere-with-a-longer-name")
        .tempdir()
        .unwrap();
    fixture::project(a.path(), &["hello"]);
    fixture::project(b.path(), &["hello"]);
    let zip_a = rust_lambda(&hello(a.path(), "hello")).expect("builds");
    let zip_b = rust_lambda(&hello(b.path(), "hello")).expect("builds");
    assert_eq!(zip_a.hash, zip_b.hash, "same sources, same bytes");
    let binary =
        std::fs::read(hello(a.path(), "hello").build().release_dir().join("hello")).unwrap();
    let place = a.path().to_string_lossy();
    assert!(
        !binary.windows(place.len()).any(|w| w == place.as_bytes()),
        "the binary names the checkout's directory {place}"
    );
}

#[test]
fn a_changed_source_of_the_package_or_of_a_local_dependency_rebuilds() {
    let dir = tempfile::tempdir().unwrap();
    fixture::project_with_local_dependencies(dir.path());
    let spec = hello(dir.path(), "hello");
    let first = rust_lambda(&spec).expect("builds");

    // Unchanged: the cache answers, cargo does not run (its output is gone and stays gone).
    std::fs::remove_dir_all(spec.build().target_dir()).unwrap();
    assert_eq!(rust_lambda(&spec).unwrap().hash, first.hash);
    assert!(!spec.build().target_dir().exists(), "cargo did not run");

    // A dependency inherited from [workspace.dependencies], a path dependency of that one,
    // and the package itself: each change is a new build, with new bytes.
    let mut seen = vec![first.hash];
    for (file, from, to) in [
        ("greeting/src/lib.rs", "Hello", "Hi"),
        ("words/src/lib.rs", "world", "there"),
        ("hello/src/bin/hello.rs", "println", "print"),
    ] {
        let path = dir.path().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file}");
        std::fs::write(&path, text.replace(from, to)).unwrap();
        let hash = rust_lambda(&spec).expect("builds").hash;
        assert!(!seen.contains(&hash), "{file} changed, yet the zip did not");
        seen.push(hash);
    }
}

/// A C program built by the system's compiler, dynamically linked against its glibc.
fn c_program(dir: &Path, body: &str) -> Vec<u8> {
    let source = dir.join("main.c");
    std::fs::write(&source, body).unwrap();
    let exe = dir.join("main");
    let out = std::process::Command::new("gcc")
        .arg("-o")
        .arg(&exe)
        .arg(&source)
        .output()
        .expect("gcc runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read(exe).unwrap()
}

#[test]
fn a_dynamic_binary_needing_a_newer_glibc_than_the_runtime_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    // arc4random is glibc 2.36's: a binary calling it cannot start on Amazon Linux 2023.
    let new = c_program(
        dir.path(),
        "#include <stdlib.h>\nint main(void) { return (int)(arc4random() & 1); }\n",
    );
    match runs_on_al2023("random", &new) {
        Err(AssetError::Glibc { bin, needed, max }) => {
            assert_eq!((bin.as_str(), max.as_str()), ("random", "2.34"));
            let minor: u32 = needed.strip_prefix("2.").unwrap().parse().unwrap();
            assert!(minor >= 36, "needs {needed}");
        }
        other => panic!("expected a glibc refusal, got {other:?}"),
    }
    // A dynamic binary using only old symbols runs there.
    let old = c_program(
        dir.path(),
        "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n",
    );
    assert!(check_static(&old).is_err(), "dynamically linked");
    runs_on_al2023("hi", &old).expect("old symbols only");
}
