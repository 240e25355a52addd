//! Errors of the deploy layer: one variant per thing that can go wrong, with the facts a caller
//! matches on, a message that says what to do next, and the exit code ([`DeployError::exit_code`],
//! the one place that maps them).

use std::fmt;
use std::path::PathBuf;

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

/// The first resource that failed in a stack operation: `Items (AWS::DynamoDB::Table)
/// CREATE_FAILED: reason`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FailedResource {
    pub logical_id: String,
    pub resource_type: String,
    /// `CREATE_FAILED`, `UPDATE_FAILED`, `DELETE_FAILED`.
    pub status: String,
    pub reason: Option<String>,
}

impl fmt::Display for FailedResource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}) {}: {}",
            self.logical_id,
            self.resource_type,
            self.status,
            self.reason.as_deref().unwrap_or("no reason given")
        )
    }
}

/// Why an approval was not given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// Someone was asked and said no.
    Declined,
    /// Nobody could be asked (no terminal): `--yes` is needed.
    NobodyToAsk,
}

/// Where one stack of an interrupted deploy or apply stood.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct InterruptedStack {
    pub stack: String,
    pub deployed_name: String,
    /// The change set that was executed; `None`: nothing was executed for this stack.
    pub executed_change_set: Option<String>,
}

/// Why a bootstrap, deploy, plan, apply, diff or destroy did not succeed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeployError {
    /// `--region` names another region than the environment's.
    #[error("environment {env} deploys to {expected}, but --region says {given}")]
    #[non_exhaustive]
    WrongRegion {
        env: String,
        expected: String,
        given: String,
    },
    /// The credentials belong to another account than the environment's.
    #[error(
        "environment {env} is account {expected}, but the credentials of {credentials} are for \
         account {found}: refusing to touch anything"
    )]
    #[non_exhaustive]
    WrongAccount {
        env: String,
        expected: String,
        found: String,
        /// Where the credentials came from: `profile ops`, `the default credential chain`.
        credentials: String,
    },
    /// No credentials could be found.
    #[error(
        "no AWS credentials from {credentials}{}: set AWS_PROFILE or --profile, run `aws sso \
         login`, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
        reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default()
    )]
    #[non_exhaustive]
    MissingCredentials {
        credentials: String,
        reason: Option<String>,
    },
    /// The endpoint answered, but refused the credentials.
    #[error("{endpoint}: the credentials of {credentials} were refused: {message}")]
    #[non_exhaustive]
    CredentialsRefused {
        endpoint: String,
        credentials: String,
        message: String,
    },
    /// The endpoint URL is malformed, or not loopback in the loopback-only mode.
    #[error("endpoint {endpoint} refused: {reason}")]
    #[non_exhaustive]
    BadEndpoint { endpoint: String, reason: String },
    /// The loopback-only mode is on and no endpoint is given.
    #[error(
        "{}=1 but no endpoint is given (--endpoint-url or AWS_ENDPOINT_URL): refusing to reach AWS",
        crate::endpoint::LOOPBACK_ENV
    )]
    NoEndpoint,
    /// An endpoint could not be reached at all (refused, timed out, DNS).
    #[error("{endpoint} could not be reached ({action}): {message}")]
    #[non_exhaustive]
    Unreachable {
        /// The endpoint override, or `AWS (region)`.
        endpoint: String,
        /// What was being done: `stack data (demo-dev-data)`.
        action: String,
        message: String,
    },
    /// AWS answered a call with an error.
    #[error("{action}: {}", error.message)]
    #[non_exhaustive]
    Aws { action: String, error: ApiError },
    /// The environment's account and region have no bootstrap stack (no asset bucket).
    #[error(
        "environment {env} (account {account}, {region}) is not bootstrapped: the asset bucket \
         {bucket} does not exist; run `stackcraft bootstrap --env {env}`"
    )]
    #[non_exhaustive]
    NotBootstrapped {
        env: String,
        account: String,
        region: String,
        bucket: String,
    },
    /// A stack named by the caller is not in the assembly.
    #[error("unknown stack {name:?} (stacks: {})", known.join(", "))]
    #[non_exhaustive]
    UnknownStack { name: String, known: Vec<String> },
    /// A file asset to upload is not there.
    #[error("asset {hash} is missing: {} does not exist (was it built?)", path.display())]
    #[non_exhaustive]
    AssetMissing { hash: String, path: PathBuf },
    /// A local file could not be read or written.
    #[error("{action} {}: {source}", path.display())]
    #[non_exhaustive]
    File {
        /// `writing`, `reading asset 3f2a…`.
        action: String,
        path: PathBuf,
        source: std::io::Error,
    },
    /// An image could not be pushed to the registry; nothing was executed (exit 4 when the
    /// registry could not be reached, else 5).
    #[error(
        "pushing image {image} ({digest}) to {registry}: {message}; no change set was executed"
    )]
    #[non_exhaustive]
    ImagePush {
        image: String,
        digest: String,
        registry: String,
        message: String,
        unreachable: bool,
    },
    /// A static site could not be published after its stack was deployed (the stack is
    /// deployed; the message names the stack, the site and what is missing).
    #[error("{message}")]
    #[non_exhaustive]
    SitePublish { message: String },
    /// CloudFormation could not create a change set (an invalid template, a missing
    /// capability, a resource it cannot import).
    #[error("the change set for stack {stack} ({deployed_name}) failed: {reason}")]
    #[non_exhaustive]
    ChangeSetRejected {
        stack: String,
        deployed_name: String,
        reason: String,
    },
    /// A change set was executed and the stack did not reach a complete state.
    #[error(
        "deploy of stack {stack} ({deployed_name}) failed: {}; {}{}",
        failure_text(resource.as_ref(), reason.as_deref()),
        rollback_text(status),
        recovery.as_deref().map(|r| format!(". Next: {r}")).unwrap_or_default()
    )]
    #[non_exhaustive]
    ChangeSetFailed {
        stack: String,
        deployed_name: String,
        /// The first resource that failed (cancellations it caused are skipped).
        resource: Option<FailedResource>,
        /// The stack's own status reason, when no resource failure was reported.
        reason: Option<String>,
        /// Where the stack settled: `ROLLBACK_COMPLETE`, `UPDATE_ROLLBACK_FAILED`, ...
        status: String,
        /// What to run when the stack cannot take another change set as it is.
        recovery: Option<String>,
    },
    /// The stack is in a state no change set can leave; `recovery` is the command that does.
    #[error("stack {deployed_name} is {status}: {recovery}")]
    #[non_exhaustive]
    Unrecoverable {
        stack: String,
        deployed_name: String,
        status: String,
        /// Why, and the exact command that recovers it.
        recovery: String,
    },
    /// Deleting a stack did not finish.
    #[error(
        "deleting stack {stack} ({deployed_name}) ended {status}: {}",
        failure_text(resource.as_ref(), reason.as_deref())
    )]
    #[non_exhaustive]
    DeleteFailed {
        stack: String,
        deployed_name: String,
        status: String,
        resource: Option<FailedResource>,
        reason: Option<String>,
    },
    /// A hotswap call failed; the stack may run some of the new code already (the next full
    /// deploy puts it back on its template).
    #[error(
        "hotswap of stack {stack} failed{}: {message}; run a full deploy (without --hotswap) \
         to bring the stack back to its template",
        if resource.is_empty() { String::new() } else { format!(" at {resource}") }
    )]
    #[non_exhaustive]
    Hotswap {
        stack: String,
        resource: String,
        message: String,
    },
    /// Hotswap in a protected environment: refused, nothing touched.
    #[error(
        "environment {env} is protected: hotswap (which makes stacks drift from their \
         templates) is refused there; deploy without --hotswap"
    )]
    #[non_exhaustive]
    HotswapProtected { env: String },
    /// CloudFormation could not detect a stack's drift (and found nothing).
    #[error("drift detection of stack {stack} failed: {reason}")]
    #[non_exhaustive]
    DriftDetectionFailed { stack: String, reason: String },
    /// The deployed template cannot be parsed (diff).
    #[error("the deployed template of stack {stack} cannot be read: {reason}")]
    #[non_exhaustive]
    DeployedTemplateUnreadable { stack: String, reason: String },
    /// Changes needed an approval that was not given; nothing was executed.
    #[error(
        "{action}{} {}",
        why.as_deref().map(|w| format!(" ({w})")).unwrap_or_default(),
        refusal_text(*refusal, hint)
    )]
    #[non_exhaustive]
    NotApproved {
        /// `deploy of stack data`, `destroy of 2 stack(s) of dev`.
        action: String,
        /// Why it needed approval: `its change set replaces or removes resources`.
        why: Option<String>,
        refusal: Refusal,
        /// How to go ahead without being asked: `rerun with --yes`.
        hint: String,
    },
    /// Destroying a protected environment needs `--force`.
    #[error("environment {env} is protected: destroy refuses without --force")]
    #[non_exhaustive]
    Protected { env: String },
    /// The plan file cannot be read, or is of another format version.
    #[error("plan {}: {reason}", path.display())]
    #[non_exhaustive]
    BadPlan { path: PathBuf, reason: String },
    /// The plan was made for another account or region than the credentials'.
    #[error(
        "the plan is for account {plan_account}, {plan_region}, but the credentials are for \
         account {account}, {region}: refusing"
    )]
    #[non_exhaustive]
    PlanForOtherAccount {
        plan_account: String,
        plan_region: String,
        account: String,
        region: String,
    },
    /// The plan's change set of a stack was executed already; nothing was executed now.
    #[error(
        "the plan was already applied to stack {stack} ({deployed_name}): {evidence}; nothing \
         was executed — make a new plan for further changes"
    )]
    #[non_exhaustive]
    PlanAlreadyApplied {
        stack: String,
        deployed_name: String,
        evidence: String,
    },
    /// A stack changed after the plan was made; nothing was executed.
    #[error(
        "stack {stack} ({deployed_name}) moved since the plan: {why}; nothing was executed — \
         make a new plan"
    )]
    #[non_exhaustive]
    StackMoved {
        stack: String,
        deployed_name: String,
        why: String,
    },
    /// The stacks synthesized for apply are not those the plan was made from; nothing was
    /// executed.
    #[error(
        "stack {stack} ({deployed_name}) is not what the plan was made from: {why}; nothing was \
         executed — make a new plan"
    )]
    #[non_exhaustive]
    PlanOutdated {
        stack: String,
        deployed_name: String,
        why: String,
    },
    /// Ctrl-C during a deploy or apply: waiting stopped; what CloudFormation still does is in
    /// `stacks`.
    #[error("{}", interrupted_text(stacks, env, region))]
    #[non_exhaustive]
    Interrupted {
        env: String,
        region: String,
        /// The stacks that had started, in the order they started.
        stacks: Vec<InterruptedStack>,
    },
    /// Ctrl-C during a destroy: deletions already asked for go on.
    #[error(
        "interrupted: stacks being deleted go on being deleted by CloudFormation; run \
         `stackcraft destroy --env {env}` again to follow them"
    )]
    #[non_exhaustive]
    DestroyInterrupted { env: String },
}

