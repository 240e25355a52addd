//! `stackcraft bootstrap`.

use std::path::Path;

use stackcraft_deploy::{BootstrapOptions, Ui};

use super::deploy::Target;
use crate::app::App;
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

pub(crate) fn run(app: &App, config_path: Option<&Path>, args: Args) -> Result<(), Error> {
    let config = app.load_config(config_path)?;
    let env = config.environment(&args.target.env)?;
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
