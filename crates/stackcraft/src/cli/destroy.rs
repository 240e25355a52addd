//! `stackcraft destroy`.

use stackcraft_deploy::{DestroyOptions, Ui};

use super::deploy::{require_selection, Target};
use crate::app::Project;
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

pub(crate) fn run(project: &Project, args: Args) -> Result<(), Error> {
    let mut assembly = project.synth(&args.target.env)?;
    require_selection(&assembly, &args.stacks, args.all, "destroy")?;
    if !args.all {
        assembly = stackcraft_deploy::with_dependents(&assembly, &args.stacks)?;
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
