//! `stackcraft synth`.

use std::path::PathBuf;
use std::time::Instant;

use stackcraft_core::Assembly;

use super::FormatArg;
use crate::app::Project;
use crate::error::Error;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Stacks to synthesize, with the stacks they depend on (default: every stack).
    stacks: Vec<String>,
    /// Environment to synthesize; repeat for several (default: every environment).
    #[arg(long = "env", short = 'e', value_name = "ENV")]
    envs: Vec<String>,
    /// Directory of the cloud assemblies: one subdirectory per environment.
    #[arg(long, short, value_name = "DIR", default_value = "stackcraft.out")]
    out: PathBuf,
    /// Template format.
    #[arg(long, value_enum, default_value_t = FormatArg::Json)]
    format: FormatArg,
    /// Print nothing on success.
    #[arg(long, short)]
    quiet: bool,
}

/// Synthesizes the environments' assemblies, in memory, all or nothing.
pub(crate) fn assemblies(
    project: &Project,
    envs: &[String],
    stacks: &[String],
) -> Result<Vec<(String, Assembly)>, Error> {
    project
        .environments(envs)?
        .into_iter()
        .map(|env| {
            let mut assembly = project.synth(&env)?;
            assembly.select(stacks)?;
            Ok((env, assembly))
        })
        .collect()
}

pub(crate) fn run(project: &Project, args: Args) -> Result<(), Error> {
    let started = Instant::now();
    // Every environment is synthesized before anything is written: one bad stack in prod
    // leaves dev's previous output alone too.
    let assemblies = assemblies(project, &args.envs, &args.stacks)?;
    let synthesized = started.elapsed();
    for (env, assembly) in &assemblies {
        let dir = args.out.join(env);
        assembly.write(&dir, args.format.into())?;
        if !args.quiet {
            let resources: usize = assembly
                .stacks
                .iter()
                .map(|s| s.template.resources.len())
                .sum();
            println!(
                "{env}: {} stack(s), {resources} resources → {}",
                assembly.stacks.len(),
                dir.display()
            );
            for stack in &assembly.stacks {
                println!(
                    "  {:<24} {} resources",
                    stack.deployed_name,
                    stack.template.resources.len()
                );
            }
        }
    }
    if !args.quiet {
        println!(
            "synthesized in {:.1} ms, written in {:.1} ms",
            synthesized.as_secs_f64() * 1e3,
            (started.elapsed() - synthesized).as_secs_f64() * 1e3
        );
    }
    Ok(())
}
