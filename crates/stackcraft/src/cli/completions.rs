//! `stackcraft completions SHELL`: the completion script, generated from the same definitions
//! as the parser and `--help`.

use clap::CommandFactory;

use super::Cli;
use crate::error::Error;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// The shell to complete in.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

pub(crate) fn run(args: Args) -> Result<(), Error> {
    let mut command = Cli::command();
    clap_complete::generate(
        args.shell,
        &mut command,
        "stackcraft",
        &mut std::io::stdout(),
    );
    Ok(())
}
