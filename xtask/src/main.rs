//! Repository tasks: `cargo xtask <task>` (the alias lives in `.cargo/config.toml`).
//!
//! - `codegen`: regenerates `crates/stackcraft-resources/src/generated/` (and the service
//!   features of that crate's `Cargo.toml`) from the CloudFormation resource provider schemas
//!   shipped in the pinned cfn-lint wheel;
//! - `codegen --check`: regenerates in memory and fails, naming the files, if the committed
//!   output differs (CI runs this).

mod catalog;
mod codegen;
mod doc;
mod names;
mod resource;
mod stats;
mod union;
mod wheel;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask codegen [--check]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["codegen"] => codegen::run(&repo_root(), false),
        ["codegen", "--check"] => codegen::run(&repo_root(), true),
        ["help"] | ["--help"] | ["-h"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(format!("unknown arguments {args:?}\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: the parent of this crate's directory.
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root")
        .to_path_buf()
}
