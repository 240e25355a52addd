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
    /// Print one JSON object instead of the report: per stack its deployed name, whether it
    /// is deployed and differs, the changed lines and the resources a deploy would replace.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(project: &Project, args: Args) -> Result<(), Error> {
    let mut assembly = project.synth(&args.target.env)?;
    assembly.select(&args.stacks)?;
    // With --json the engine's report goes nowhere; the JSON says the same.
    let (ui, _report, _progress) = Ui::capture_streams(None);
    let ui = if args.json { ui } else { Ui::terminal() };
    let diffs = stackcraft_deploy::block_on(async {
        let session = args
            .target
            .connection
            .connect(&assembly.environment)
            .await?;
        stackcraft_deploy::diff(&session, &assembly, &ui).await
    })?;
    if args.json {
        let stacks: Vec<serde_json::Value> = diffs
            .iter()
            .map(|d| {
                serde_json::json!({
                    "name": d.stack,
                    "deployedName": d.deployed_name,
                    "deployed": d.deployed,
                    "differs": d.differs(),
                    "changes": d.lines,
                    "replacements": d.replacements,
                })
            })
            .collect();
        let all = serde_json::json!({
            "environment": assembly.environment.name,
            "differs": diffs.iter().any(|d| d.differs()),
            "stacks": stacks,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&all).expect("serializes")
        );
    }
    if diffs.iter().any(|d| d.differs()) {
        return Err(Error::Differences);
    }
    Ok(())
}
