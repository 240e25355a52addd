//! `stackcraft drift`: exit code 0 when every deployed stack is in sync with its template, 1
//! when any drifted.

use stackcraft_deploy::Ui;

use super::deploy::Target;
use crate::app::Project;
use crate::error::Error;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Stacks to check, with the stacks they depend on (default: every stack).
    stacks: Vec<String>,
    #[command(flatten)]
    target: Target,
}

pub(crate) fn run(project: &Project, args: Args) -> Result<(), Error> {
    let mut assembly = project.synth(&args.target.env)?;
    assembly.select(&args.stacks)?;
    let drifts = stackcraft_deploy::block_on(async {
        let session = args
            .target
            .connection
            .connect(&assembly.environment)
            .await?;
        stackcraft_deploy::drift(&session, &assembly, &Ui::terminal()).await
    })?;
    if drifts.iter().any(|d| d.drifted()) {
        return Err(Error::Differences);
    }
    Ok(())
}
