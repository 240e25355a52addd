//! `stackcraft bootstrap`.

use stackcraft_deploy::{BootstrapOptions, Ui};

use super::deploy::Target;
use crate::app::Project;
use crate::error::Error;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    #[command(flatten)]
    target: Target,
    /// Remove the bootstrap stack instead, deleting every asset in its bucket.
    #[arg(long)]
    destroy: bool,
    /// Do not ask.
    #[arg(long, short = 'y')]
    yes: bool,
}

pub(crate) fn run(project: &Project, args: Args) -> Result<(), Error> {
    let env = project.config().environment(&args.target.env)?;
    let opts = BootstrapOptions {
        destroy: args.destroy,
        yes: args.yes,
    };
    stackcraft_deploy::block_on(async {
        let session = args.target.connection.connect(&env).await?;
        stackcraft_deploy::bootstrap(&session, &opts, &Ui::terminal()).await
    })?;
    Ok(())
}
