//! Test support shared by every test binary that builds stacks from a configuration or runs
//! the `stackcraft` binary: this crate's tests, and the deploy crate's (which include this
//! file). One way to locate the repository, point a configuration at it, synthesize it, and
//! run the CLI in a scratch directory.

#![allow(dead_code)]

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use stackcraft::config::Config;
use stackcraft::core::{Assembly, SynthesizedStack};

/// The repository root (two levels above the crate that runs the test).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// `config` with `[project] root` set to this repository (unless it sets one), so workloads
/// are built from `apps/` here, and cached builds are reused, wherever it is written.
pub fn with_root(config: &str) -> String {
    if config.lines().any(|l| l.trim_start().starts_with("root =")) {
        return config.to_owned();
    }
    let root = format!("[project]\nroot = {:?}", repo_root().display().to_string());
    config.replacen("[project]", &root, 1)
}

/// The shipped configuration, set to build workloads from this repository wherever the
/// test writes it.
pub fn shipped_config() -> String {
    with_root(&std::fs::read_to_string(repo_root().join("stackcraft.toml")).unwrap())
}

/// A scratch directory holding `config` (with [`with_root`]) as stackcraft.toml.
pub fn project(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("stackcraft.toml"), with_root(config)).unwrap();
    dir
}

/// One environment of configuration `text` (with [`with_root`]), built by `app` (its code
/// stacks and blueprints) and synthesized in memory. Errors name the repository's
/// stackcraft.toml.
pub fn synth_with(
    app: &stackcraft::App,
    text: &str,
    env: &str,
) -> Result<Assembly, stackcraft::Error> {
    let config = Config::parse(&with_root(text), &repo_root().join("stackcraft.toml"))?;
    app.with_config(config).synth(env)
}

/// One environment of configuration `text`, with the built-in blueprints only.
pub fn synth(text: &str, env: &str) -> Result<Assembly, stackcraft::Error> {
    synth_with(&stackcraft::App::from_config("stackcraft.toml"), text, env)
}

/// The environments configuration `text` defines, in file order.
pub fn environments(text: &str) -> Vec<String> {
    let config = Config::parse(text, &repo_root().join("stackcraft.toml")).unwrap();
    config.environments.keys().cloned().collect()
}

/// Stack `name` of the shipped configuration in `env`.
pub fn shipped_stack(env: &str, name: &str) -> SynthesizedStack {
    let assembly = synth(&shipped_config(), env).unwrap();
    assembly
        .stack(name)
        .unwrap_or_else(|| panic!("the shipped configuration has a stack {name:?}"))
        .clone()
}

/// Runs the `stackcraft` binary with `args` in `dir` (tests of the crate that builds it).
pub fn stackcraft(dir: &Path, args: &[&str]) -> Output {
    stackcraft_command(dir, args)
        .output()
        .expect("the stackcraft binary runs")
}

/// The `stackcraft args...` command in `dir`, with no AWS profile inherited.
// The deploy crate's tests include this file too, where the binary does not exist: they must
// compile, and never call this.
#[allow(clippy::option_env_unwrap)]
pub fn stackcraft_command(dir: &Path, args: &[&str]) -> Command {
    let binary = option_env!("CARGO_BIN_EXE_stackcraft")
        .expect("only the stackcraft crate's tests run its binary");
    let mut command = Command::new(binary);
    command
        .args(args)
        .current_dir(dir)
        .env_remove("AWS_PROFILE");
    command
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
/// (`--skip-download`), CloudFormation checks only. Not `--quiet`: that would leave out the
/// skipped checks and their reasons.
pub fn checkov_report(target: &str, path: &Path) -> serde_json::Value {
    let checkov = python_tool("checkov", "checkov");
    let run = Command::new(&checkov)
        .args([
            "--skip-download",
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

/// Variables a test must not inherit: they could point it at a real account or endpoint.
pub const AWS_VARS_CLEARED: &[&str] = &[
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL_CLOUDFORMATION",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
];

/// The environment of a test that talks to moto: test credentials, the loopback-only mode,
/// AWS config files of its own written into `dir` (with a profile without credentials), no
/// instance metadata. Clear [`AWS_VARS_CLEARED`] too.
pub fn moto_environment(dir: &Path) -> Vec<(&'static str, OsString)> {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("config"),
        "[default]\nregion = eu-central-1\n\n[profile nocreds]\nregion = eu-central-1\n",
    )
    .unwrap();
    std::fs::write(dir.join("credentials"), "").unwrap();
    vec![
        ("AWS_CONFIG_FILE", dir.join("config").into()),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            dir.join("credentials").into(),
        ),
        ("AWS_ACCESS_KEY_ID", "testing".into()),
        ("AWS_SECRET_ACCESS_KEY", "testing".into()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ("STACKCRAFT_LOOPBACK_ONLY", "1".into()),
    ]
}

/// A moto server of its own (scripts/moto.sh) on a free loopback port, stopped on drop.
pub struct MotoServer {
    dir: tempfile::TempDir,
    pub url: String,
}

impl MotoServer {
    pub fn start() -> MotoServer {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new("bash")
            .arg(repo_root().join("scripts/moto.sh"))
            .arg("start")
            .arg(dir.path())
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "moto did not start (run `bash scripts/python-tools.sh moto`): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let url = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        MotoServer { dir, url }
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(repo_root().join("scripts/moto.sh"))
            .arg("stop")
            .arg(self.dir.path())
            .status();
    }
}
