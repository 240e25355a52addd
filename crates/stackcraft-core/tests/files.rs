//! The one walk over a source directory: hidden entries, `target/` and `node_modules/` are
//! left out at any depth, paths sort as paths do, and the cloud assembly copies a directory
//! asset with exactly those files.

use std::path::Path;

use stackcraft_core::files::source_files;
use stackcraft_core::{Asset, Environment, Format, Packaging, StackSet};

fn write(dir: &Path, files: &[&str]) {
    for relative in files {
        let path = dir.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, relative).unwrap();
    }
}

const TREE: &[&str] = &[
    "index.html",
    "a-b",
    "a/b",
    "css/site.css",
    ".env",
    ".git/config",
    "css/.DS_Store",
    "target/debug/app",
    "node_modules/x/index.js",
    "lib/target/inner",
];

#[test]
fn hidden_files_and_build_output_are_not_source_files() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), TREE);
    let files = source_files(dir.path()).unwrap();
    let relative: Vec<&str> = files.iter().map(|f| f.relative.as_str()).collect();
    // `a/b` before `a-b`: component by component, as `Path` sorts.
    assert_eq!(relative, ["a/b", "a-b", "css/site.css", "index.html"]);
    for file in &files {
        assert_eq!(file.path, dir.path().join(&file.relative));
    }
}

#[test]
fn the_assembly_copies_a_directory_asset_without_hidden_files() {
    let source = tempfile::tempdir().unwrap();
    write(source.path(), TREE);
    let mut app = StackSet::new("p", Environment::new("dev", "eu-central-1"));
    app.stack("s").add_asset(Asset {
        hash: "d".repeat(64),
        packaging: Packaging::Directory,
        source: source.path().to_owned(),
        object_key: format!("sites/{}/", "d".repeat(64)),
    });
    let out = tempfile::tempdir().unwrap();
    let assembly_dir = out.path().join("out");
    app.synth()
        .unwrap()
        .write(&assembly_dir, Format::Json)
        .unwrap();
    let copy = assembly_dir.join(format!("assets/{}", "d".repeat(64)));
    let mut copied = Vec::new();
    everything(&copy, &copy, &mut copied);
    copied.sort();
    assert_eq!(copied, ["a-b", "a/b", "css/site.css", "index.html"]);
}

/// Every file below `dir`, hidden or not (to see what was really copied).
fn everything(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            everything(root, &path, out);
        } else {
            let relative = path.strip_prefix(root).unwrap();
            out.push(relative.to_string_lossy().into_owned());
        }
    }
}
