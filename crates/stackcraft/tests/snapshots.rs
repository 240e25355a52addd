//! Snapshot of every template the shipped configuration synthesizes, in every environment.
//! A change to a template shows up as a diff in review; `UPDATE_SNAPSHOTS=1 cargo test`
//! rewrites the snapshots after an intended change (and removes those of stacks that no longer
//! exist; without it, such a stale snapshot is an error). Asset hashes (`assets/<sha256>.zip`) and
//! image digests (`@sha256:<sha256>`) are written as `<sha256>` literally: they follow the workload's binary, which the
//! asset tests check on their own, and they would tie the snapshots to one toolchain.

mod common;

use std::path::{Path, PathBuf};

use stackcraft::core::Format;

#[test]
fn every_template_matches_its_snapshot() {
    let config = common::shipped_config();
    let snapshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let update = updating(std::env::var("UPDATE_SNAPSHOTS").ok().as_deref());
    let mut checked = 0;
    let mut stale = Vec::new();
    let mut expected_files = Vec::new();
    for env in common::environments(&config) {
        let assembly = common::synth(&config, &env).unwrap();
        for stack in &assembly.stacks {
            let file = snapshots
                .join(&env)
                .join(format!("{}.template.json", stack.name));
            expected_files.push(file.clone());
            let actual = without_asset_hashes(&Format::Json.render(&stack.template));
            if update {
                std::fs::create_dir_all(file.parent().unwrap()).unwrap();
                std::fs::write(&file, &actual).unwrap();
            }
            let expected = std::fs::read_to_string(&file).unwrap_or_default();
            if expected != actual {
                stale.push(file.display().to_string());
            }
            checked += 1;
        }
    }
    assert!(checked >= 8, "every stack of every environment: {checked}");
    assert!(
        stale.is_empty(),
        "templates differ from their snapshots (UPDATE_SNAPSHOTS=1 to accept):\n{}",
        stale.join("\n")
    );
    let orphans = orphaned(&snapshots, &expected_files);
    if update {
        for file in &orphans {
            std::fs::remove_file(file).unwrap();
        }
    } else {
        assert!(
            orphans.is_empty(),
            "snapshots of stacks that no longer exist (UPDATE_SNAPSHOTS=1 removes them):\n{}",
            orphans
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

/// Whether `UPDATE_SNAPSHOTS` asks for a rewrite: set to anything but empty, `0` or `false`.
fn updating(value: Option<&str>) -> bool {
    value.is_some_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}

#[test]
fn update_snapshots_0_or_unset_does_not_rewrite() {
    for off in [None, Some(""), Some("0"), Some("false")] {
        assert!(!updating(off), "{off:?}");
    }
    for on in [Some("1"), Some("true"), Some("yes")] {
        assert!(updating(on), "{on:?}");
    }
}

/// Every file below `snapshots` (env/stack.template.json) that is not in `expected`.
fn orphaned(snapshots: &Path, expected: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for env in std::fs::read_dir(snapshots).unwrap() {
        let env = env.unwrap().path();
        let files: Vec<PathBuf> = if env.is_dir() {
            std::fs::read_dir(&env)
                .unwrap()
                .map(|f| f.unwrap().path())
                .collect()
        } else {
            vec![env]
        };
        out.extend(files.into_iter().filter(|f| !expected.contains(f)));
    }
    out.sort();
    out
}

#[test]
fn a_snapshot_of_a_stack_that_no_longer_exists_is_listed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("dev")).unwrap();
    let kept = dir.path().join("dev/data.template.json");
    let gone = dir.path().join("dev/retired.template.json");
    let gone_env = dir.path().join("qa/data.template.json");
    std::fs::create_dir_all(gone_env.parent().unwrap()).unwrap();
    for file in [&kept, &gone, &gone_env] {
        std::fs::write(file, "{}").unwrap();
    }
    assert_eq!(orphaned(dir.path(), &[kept]), vec![gone, gone_env]);
}

/// Replaces every 64-hex-digit asset hash (`assets/<hex>`) and image digest (`@sha256:<hex>`)
/// by `<sha256>`.
fn without_asset_hashes(text: &str) -> String {
    ["assets/", "@sha256:"]
        .iter()
        .fold(text.to_owned(), |text, marker| {
            without_hex_after(&text, marker)
        })
}

fn without_hex_after(text: &str, marker: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find(marker) {
        let (before, after) = rest.split_at(pos + marker.len());
        out.push_str(before);
        let hex = after.bytes().take_while(u8::is_ascii_hexdigit).count();
        if hex == 64 {
            out.push_str("<sha256>");
            rest = &after[64..];
        } else {
            rest = after;
        }
    }
    out.push_str(rest);
    out
}
