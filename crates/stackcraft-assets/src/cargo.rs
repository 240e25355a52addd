//! Release builds of workload binaries. Every Lambda function and every container image of a
//! project is built the same way, into one target directory (`target/workloads`), so the
//! dependencies the workloads share (tokio, the AWS SDK, rustls, serde...) compile once for
//! all of them:
//!
//! - statically linked (glibc's static libraries, `+crt-static` on [`TARGET`]): the binary
//!   needs nothing from the system it runs on, so the same build serves `provided.al2023`
//!   and an image without a libc, and the build host's glibc does not matter;
//! - every path of this machine remapped (the project to `/build`, cargo's home to `/cargo`)
//!   and symbols stripped: the bytes depend on the sources, the lock file and the toolchain,
//!   not on where the project or cargo's registry lie.
//!
//! One cargo invocation builds every binary of a package; cargo's JSON messages say where
//! each executable went.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::{io, AssetError};
use crate::progress::BuildStatus;

/// The target workloads are built for: Lambda's and Fargate's default, x86-64 Linux. Named
/// explicitly so rustflags reach only the target's code, not build scripts and proc macros
/// (which `+crt-static` would break).
pub const TARGET: &str = "x86_64-unknown-linux-gnu";

/// The flags of every workload build after the user's own and the path remapping.
const FLAGS: [&str; 4] = ["-C", "strip=symbols", "-C", "target-feature=+crt-static"];

/// One release build of a package.
#[derive(Clone, Debug)]
pub struct Build<'a> {
    /// The project root (the cargo workspace).
    pub source_dir: &'a Path,
    pub package: &'a str,
}

/// What, besides the sources, decides a workload's bytes: part of every asset's fingerprint,
/// so a change of the flags (ours or the user's `RUSTFLAGS`) rebuilds.
pub fn build_salt() -> String {
    format!("{TARGET} {} {}", FLAGS.join(" "), user_rustflags())
}

impl Build<'_> {
    /// Cargo's target directory of workload builds, shared by every workload of the project.
    pub fn target_dir(&self) -> PathBuf {
        self.source_dir.join("target/workloads")
    }

    /// Where cargo puts the release executables.
    pub fn release_dir(&self) -> PathBuf {
        self.target_dir().join(TARGET).join("release")
    }

    /// `cargo build --release` of every binary of the package.
    pub fn command(&self) -> Command {
        let cargo_home = std::env::var("CARGO_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|_| {
                PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo")
            });
        let root = self
            .source_dir
            .canonicalize()
            .unwrap_or_else(|_| self.source_dir.to_owned());
        let mut rustflags: Vec<String> = user_rustflags()
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        rustflags.extend([
            format!("--remap-path-prefix={}=/build", root.display()),
            format!("--remap-path-prefix={}=/cargo", cargo_home.display()),
        ]);
        rustflags.extend(FLAGS.iter().map(|f| f.to_string()));
        let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cmd.args([
            "build",
            "--release",
            "--locked",
            "--message-format=json-render-diagnostics",
            "--package",
            self.package,
            "--bins",
            "--target",
            TARGET,
        ])
        .arg("--target-dir")
        .arg(self.target_dir())
        .current_dir(self.source_dir)
        // CARGO_ENCODED_RUSTFLAGS would win over RUSTFLAGS; a CARGO_TARGET_DIR of the user's
        // is for their own builds (the flag above wins anyway).
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env("RUSTFLAGS", rustflags.join(" "));
        cmd
    }

    /// Runs the build; returns every executable of the package by binary name. On a
    /// terminal, a status line counts the crates compiled meanwhile.
    pub fn run(&self) -> Result<BTreeMap<String, PathBuf>, AssetError> {
        let mut child = self
            .command()
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(io("cargo"))?;
        // Both pipes are drained at once, so neither can fill up and stall cargo.
        let mut stderr = child.stderr.take().expect("piped");
        let errors = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let mut status_line = BuildStatus::on_terminal(self.package);
        let mut messages = String::new();
        for line in BufReader::new(child.stdout.take().expect("piped")).lines() {
            let line = line.map_err(io("cargo's output"))?;
            if let Some(name) = compiled(&line) {
                status_line.compiled(name);
            }
            messages.push_str(&line);
            messages.push('\n');
        }
        status_line.finish();
        let status = child.wait().map_err(io("cargo"))?;
        let stderr = errors.join().unwrap_or_default();
        if !status.success() {
            let tail: Vec<&str> = stderr.lines().rev().take(15).collect();
            return Err(AssetError::Build {
                package: self.package.to_owned(),
                status: status.to_string(),
                output: tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
            });
        }
        Ok(executables(&messages))
    }
}

/// The crate a `compiler-artifact` message is about.
fn compiled(message: &str) -> Option<String> {
    if !message.contains("\"compiler-artifact\"") {
        return None;
    }
    let m: serde_json::Value = serde_json::from_str(message).ok()?;
    Some(m["target"]["name"].as_str()?.to_owned())
}

/// The user's own `RUSTFLAGS`, kept (before ours) in every build; they change the binary, so
/// fingerprints include them.
pub fn user_rustflags() -> String {
    std::env::var("RUSTFLAGS").unwrap_or_default()
}

/// `target.name → executable` of the `compiler-artifact` messages that have an executable.
fn executables(messages: &str) -> BTreeMap<String, PathBuf> {
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact")
        .filter_map(|m| {
            let name = m["target"]["name"].as_str()?.to_owned();
            let exe = m["executable"].as_str()?;
            Some((name, PathBuf::from(exe)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_executables_from_cargo_messages() {
        let messages = r#"{"reason":"compiler-artifact","target":{"name":"serde"},"executable":null}
{"reason":"compiler-artifact","target":{"name":"read-counts"},"executable":"/t/release/read-counts"}
not json
{"reason":"build-finished","success":true}"#;
        let found = super::executables(messages);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found["read-counts"],
            std::path::PathBuf::from("/t/release/read-counts")
        );
    }
}
