//! The command line: `stackcraft ls`, `stackcraft synth`, ... It is private: [`App::run`]
//! is the way in. Each command reads the configuration once (a [`Project`]) and builds an
//! environment's stacks once.
//!
//! Streams: results on stdout; progress, prompts, logs and errors on stderr, so
//! `stackcraft diff > changes.txt` or `stackcraft ls | grep` see only results.

mod blueprints;
#[cfg(feature = "deploy")]
mod bootstrap;
mod check;
mod completions;
#[cfg(feature = "deploy")]
mod deploy;
#[cfg(feature = "deploy")]
mod destroy;
#[cfg(feature = "deploy")]
mod diff;
#[cfg(feature = "deploy")]
mod drift;
mod graph;
mod init;
#[cfg(feature = "deploy")]
mod logs;
mod ls;
#[cfg(feature = "deploy")]
mod outputs;
#[cfg(feature = "deploy")]
mod plan;
mod style;
mod synth;
#[cfg(feature = "deploy")]
mod watch;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::app::{App, Project};
use crate::error::Error;

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  differences found (diff), drifted stacks (drift) or failed checks (check)
  2  bad command line or configuration (the message names file, line and key)
  3  a stack cannot be synthesized (invalid construct, named by its path), is unknown, or
     (outputs) is not deployed
  4  output could not be written (the previous output is left as it was), init found a
     file it would replace (nothing is written), or an AWS endpoint could not be reached
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
    #[cfg(feature = "deploy")]
    /// Show the AWS SDK's logs on stderr (RUST_LOG, e.g. `aws_smithy_runtime=trace`, chooses
    /// exactly what; either turns them on).
    #[arg(long, short, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Start a project: a commented stackcraft.toml with dev and prod and the chosen
    /// blueprints' settings (their defaults), never replacing a file.
    ///
    /// With --rust, also a binary crate of your own (Cargo.toml, src/main.rs): every command
    /// of stackcraft plus stacks written in Rust.
    Init(init::Args),
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
    /// List the blueprints stackcraft.toml can name, or one blueprint's settings with their
    /// types, defaults and docs.
    Blueprints(blueprints::Args),
    /// Draw the architecture of an environment's stacks: SVG (laid out by stackcraft),
    /// Mermaid or DOT.
    ///
    /// Nodes are the resources a person recognises, with plumbing (policies, routes,
    /// security-group rules, listeners...) folded into its owner; grouped by account, region,
    /// stack, VPC, availability zone and subnet tier; edges from references, security-group
    /// rules (with ports), event sources and values read from other stacks.
    Graph(graph::Args),
    /// Print a shell completion script: `stackcraft completions bash > ~/.local/share/bash-completion/completions/stackcraft`.
    Completions(completions::Args),
    /// Create (or update) the asset bucket and image repository of an environment's account
    /// and region; `--destroy` removes them.
    #[cfg(feature = "deploy")]
    Bootstrap(bootstrap::Args),
    /// Deploy stacks through CloudFormation change sets, in dependency order.
    ///
    /// Synthesizes, uploads assets, creates a change set per stack, shows it (replacements and
    /// removals of stateful resources flagged), asks when anything is replaced or removed,
    /// executes it and follows the stack's events until it settles. On a terminal, each stack
    /// has a status line (resources done / total, elapsed, the resource in progress) redrawn
    /// below the events. With --hotswap, stacks where only Lambda code or container images
    /// changed are updated directly instead.
    #[cfg(feature = "deploy")]
    Deploy(deploy::Args),
    /// Deploy a stack with --hotswap, then again whenever a source file changes (Ctrl-C ends).
    ///
    /// Each change rebuilds what changed (synthesis), then updates only the changed Lambda code
    /// (UpdateFunctionCode) or container images (a new task definition revision and
    /// UpdateService) in seconds; any other change gets a full change set. Refused in
    /// protected environments. The stack drifts from its template until the next
    /// `stackcraft deploy` without --hotswap, which puts it back.
    #[cfg(feature = "deploy")]
    Watch(watch::Args),
    /// Prepare change sets without executing them and save them in a plan file.
    #[cfg(feature = "deploy")]
    Plan(plan::Args),
    /// Execute exactly the change sets of a plan file, refusing if a stack moved since;
    /// publish the stacks' static sites as deploy does.
    #[cfg(feature = "deploy")]
    Apply(plan::ApplyArgs),
    /// Compare the synthesized templates with the deployed ones (exit code 1 when they differ).
    #[cfg(feature = "deploy")]
    Diff(diff::Args),
    /// Detect drift: resources changed outside CloudFormation (exit code 1 when any drifted).
    ///
    /// Runs CloudFormation's drift detection on each deployed stack and lists the resources
    /// that were modified or deleted, with each property's template and actual value. Only the
    /// resource types CloudFormation can check are checked.
    #[cfg(feature = "deploy")]
    Drift(drift::Args),
    /// Delete deployed stacks in reverse dependency order.
    #[cfg(feature = "deploy")]
    Destroy(destroy::Args),
    /// Print the outputs of deployed stacks (URLs, names...), read from CloudFormation.
    #[cfg(feature = "deploy")]
    Outputs(outputs::Args),
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