impl DeployError {
    /// The process exit code of the error (see `stackcraft --help`): 2 bad input, 3 unknown
    /// stack (as for synth), 4 unreachable or unwritable, 5 failed or not approved,
    /// 130 interrupted.
    pub fn exit_code(&self) -> u8 {
        use DeployError::*;
        match self {
            WrongRegion { .. }
            | WrongAccount { .. }
            | MissingCredentials { .. }
            | CredentialsRefused { .. }
            | BadEndpoint { .. }
            | NoEndpoint
            | NotBootstrapped { .. }
            | Protected { .. }
            | HotswapProtected { .. }
            | BadPlan { .. }
            | PlanForOtherAccount { .. } => 2,
            UnknownStack { .. } => 3,
            Unreachable { .. } | AssetMissing { .. } | File { .. } => 4,
            ImagePush { unreachable, .. } => {
                if *unreachable {
                    4
                } else {
                    5
                }
            }
            Aws { .. }
            | ChangeSetRejected { .. }
            | ChangeSetFailed { .. }
            | Unrecoverable { .. }
            | DeleteFailed { .. }
            | DriftDetectionFailed { .. }
            | Hotswap { .. }
            | DeployedTemplateUnreadable { .. }
            | NotApproved { .. }
            | PlanAlreadyApplied { .. }
            | StackMoved { .. }
            | PlanOutdated { .. }
            | SitePublish { .. } => 5,
            Interrupted { .. } | DestroyInterrupted { .. } => 130,
        }
    }

