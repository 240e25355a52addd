//! `stackcraft ls`.

use crate::app::Project;
use crate::error::Error;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Environment to list (default: the first of the configuration).
    #[arg(long, short, value_name = "ENV")]
    env: Option<String>,
    /// Print a JSON array: name, blueprint (null for stacks written in code), deployedName,
    /// dependsOn.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(project: &Project, args: Args) -> Result<(), Error> {
    let env = match args.env {
        Some(env) => env,
        None => {
            let first = project.config().environments.keys().next().cloned();
            first.expect("validation requires one environment")
        }
    };
    let assembly = project.synth(&env)?;
    if args.json {
        let stacks: Vec<serde_json::Value> = assembly
            .stacks
            .iter()
            .map(|s| {
                serde_json::json!({
                    "name": s.name,
                    "blueprint": s.blueprint,
                    "deployedName": s.deployed_name,
                    "dependsOn": s.dependencies,
                })
            })
            .collect();
        let text = serde_json::to_string_pretty(&stacks).expect("serializes");
        println!("{text}");
        return Ok(());
    }
    println!(
        "{:<16} {:<20} {:<32} DEPENDS ON",
        "STACK",
        "BLUEPRINT",
        format!("DEPLOYED AS ({env})")
    );
    for stack in &assembly.stacks {
        println!(
            "{:<16} {:<20} {:<32} {}",
            stack.name,
            stack.blueprint.as_deref().unwrap_or("(code)"),
            stack.deployed_name,
            if stack.dependencies.is_empty() {
                "-".to_owned()
            } else {
                stack.dependencies.join(", ")
            }
        );
    }
    Ok(())
}