// The entry point lives here rather than in `app.rs`: the CLI depends on the app, and the app
// knows nothing of the CLI.
impl App {
    /// Runs the CLI with the process's arguments; returns the process exit code.
    pub fn run(self) -> ExitCode {
        self.run_from(std::env::args_os())
    }

    /// Runs the CLI with `args` (the first is the program name), as [`App::run`] does with
    /// the process's.
    pub fn run_from(self, args: impl IntoIterator<Item = impl Into<OsString> + Clone>) -> ExitCode {
        let cli = match Cli::try_parse_from(args) {
            Ok(cli) => cli,
            Err(e) => {
                let _ = e.print();
                return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
            }
        };
        #[cfg(feature = "deploy")]
        logs::init(cli.verbose);
        match dispatch(&self, cli) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                let message = e.to_string();
                if !message.is_empty() {
                    eprintln!("{} {message}", style::error_prefix());
                }
                ExitCode::from(e.exit_code())
            }
        }
    }
}

fn dispatch(app: &App, cli: Cli) -> Result<(), Error> {
    let project = || -> Result<Project<'_>, Error> {
        match &cli.config {
            Some(path) => Ok(app.with_config(stackcraft_config::Config::load(path)?)),
            None => app.load(),
        }
    };
    match cli.command {
        Command::Init(args) => {
            let path = cli.config.as_deref().unwrap_or(app.config_path());
            init::run(app, path, args)
        }
        Command::Blueprints(args) => blueprints::run(app, args),
        Command::Completions(args) => completions::run(args),
        Command::Ls(args) => ls::run(&project()?, args),
        Command::Synth(args) => synth::run(&project()?, args),
        Command::Graph(args) => graph::run(&project()?, args),
        Command::Check(args) => check::run(&project, args),
        #[cfg(feature = "deploy")]
        Command::Bootstrap(args) => bootstrap::run(&project()?, args),
        #[cfg(feature = "deploy")]
        Command::Deploy(args) => deploy::run(&project()?, args),
        #[cfg(feature = "deploy")]
        Command::Plan(args) => plan::run(&project()?, args),
        #[cfg(feature = "deploy")]
        Command::Apply(args) => plan::apply(&project()?, args),
        #[cfg(feature = "deploy")]
        Command::Diff(args) => diff::run(&project()?, args),
        #[cfg(feature = "deploy")]
        Command::Drift(args) => drift::run(&project()?, args),
        #[cfg(feature = "deploy")]
        Command::Watch(args) => watch::run(&project()?, args),
        #[cfg(feature = "deploy")]
        Command::Destroy(args) => destroy::run(&project()?, args),
        #[cfg(feature = "deploy")]
        Command::Outputs(args) => outputs::run(&project()?, args),
    }
}
