//! Images of Rust binaries as real OCI layouts: a tiny std-only package in two copies of a
//! project in different directories, built statically by cargo, gives byte-identical images
//! with the same digest; the layout, config and layer hold what they must and nothing of the
//! build machine.

use std::io::Read;
use std::path::Path;
use std::process::Command;

use serde_json::Value;
use stackcraft_assets::image::{check_static, FINGERPRINT_LABEL};
use stackcraft_assets::{rust_image, RustImage};

mod fixture;
use fixture::{project, MAIN};

fn spec(root: &Path) -> RustImage<'_> {
    RustImage {
        source_dir: root,
        package_dir: "hello",
        package: "hello",
        bin: "hello",
        port: Some(8080),
        user: "10001:10001",
    }
}

fn blob(layout: &Path, digest: &str) -> Vec<u8> {
    std::fs::read(
        layout
            .join("blobs/sha256")
            .join(digest.trim_start_matches("sha256:")),
    )
    .unwrap()
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap()
}

#[test]
fn same_sources_in_two_directories_give_the_same_image() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::Builder::new()
        .prefix("another-place")
        .tempdir()
        .unwrap();
    project(a.path(), &["hello"]);
    project(b.path(), &["hello"]);
    let image_a = rust_image(&spec(a.path())).expect("builds");
    let image_b = rust_image(&spec(b.path())).expect("builds");
    assert_eq!(image_a.digest, image_b.digest, "same sources, same digest");
    assert_eq!(image_a.name, "hello/hello");
    let layout = &image_a.source;
    for file in ["oci-layout", "index.json"] {
        assert_eq!(
            std::fs::read(layout.join(file)).unwrap(),
            std::fs::read(image_b.source.join(file)).unwrap(),
            "{file}"
        );
    }

    // index.json → manifest (the digest) → config and one gzip layer.
    let index = json(&std::fs::read(layout.join("index.json")).unwrap());
    assert_eq!(index["manifests"][0]["digest"], image_a.digest.as_str());
    let manifest_bytes = blob(layout, &image_a.digest);
    assert_eq!(
        format!("sha256:{}", stackcraft_assets::sha256_hex(&manifest_bytes)),
        image_a.digest
    );
    let manifest = json(&manifest_bytes);
    assert_eq!(manifest["layers"].as_array().unwrap().len(), 1);
    assert_eq!(
        manifest["layers"][0]["mediaType"],
        "application/vnd.oci.image.layer.v1.tar+gzip"
    );
    let config = json(&blob(
        layout,
        manifest["config"]["digest"].as_str().unwrap(),
    ));
    let run = &config["config"];
    assert_eq!(run["User"], "10001:10001");
    assert_eq!(
        run["Entrypoint"],
        serde_json::json!(["/usr/local/bin/hello"])
    );
    assert_eq!(run["ExposedPorts"], serde_json::json!({"8080/tcp": {}}));
    assert_eq!(run["Labels"][FINGERPRINT_LABEL].as_str().unwrap().len(), 64);

    // The layer: sorted, root-owned, timeless; the uncompressed tar is the config's diff id.
    let gz = blob(layout, manifest["layers"][0]["digest"].as_str().unwrap());
    assert_eq!(&gz[4..8], &[0, 0, 0, 0], "no gzip timestamp");
    let mut tar = Vec::new();
    flate2::read::GzDecoder::new(gz.as_slice())
        .read_to_end(&mut tar)
        .unwrap();
    assert_eq!(
        config["rootfs"]["diff_ids"][0],
        format!("sha256:{}", stackcraft_assets::sha256_hex(&tar)).as_str()
    );
    let mut archive = tar::Archive::new(tar.as_slice());
    let mut paths = Vec::new();
    let mut binary = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let header = entry.header();
        assert_eq!(
            (
                header.mtime().unwrap(),
                header.uid().unwrap(),
                header.gid().unwrap()
            ),
            (0, 0, 0)
        );
        let path = entry.path().unwrap().to_string_lossy().into_owned();
        if path == "usr/local/bin/hello" {
            assert_eq!(header.mode().unwrap(), 0o755);
            entry.read_to_end(&mut binary).unwrap();
        }
        paths.push(path);
    }
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted, "entries in sorted order");
    assert!(paths.contains(&"etc/hosts".to_owned()), "{paths:?}");
    assert!(paths.contains(&"tmp/".to_owned()), "{paths:?}");
    assert!(
        !paths.iter().any(|p| p.starts_with("etc/ssl")),
        "a binary that reads no system roots gets no CA bundle: {paths:?}"
    );
    check_static(&binary).expect("statically linked");
    for dir in [a.path(), b.path()] {
        let needle = dir.to_string_lossy();
        assert!(
            !tar.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "no build path in the layer"
        );
    }

    // It runs with nothing from the host: an empty environment, no loader.
    let out_dir = tempfile::tempdir().unwrap();
    let exe = out_dir.path().join("hello");
    std::fs::write(&exe, &binary).unwrap();
    std::fs::set_permissions(&exe, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let out = Command::new(&exe).env_clear().output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("hello from hello"), "{stdout}");

    // Unchanged sources: from the cache, without cargo (its target directory is gone).
    std::fs::remove_dir_all(spec(a.path()).build().target_dir()).unwrap();
    let again = rust_image(&spec(a.path())).expect("cached");
    assert_eq!(again.digest, image_a.digest);
    assert!(
        !spec(a.path()).build().target_dir().exists(),
        "cargo did not run"
    );

    // A change of the sources is a new image.
    std::fs::write(
        a.path().join("hello/src/bin/hello.rs"),
        MAIN.replace("hello from", "hi from"),
    )
    .unwrap();
    let changed = rust_image(&spec(a.path())).expect("builds");
    assert_ne!(changed.digest, image_a.digest);
}

#[test]
fn a_root_user_or_a_missing_binary_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path(), &["hello"]);
    let root = RustImage {
        user: "0:0",
        ..spec(dir.path())
    };
    let err = stackcraft_assets::image::image_of(&root, Vec::new(), "f").unwrap_err();
    assert!(err.to_string().contains("would run as root"), "{err}");
    let err = stackcraft_assets::image::image_of(&spec(dir.path()), b"#!/bin/sh".to_vec(), "f")
        .unwrap_err();
    assert!(err.to_string().contains("not statically linked"), "{err}");
    let err = rust_image(&RustImage {
        bin: "nope",
        ..spec(dir.path())
    })
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("package hello has no binary nope (it has: hello)"),
        "{err}"
    );
}
