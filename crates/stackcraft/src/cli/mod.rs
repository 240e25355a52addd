//! The command line: `stackcraft ls`, `stackcraft synth`, ...

#[cfg(feature = "deploy")]
mod bootstrap;
mod check;
#[cfg(feature = "deploy")]
mod deploy;
#[cfg(feature = "deploy")]
mod destroy;
#[cfg(feature = "deploy")]
mod diff;
mod graph;
mod ls;
#[cfg(feature = "deploy")]
mod plan;
mod synth;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::app::App;
use crate::error::Error;

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  differences found (diff) or failed checks (check)
  2  bad command line or configuration (the message names file, line and key)
  3  a stack cannot be synthesized (invalid construct, named by its path)
  4  output could not be written (the previous output is left as it was), or an AWS
     endpoint could not be reached
  5  a deploy, apply or destroy failed, or its changes were not approved (the message names
     the stack, the first failing resource and the reason)
  130  interrupted (Ctrl-C): the message says whether a change set was executed";

#[derive(Parser, Debug)]
#[command(
    name = "stackcraft",
    version,
    about = "Define, check and ship AWS architectures in Rust",
    long_about = "Define, check and ship AWS architectures in Rust.\n\n\
        Stacks are declared in stackcraft.toml (a blueprint and its settings per stack, \
        environments such as dev and prod) or in Rust code; stackcraft synthesizes them into \
        deterministic CloudFormation templates.",
    after_help = EXIT_CODES
)]
struct Cli {
    /// The configuration file.
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List the stacks of an environment: blueprint, deployed name, dependencies.
    Ls(ls::Args),
    /// Synthesize stacks into a cloud assembly: manifest.json and one template per stack.
    ///
    /// Writes <out>/<env>/ for each environment, atomically: an error leaves the previous
    /// output untouched. Two runs on the same input write identical bytes.
    Synth(synth::Args),
    /// Review templates against the built-in security rules (exit code 1 on findings).
    ///
    /// Checks the synthesized stacks of each environment (in memory, nothing is written), or
    /// template files (JSON or YAML) when the arguments are paths. Findings name the rule,
    /// the resource's logical id and construct path, and the fix; suppressions (stack.suppress
    /// in code, [[stacks.<name>.suppress]] in stackcraft.toml) need a reason.
    Check(check::Args),
    /// List the blueprints stackcraft.toml can name.
    Blueprints,
    /// Draw the architecture of an environment's stacks: SVG (laid out by stackcraft),
    /// Mermaid or DOT.
    ///
    /// Nodes are the resources a person recognises, with plumbing (policies, routes,
    /// security-group rules, listeners...) folded into its owner; grouped by account, region,
    /// stack, VPC, availability zone and subnet tier; edges from references, security-group
    /// rules (with ports), event sources and values read from other stacks.
    Graph(graph::Args),
    /// Create (or update) the asset bucket and image repository of an environment's account
    /// and region; `--destroy` removes them.
    #[cfg(feature = "deploy")]
    Bootstrap(bootstrap::Args),
    /// Deploy stacks through CloudFormation change sets, in dependency order.
    ///
    /// Synthesizes, uploads assets, creates a change set per stack, shows it (replacements and
    /// removals of stateful resources flagged), asks when anything is replaced or removed,
    /// executes it and follows the stack's events until it settles.
    #[cfg(feature = "deploy")]
    Deploy(deploy::Args),
    /// Prepare change sets without executing them and save them in a plan file.
    #[cfg(feature = "deploy")]
    Plan(plan::Args),
    /// Execute exactly the change sets of a plan file, refusing if a stack moved since.
    #[cfg(feature = "deploy")]
    Apply(plan::ApplyArgs),
    /// Compare the synthesized templates with the deployed ones (exit code 1 when they differ).
    #[cfg(feature = "deploy")]
    Diff(diff::Args),
    /// Delete deployed stacks in reverse dependency order.
    #[cfg(feature = "deploy")]
    Destroy(destroy::Args),
}

/// How templates are written.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum FormatArg {
    Json,
    Yaml,
}

impl From<FormatArg> for stackcraft_core::Format {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Json => stackcraft_core::Format::Json,
            FormatArg::Yaml => stackcraft_core::Format::Yaml,
        }
    }
}

/// Runs the CLI; returns the process exit code.
pub fn run(app: App, args: impl IntoIterator<Item = impl Into<OsString> + Clone>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match dispatch(&app, cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let message = e.to_string();
            if !message.is_empty() {
                eprintln!("error: {message}");
            }
            ExitCode::from(e.exit_code())
        }
    }
}

fn dispatch(app: &App, cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Blueprints => {
            for b in app.blueprints() {
                println!("{:<20} {}", b.name, b.summary);
            }
            Ok(())
        }
        Command::Ls(args) => ls::run(app, cli.config.as_deref(), args),
        Command::Synth(args) => synth::run(app, cli.config.as_deref(), args),
        Command::Graph(args) => graph::run(app, cli.config.as_deref(), args),
        Command::Check(args) => check::run(app, cli.config.as_deref(), args),
        #[cfg(feature = "deploy")]
        Command::Bootstrap(args) => bootstrap::run(app, cli.config.as_deref(), args),
        #[cfg(feature = "deploy")]
        Command::Deploy(args) => deploy::run(app, cli.config.as_deref(), args),
        #[cfg(feature = "deploy")]
        Command::Plan(args) => plan::run(app, cli.config.as_deref(), args),
        #[cfg(feature = "deploy")]
        Command::Apply(args) => plan::apply(app, cli.config.as_deref(), args),
        #[cfg(feature = "deploy")]
        Command::Diff(args) => diff::run(app, cli.config.as_deref(), args),
        #[cfg(feature = "deploy")]
        Command::Destroy(args) => destroy::run(app, cli.config.as_deref(), args),
    }
}

/// The environment a single-environment command works on: the one named, else the first of
/// the file.
pub(crate) fn environment_or_first(
    app: &App,
    config_path: Option<&std::path::Path>,
    named: Option<String>,
) -> Result<String, Error> {
    match named {
        Some(env) => Ok(env),
        None => {
            let config = app.load_config(config_path)?;
            let first = config.environments.keys().next().cloned();
            Ok(first.expect("validation requires one environment"))
        }
    }
}

/// The environments a command works on: those named, else every one of the file.
pub(crate) fn environments(
    config: &stackcraft_config::Config,
    named: &[String],
) -> Result<Vec<String>, Error> {
    if named.is_empty() {
        return Ok(config.environments.keys().cloned().collect());
    }
    for env in named {
        config.environment(env)?;
    }
    Ok(named.to_vec())
}
