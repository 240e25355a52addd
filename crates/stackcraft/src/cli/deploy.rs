//! `stackcraft deploy`, and what the AWS commands share: the target environment, the
//! connection flags, and synthesis of one environment's assembly.

use std::path::PathBuf;

use stackcraft_core::Assembly;
use stackcraft_deploy::{DeployError, DeployOptions, RequireApproval, Session, Ui};

use crate::app::Project;
use crate::error::Error;

/// Where AWS is: the standard credential chain (environment, profiles, SSO), the flags below.
#[derive(clap::Args, Debug, Clone)]
pub(crate) struct Connection {
    /// AWS profile (default: AWS_PROFILE, else the default credential chain).
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// AWS region; must be the environment's (stackcraft.toml decides where stacks go).
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
    /// Send every AWS call to this endpoint, e.g. a local emulator (default: AWS_ENDPOINT_URL).
    #[arg(long, value_name = "URL")]
    endpoint_url: Option<String>,
}

/// The environment a command works on, and how to reach its account.
#[derive(clap::Args, Debug, Clone)]
pub(crate) struct Target {
    /// The environment (from stackcraft.toml).
    #[arg(long = "env", short = 'e', value_name = "ENV")]
    pub env: String,
    #[command(flatten)]
    pub connection: Connection,
}

impl Connection {
    fn options(&self) -> stackcraft_deploy::ConnectOptions {
        stackcraft_deploy::ConnectOptions {
            profile: self.profile.clone(),
            region: self.region.clone(),
            endpoint_url: self.endpoint_url.clone(),
        }
    }

    /// Resolves credentials and checks the account; nothing is touched before.
    pub(crate) async fn connect(
        &self,
        env: &stackcraft_core::Environment,
    ) -> Result<Session, DeployError> {
        stackcraft_deploy::connect(env, &self.options()).await
    }
}

/// Refuses a command that names no stacks and has no `--all`, listing the stacks it could name.
pub(crate) fn require_selection(
    assembly: &Assembly,
    stacks: &[String],
    all: bool,
    verb: &str,
) -> Result<(), Error> {
    if stacks.is_empty() && !all {
        let names: Vec<_> = assembly.stacks.iter().map(|s| s.name.as_str()).collect();
        return Err(Error::Usage(format!(
            "name the stacks to {verb}, or pass --all (stacks of {}: {})",
            assembly.environment.name,
            names.join(", ")
        )));
    }
    Ok(())
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub(crate) enum Approval {
    /// Never ask.
    Never,
    /// Ask when anything is replaced or removed.
    Destructive,
    /// Ask for any change.
    AnyChange,
}

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Stacks to deploy, with the stacks they depend on.
    stacks: Vec<String>,
    /// Deploy every stack of the environment.
    #[arg(long, conflicts_with = "stacks")]
    all: bool,
    #[command(flatten)]
    target: Target,
    /// Execute without asking, even when resources are replaced or removed.
    #[arg(long, short = 'y')]
    yes: bool,
    /// When to ask before executing a change set.
    #[arg(long, value_enum, default_value_t = Approval::Destructive, value_name = "WHEN")]
    require_approval: Approval,
    /// Stacks deployed at the same time (independent ones; dependencies always go first).
    #[arg(long, default_value_t = 1, value_name = "N")]
    concurrency: usize,
    /// Asset uploads at the same time.
    #[arg(long, default_value_t = 8, value_name = "N")]
    asset_parallelism: usize,
    /// Write the outputs of the deployed stacks to this JSON file ({"stack": {"Key": "value"}}).
    #[arg(long, value_name = "PATH")]
    outputs_file: Option<PathBuf>,
    /// Where only Lambda code or container images changed, update just those (seconds, no
    /// change set); other stacks get a change set. Refused in protected environments. The
    /// stack drifts from its template until the next deploy without --hotswap.
    #[arg(long)]
    hotswap: bool,
}

pub(crate) fn run(project: &Project, args: Args) -> Result<(), Error> {
    let mut assembly = project.synth(&args.target.env)?;
    require_selection(&assembly, &args.stacks, args.all, "deploy")?;
    assembly.select(&args.stacks)?;
    let opts = DeployOptions {
        yes: args.yes,
        require_approval: match args.require_approval {
            Approval::Never => RequireApproval::Never,
            Approval::Destructive => RequireApproval::Destructive,
            Approval::AnyChange => RequireApproval::AnyChange,
        },
        concurrency: args.concurrency.max(1),
        asset_parallelism: args.asset_parallelism.max(1),
        outputs_file: args.outputs_file,
        hotswap: args.hotswap,
    };
    stackcraft_deploy::block_on(async {
        let session = args
            .target
            .connection
            .connect(&assembly.environment)
            .await?;
        stackcraft_deploy::deploy(&session, &assembly, &opts, &Ui::terminal()).await
    })?;
    Ok(())
}
