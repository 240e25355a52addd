//! Helpers shared by the CLI tests: run the real `stackcraft` binary in a scratch directory.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (two levels above this crate).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The shipped configuration, set to build workloads from this repository wherever the
/// test writes it.
pub fn shipped_config() -> String {
    let text = std::fs::read_to_string(repo_root().join("stackcraft.toml")).unwrap();
    let root = format!("[project]\nroot = {:?}", repo_root().display().to_string());
    text.replacen("[project]", &root, 1)
}

/// Runs `stackcraft args...` in `dir`.
pub fn stackcraft(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stackcraft"))
        .args(args)
        .current_dir(dir)
        .env_remove("AWS_PROFILE")
        .output()
        .expect("the stackcraft binary runs")
}

/// A scratch directory holding `config` as stackcraft.toml.
pub fn project(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("stackcraft.toml"), config).unwrap();
    dir
}

/// Every file below `dir`, relative path → content, sorted.
pub fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.push((rel, std::fs::read(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out.sort();
    out
}

/// A Python tool installed by scripts/python-tools.sh; a clear failure if it is missing.
pub fn python_tool(venv: &str, binary: &str) -> PathBuf {
    let path = repo_root()
        .join(".venv")
        .join(venv)
        .join("bin")
        .join(binary);
    assert!(
        path.exists(),
        "{} is missing: run `bash scripts/python-tools.sh` (scripts/test.sh does)",
        path.display()
    );
    path
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// checkov's JSON report on a directory (`-d`) or a file (`-f`): pinned, offline
/// (`--skip-download`), CloudFormation checks only.
pub fn checkov_report(target: &str, path: &Path) -> serde_json::Value {
    let checkov = python_tool("checkov", "checkov");
    let run = Command::new(&checkov)
        .args([
            "--skip-download",
            "--quiet",
            "--framework",
            "cloudformation",
            "-o",
            "json",
            target,
        ])
        .arg(path)
        .output()
        .unwrap();
    serde_json::from_slice(&run.stdout).unwrap_or_else(|e| {
        panic!(
            "checkov output is not JSON ({e}):\n{}{}",
            text(&run.stdout),
            text(&run.stderr)
        )
    })
}
