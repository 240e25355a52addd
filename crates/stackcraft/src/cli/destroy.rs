//! `stackcraft destroy`.

use std::path::Path;

use stackcraft_deploy::{DestroyOptions, Ui};

use super::deploy::{assembly, require_selection, Target};
use crate::app::App;
use crate::error::Error;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Stacks to destroy (the stacks they depend on are listed for selection but only those
    /// named, and what depends on them within the selection, are deleted).
    stacks: Vec<String>,
    /// Destroy every stack of the environment.
    #[arg(long, conflicts_with = "stacks")]
    all: bool,
    #[command(flatten)]
    target: Target,
    /// Do not ask.
    #[arg(long, short = 'y')]
    yes: bool,
    /// Destroy even in a protected environment (prod by default).
    #[arg(long)]
    force: bool,
    /// Stacks deleted at the same time (dependents always go first).
    #[arg(long, default_value_t = 1, value_name = "N")]
    concurrency: usize,
}

pub(crate) fn run(app: &App, config_path: Option<&Path>, args: Args) -> Result<(), Error> {
    let env = &args.target.env;
    require_selection(app, config_path, env, &args.stacks, args.all, "destroy")?;
    let mut assembly = assembly(app, config_path, env, &[])?;
    if !args.all {
        // Only the named stacks, plus every stack that depends on them (it would break).
        assembly.clone().select(&args.stacks)?; // unknown names are errors
        let mut keep: Vec<String> = args.stacks.clone();
        loop {
            let more: Vec<String> = assembly
                .stacks
                .iter()
                .filter(|s| !keep.contains(&s.name))
                .filter(|s| s.dependencies.iter().any(|d| keep.contains(d)))
                .map(|s| s.name.clone())
                .collect();
            if more.is_empty() {
                break;
            }
            keep.extend(more);
        }
        assembly.stacks.retain(|s| keep.contains(&s.name));
    }
    let opts = DestroyOptions {
        yes: args.yes,
        force: args.force,
        concurrency: args.concurrency.max(1),
    };
    stackcraft_deploy::block_on(async {
        let session = args
            .target
            .connection
            .connect(&assembly.environment)
            .await?;
        stackcraft_deploy::destroy(&session, &assembly, &opts, &Ui::terminal()).await
    })?;
    Ok(())
}
