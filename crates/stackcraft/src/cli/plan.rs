//! `stackcraft plan` and `stackcraft apply`.

use std::path::PathBuf;

use stackcraft_deploy::{ApplyOptions, Plan, Ui};

use super::deploy::{require_selection, Connection, Target};
use crate::app::Project;
use crate::error::Error;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Stacks to plan, with the stacks they depend on.
    stacks: Vec<String>,
    /// Plan every stack of the environment.
    #[arg(long, conflicts_with = "stacks")]
    all: bool,
    #[command(flatten)]
    target: Target,
    /// The plan file to write.
    #[arg(
        long,
        short,
        value_name = "PATH",
        default_value = "stackcraft.plan.json"
    )]
    out: PathBuf,
}

pub(crate) fn run(project: &Project, args: Args) -> Result<(), Error> {
    let mut assembly = project.synth(&args.target.env)?;
    require_selection(&assembly, &args.stacks, args.all, "plan")?;
    assembly.select(&args.stacks)?;
    let plan = stackcraft_deploy::block_on(async {
        let session = args
            .target
            .connection
            .connect(&assembly.environment)
            .await?;
        stackcraft_deploy::plan(&session, &assembly, &Ui::terminal()).await
    })?;
    plan.write(&args.out)?;
    let changing = plan
        .stacks
        .iter()
        .filter(|s| s.change_set_id.is_some())
        .count();
    println!(
        "plan written to {}: {changing} change set(s); apply it with `stackcraft apply {}`",
        args.out.display(),
        args.out.display()
    );
    Ok(())
}

#[derive(clap::Args, Debug)]
pub(crate) struct ApplyArgs {
    /// The plan file written by `stackcraft plan`.
    plan: PathBuf,
    #[command(flatten)]
    connection: Connection,
}

pub(crate) fn apply(project: &Project, args: ApplyArgs) -> Result<(), Error> {
    let plan = Plan::read(&args.plan)?;
    // The plan's stacks synthesized again: their assets, images and sites are published as
    // deploy publishes them (apply refuses if a template is not the planned one).
    let mut assembly = project.synth(&plan.environment)?;
    let planned: Vec<String> = plan.stacks.iter().map(|s| s.stack.clone()).collect();
    assembly.select(&planned)?;
    stackcraft_deploy::block_on(async {
        let session = args.connection.connect(&assembly.environment).await?;
        let opts = ApplyOptions::default();
        stackcraft_deploy::apply(&session, &plan, &assembly, &opts, &Ui::terminal()).await
    })?;
    Ok(())
}
