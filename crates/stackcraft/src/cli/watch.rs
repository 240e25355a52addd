//! `stackcraft watch`: deploy a stack with hotswap, then again on every change of the
//! project's source files, until Ctrl-C.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use stackcraft_deploy::{DeployOptions, Ui};

use super::deploy::Target;
use crate::app::Project;
use crate::error::Error;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// The stack to keep deployed (with the stacks it depends on).
    stack: String,
    #[command(flatten)]
    target: Target,
    /// How often the source files are looked at.
    #[arg(long, default_value_t = 1000, value_name = "MS")]
    interval_ms: u64,
}

/// Each source file of the project (not the assembly synth writes) with its modification time
/// and size: what a change is.
fn snapshot(root: &Path) -> Vec<(PathBuf, Option<SystemTime>, u64)> {
    let files = stackcraft_core::files::source_files(root).unwrap_or_default();
    files
        .into_iter()
        .filter(|f| !f.relative.starts_with("stackcraft.out/"))
        .map(|f| {
            let meta = std::fs::metadata(&f.path).ok();
            (
                f.path,
                meta.as_ref().and_then(|m| m.modified().ok()),
                meta.map(|m| m.len()).unwrap_or(0),
            )
        })
        .collect()
}

pub(crate) fn run(project: &Project, args: Args) -> Result<(), Error> {
    let root = project.config().root();
    let env = project.config().environment(&args.target.env)?;
    let opts = DeployOptions {
        hotswap: true,
        ..DeployOptions::default()
    };
    let mut seen = snapshot(&root);
    // Synthesis builds what changed (Lambda zips, images) before each round.
    let synth = || {
        let mut assembly = project.synth(&args.target.env).map_err(|e| e.to_string())?;
        assembly
            .select(std::slice::from_ref(&args.stack))
            .map_err(|e| e.to_string())?;
        Ok(assembly)
    };
    let changed = || {
        let now = snapshot(&root);
        let differs = now != seen;
        seen = now;
        differs
    };
    stackcraft_deploy::block_on(async {
        let session = args.target.connection.connect(&env).await?;
        let interval = Duration::from_millis(args.interval_ms.max(50));
        stackcraft_deploy::watch(&session, &Ui::terminal(), &opts, interval, synth, changed).await
    })?;
    Ok(())
}
