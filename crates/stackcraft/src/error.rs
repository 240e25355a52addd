//! Errors of the CLI, with their exit codes.

use stackcraft_config::ConfigError;
use stackcraft_core::SynthError;

/// Why a command failed. Each kind has its own exit code (see `stackcraft --help`).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration is wrong: exit code 2.
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// The command line asks for something it cannot do (no stack named and no `--all`):
    /// exit code 2, as for clap's own usage errors.
    #[error("{0}")]
    Usage(String),
    /// A stack cannot be synthesized (invalid constructs, unknown stack): exit code 3.
    #[error("{0}")]
    Synth(#[from] SynthError),
    /// A deploy-layer command failed (bootstrap, deploy, plan, apply, diff, destroy). Boxed:
    /// it is large, and synth-only callers should not pay for it in every `Result`.
    #[cfg(feature = "deploy")]
    #[error("{0}")]
    Deploy(Box<stackcraft_deploy::DeployError>),
    /// A file could not be written, or `init` would have replaced one: exit code 4, nothing
    /// written.
    #[error("{0}")]
    Output(String),
    /// A stack named on the command line is not deployed (`outputs`): exit code 3, as for an
    /// unknown stack.
    #[error("{0}")]
    NotDeployed(String),
    /// Differences were found (`diff`): exit code 1. The command has printed them; there is
    /// no error message.
    #[error("")]
    Differences,
}

#[cfg(feature = "deploy")]
impl From<stackcraft_deploy::DeployError> for Error {
    fn from(e: stackcraft_deploy::DeployError) -> Self {
        Error::Deploy(Box::new(e))
    }
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Config(_) | Error::Usage(_) => 2,
            Error::NotDeployed(_) => 3,
            Error::Output(_) => 4,
            Error::Synth(SynthError::Io { .. }) => 4,
            Error::Synth(_) => 3,
            #[cfg(feature = "deploy")]
            Error::Deploy(e) => e.exit_code(),
            Error::Differences => 1,
        }
    }
}