    /// Whether a change set was executed before an interruption (CloudFormation goes on with
    /// it); `false` for every other error.
    pub fn change_set_executed(&self) -> bool {
        match self {
            DeployError::Interrupted { stacks, .. } => {
                stacks.iter().any(|s| s.executed_change_set.is_some())
            }
            _ => false,
        }
    }

    /// An API error met while doing `action` (a phrase naming the stack or bucket) against
    /// `endpoint`.
    pub(crate) fn api(endpoint: &str, action: impl fmt::Display, error: ApiError) -> Self {
        if error.unreachable {
            DeployError::Unreachable {
                endpoint: endpoint.to_owned(),
                action: action.to_string(),
                message: error.message,
            }
        } else {
            DeployError::Aws {
                action: action.to_string(),
                error,
            }
        }
    }

    /// `Ok` when the answer is yes; else the refusal of `action`.
    pub(crate) fn unless_approved(
        answer: Option<bool>,
        action: impl Into<String>,
        why: Option<String>,
        hint: &str,
    ) -> Result<(), DeployError> {
        let refusal = match answer {
            Some(true) => return Ok(()),
            Some(false) => Refusal::Declined,
            None => Refusal::NobodyToAsk,
        };
        Err(DeployError::NotApproved {
            action: action.into(),
            why,
            refusal,
            hint: hint.to_owned(),
        })
    }

