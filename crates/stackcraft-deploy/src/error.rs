//! Errors of the deploy layer, each with its exit code.

/// A failed call to AWS (or to the emulator standing in for it).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    /// The service's error code (`ValidationError`), when the service answered.
    pub code: Option<String>,
    pub message: String,
    /// The endpoint could not be reached at all (refused, timed out, DNS).
    pub unreachable: bool,
}

impl ApiError {
    pub fn service(code: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError {
            code: Some(code.into()),
            message: message.into(),
            unreachable: false,
        }
    }

    pub fn unreachable(message: impl Into<String>) -> Self {
        ApiError {
            code: None,
            message: message.into(),
            unreachable: true,
        }
    }

    pub fn other(message: impl Into<String>) -> Self {
        ApiError {
            code: None,
            message: message.into(),
            unreachable: false,
        }
    }
}

/// Why a bootstrap, deploy, plan, apply, diff or destroy did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    /// Bad input: unknown stack or environment, refused endpoint, account mismatch, missing
    /// credentials, a plan for another account, a protected environment (exit code 2).
    #[error("{0}")]
    Input(String),
    /// An endpoint could not be reached, or a file could not be read or written (exit code 4).
    #[error("{0}")]
    Io(String),
    /// AWS refused or CloudFormation failed; the message names the stack and the reason
    /// (exit code 5).
    #[error("{0}")]
    Failed(String),
    /// Changes needed approval that was not given (exit code 5).
    #[error("{0}")]
    NotApproved(String),
    /// An image could not be pushed to its registry; no change set was executed (exit code 4
    /// when the registry could not be reached, else 5).
    #[error(
        "pushing image {image} ({digest}) to {registry}: {message}; no change set was executed"
    )]
    ImagePush {
        image: String,
        digest: String,
        registry: String,
        message: String,
        unreachable: bool,
    },
    /// Ctrl-C: waiting stopped; the message says what CloudFormation is still doing (130).
    #[error("{0}")]
    Interrupted(String),
}

impl DeployError {
    pub fn exit_code(&self) -> u8 {
        match self {
            DeployError::Input(_) => 2,
            DeployError::Io(_) => 4,
            DeployError::Failed(_) | DeployError::NotApproved(_) => 5,
            DeployError::ImagePush { unreachable, .. } => {
                if *unreachable {
                    4
                } else {
                    5
                }
            }
            DeployError::Interrupted(_) => 130,
        }
    }

    /// An API error met while doing `what` (a phrase naming the stack or bucket).
    pub fn api(what: impl std::fmt::Display, e: ApiError) -> Self {
        if e.unreachable {
            DeployError::Io(format!("{what}: {}", e.message))
        } else {
            DeployError::Failed(format!("{what}: {}", e.message))
        }
    }
}
