//! `stackcraft diff`: exit code 0 when every stack equals what is deployed, 1 otherwise.

use stackcraft_deploy::Ui;

use super::deploy::Target;
use crate::app::Project;
use crate::error::Error;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Stacks to compare, with the stacks they depend on (default: every stack).
    stacks: Vec<String>,
    #[command(flatten)]
    target: Target,
}

pub(crate) fn run(project: &Project, args: Args) -> Result<(), Error> {
    let mut assembly = project.synth(&args.target.env)?;
    assembly.select(&args.stacks)?;
    let diffs = stackcraft_deploy::block_on(async {
        let session = args
            .target
            .connection
            .connect(&assembly.environment)
            .await?;
        stackcraft_deploy::diff(&session, &assembly, &Ui::terminal()).await
    })?;
    if diffs.iter().any(|d| d.differs()) {
        return Err(Error::Differences);
    }
    Ok(())
}