    pub(crate) fn site(message: String) -> Self {
        DeployError::SitePublish { message }
    }

    pub(crate) fn file(action: &str, path: &std::path::Path, source: std::io::Error) -> Self {
        DeployError::File {
            action: action.to_owned(),
            path: path.to_owned(),
            source,
        }
    }
}

fn failure_text(resource: Option<&FailedResource>, reason: Option<&str>) -> String {
    match (resource, reason) {
        (Some(r), _) => r.to_string(),
        (None, Some(reason)) if !reason.is_empty() => reason.to_owned(),
        _ => "no failure reason was reported".to_owned(),
    }
}

fn rollback_text(status: &str) -> String {
    match status {
        "ROLLBACK_COMPLETE" | "UPDATE_ROLLBACK_COMPLETE" => format!("rolled back ({status})"),
        _ => format!("the rollback did not finish ({status})"),
    }
}

fn refusal_text(refusal: Refusal, hint: &str) -> String {
    match refusal {
        Refusal::Declined => "was declined: nothing was executed".to_owned(),
        Refusal::NobodyToAsk => {
            format!("needs approval, but there is no terminal to ask: nothing was executed; {hint}")
        }
    }
}

fn interrupted_text(stacks: &[InterruptedStack], env: &str, region: &str) -> String {
    let mut parts: Vec<String> = stacks
        .iter()
        .map(|s| match &s.executed_change_set {
            None => format!(
                "{} ({}): no change set was executed",
                s.stack, s.deployed_name
            ),
            Some(change_set) => format!(
                "{} ({}): change set {change_set} WAS executed and CloudFormation goes on; \
                 follow it with `aws cloudformation describe-stack-events --stack-name {} \
                 --region {region}`",
                s.stack, s.deployed_name, s.deployed_name
            ),
        })
        .collect();
    if parts.is_empty() {
        parts.push("nothing was executed".into());
    }
    format!(
        "interrupted: {}; the next `stackcraft deploy --env {env}` picks up from the state the \
         stacks are in",
        parts.join("; ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(status: &str) -> DeployError {
        DeployError::ChangeSetFailed {
            stack: "data".into(),
            deployed_name: "demo-dev-data".into(),
            resource: Some(FailedResource {
                logical_id: "Items".into(),
                resource_type: "AWS::DynamoDB::Table".into(),
                status: "CREATE_FAILED".into(),
                reason: Some("Table already exists: items".into()),
            }),
            reason: None,
            status: status.into(),
            recovery: None,
        }
    }

    #[test]
    fn a_failed_change_set_names_stack_resource_reason_and_rollback() {
        let message = failed("ROLLBACK_COMPLETE").to_string();
        assert_eq!(
            message,
            "deploy of stack data (demo-dev-data) failed: Items (AWS::DynamoDB::Table) \
             CREATE_FAILED: Table already exists: items; rolled back (ROLLBACK_COMPLETE)"
        );
        assert!(failed("UPDATE_ROLLBACK_FAILED")
            .to_string()
            .ends_with("the rollback did not finish (UPDATE_ROLLBACK_FAILED)"));
        assert_eq!(failed("ROLLBACK_COMPLETE").exit_code(), 5);
    }

    #[test]
    fn every_kind_has_its_exit_code() {
        let cases: Vec<(DeployError, u8)> = vec![
            (
                DeployError::WrongAccount {
                    env: "prod".into(),
                    expected: "1".into(),
                    found: "2".into(),
                    credentials: "profile p".into(),
                },
                2,
            ),
            (DeployError::NoEndpoint, 2),
            (DeployError::Protected { env: "prod".into() }, 2),
            (
                DeployError::UnknownStack {
                    name: "x".into(),
                    known: vec!["data".into()],
                },
                3,
            ),
            (
                DeployError::api(
                    "http://127.0.0.1:1",
                    "stack data",
                    ApiError::unreachable("connection refused"),
                ),
                4,
            ),
            (
                DeployError::api("AWS", "stack data", ApiError::service("Throttling", "slow")),
                5,
            ),
            (
                DeployError::Interrupted {
                    env: "dev".into(),
                    region: "eu-central-1".into(),
                    stacks: Vec::new(),
                },
                130,
            ),
        ];
        for (error, code) in cases {
            assert_eq!(error.exit_code(), code, "{error}");
        }
    }

    #[test]
    fn an_unreachable_endpoint_is_named() {
        let e = DeployError::api(
            "http://127.0.0.1:1",
            "stack data (demo-dev-data)",
            ApiError::unreachable("connection refused"),
        );
        match &e {
            DeployError::Unreachable { endpoint, .. } => {
                assert_eq!(endpoint, "http://127.0.0.1:1")
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            e.to_string(),
            "http://127.0.0.1:1 could not be reached (stack data (demo-dev-data)): connection refused"
        );
    }

    #[test]
    fn an_interruption_says_whether_a_change_set_was_executed() {
        let stack = |executed: Option<&str>| InterruptedStack {
            stack: "data".into(),
            deployed_name: "demo-dev-data".into(),
            executed_change_set: executed.map(str::to_owned),
        };
        let before = DeployError::Interrupted {
            env: "dev".into(),
            region: "eu-central-1".into(),
            stacks: vec![stack(None)],
        };
        assert!(!before.change_set_executed());
        assert!(before
            .to_string()
            .contains("data (demo-dev-data): no change set was executed"));
        let after = DeployError::Interrupted {
            env: "dev".into(),
            region: "eu-central-1".into(),
            stacks: vec![stack(Some("arn:cs"))],
        };
        assert!(after.change_set_executed());
        assert!(after.to_string().contains("change set arn:cs WAS executed"));
    }

    #[test]
    fn not_approved_says_why_and_how_to_go_ahead() {
        let e = DeployError::NotApproved {
            action: "deploy of stack data".into(),
            why: Some("its change set replaces or removes resources".into()),
            refusal: Refusal::NobodyToAsk,
            hint: "rerun with --yes".into(),
        };
        assert_eq!(
            e.to_string(),
            "deploy of stack data (its change set replaces or removes resources) needs approval, \
             but there is no terminal to ask: nothing was executed; rerun with --yes"
        );
        let declined = DeployError::NotApproved {
            action: "destroy of 1 stack(s) of dev".into(),
            why: None,
            refusal: Refusal::Declined,
            hint: "rerun with --yes".into(),
        };
        assert_eq!(
            declined.to_string(),
            "destroy of 1 stack(s) of dev was declined: nothing was executed"
        );
    }
}
