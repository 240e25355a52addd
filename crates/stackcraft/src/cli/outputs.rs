//! `stackcraft outputs`: the outputs of the deployed stacks, read from CloudFormation.

use indexmap::IndexMap;

use super::deploy::Target;
use crate::app::Project;
use crate::error::Error;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// The stack whose outputs to print (default: every deployed stack of the environment).
    stack: Option<String>,
    #[command(flatten)]
    target: Target,
    /// Print `{"stack": {"OutputKey": "value"}}`, the shape of deploy's --outputs-file.
    #[arg(long)]
    json: bool,
}

/// A stack, its CloudFormation name, and its outputs (`None`: not deployed).
type Found = (String, String, Option<IndexMap<String, String>>);

pub(crate) fn run(project: &Project, args: Args) -> Result<(), Error> {
    let env = project.config().environment(&args.target.env)?;
    let names = project.stack_names();
    let wanted: Vec<String> = match &args.stack {
        Some(stack) if !names.contains(stack) => {
            return Err(Error::Synth(stackcraft_core::SynthError::UnknownStack {
                name: stack.clone(),
                known: names.join(", "),
            }))
        }
        Some(stack) => vec![stack.clone()],
        None => names,
    };
    let found = stackcraft_deploy::block_on(async {
        let session = args.target.connection.connect(&env).await?;
        let mut found: Vec<Found> = Vec::new();
        for stack in wanted {
            let deployed = project.deployed_name(&env, &stack);
            let described = session
                .cfn
                .describe_stack(&deployed)
                .await
                .map_err(|e| session.api_error(format!("stack {stack}"), e))?;
            found.push((stack, deployed, described.map(|d| d.outputs)));
        }
        Ok::<_, stackcraft_deploy::DeployError>(found)
    })?;
    if let (Some(stack), Some((_, deployed, None))) = (&args.stack, found.first()) {
        return Err(Error::NotDeployed(format!(
            "stack {stack} ({deployed}) is not deployed in {}",
            env.name
        )));
    }
    for (stack, deployed, _) in found.iter().filter(|(_, _, o)| o.is_none()) {
        eprintln!("{stack} ({deployed}): not deployed");
    }
    if args.json {
        let all: serde_json::Map<String, serde_json::Value> = found
            .into_iter()
            .filter_map(|(stack, _, outputs)| {
                Some((stack, serde_json::to_value(outputs?).expect("strings")))
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&all).expect("serializes")
        );
        return Ok(());
    }
    for (stack, deployed, outputs) in found {
        let Some(outputs) = outputs else {
            continue;
        };
        println!("{stack} ({deployed})");
        let width = outputs.keys().map(String::len).max().unwrap_or(0);
        for (key, value) in &outputs {
            println!("  {key:<width$}  {value}");
        }
    }
    Ok(())
}
