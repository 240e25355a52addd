//! `logs::LogGroup`: retention from the environment, kept where the environment is protected.

use stackcraft_core::template::{Expr, Target};
use stackcraft_core::Stack;
use stackcraft_resources::logs::{self as l1, LogGroupRef};

use crate::iam::{Grantee, PolicyStatement};

/// A log group handle.
#[derive(Clone, Debug, PartialEq)]
pub struct LogGroup {
    group: LogGroupRef,
}

impl LogGroup {
    /// A log group named by CloudFormation (what writes to it is told its name), kept as
    /// long as the environment's retention.
    pub fn new(stack: &mut Stack, id: &str) -> LogGroup {
        let days = stack.env().log_retention_days();
        let group = stack.add(id, l1::LogGroup::new().retention_in_days(days));
        let policy = stack.env().removal_policy();
        stack.set_removal_policy(group.target(), policy);
        stack.suppress(
            group.target(),
            "CKV_AWS_158",
            "CloudWatch Logs encrypts every log group at rest; stackcraft's workloads log request metadata and counts, never secrets or personal data, so a customer managed key would add cost and key-policy upkeep without protecting anything more.",
        );
        LogGroup { group }
    }

    pub fn target(&self) -> &Target {
        self.group.target()
    }

    pub fn arn(&self) -> Expr<String> {
        self.group.arn()
    }

    /// The log group name (`Ref`).
    pub fn name(&self) -> Expr<String> {
        self.group.ref_()
    }

    /// Lets a role write log streams and events into this group, and nowhere else. (The
    /// group's `Arn` attribute ends in `:*`, so it covers the group's streams.)
    pub fn grant_write(&self, stack: &mut Stack, grantee: &impl Grantee) {
        let statement = PolicyStatement::allow()
            .actions(&["logs:CreateLogStream", "logs:PutLogEvents"])
            .resource(self.arn());
        grantee.grant_role().add_to_policy(stack, statement);
    }
}
