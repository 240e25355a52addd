//! `stackcraft ls`.

use std::path::Path;

use super::synth::assemblies;
use crate::app::App;
use crate::error::Error;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Environment to list (default: the first of the configuration).
    #[arg(long, short, value_name = "ENV")]
    env: Option<String>,
}

pub(crate) fn run(app: &App, config_path: Option<&Path>, args: Args) -> Result<(), Error> {
    let env = match args.env {
        Some(env) => env,
        None => {
            let config = app.load_config(config_path)?;
            let first = config.environments.keys().next().cloned();
            first.expect("validation requires one environment")
        }
    };
    for (env, assembly) in assemblies(app, config_path, &[env], &[])? {
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
    }
    Ok(())
}
