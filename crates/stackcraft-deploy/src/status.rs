//! What CloudFormation stack statuses mean for the engine.

use crate::error::DeployError;

/// Still moving: wait for it.
pub(crate) fn in_progress(status: &str) -> bool {
    status.ends_with("_IN_PROGRESS") && status != "REVIEW_IN_PROGRESS"
}

/// A finished create or update.
pub(crate) fn succeeded(status: &str) -> bool {
    matches!(
        status,
        "CREATE_COMPLETE" | "UPDATE_COMPLETE" | "IMPORT_COMPLETE"
    )
}

/// The error for a settled stack that cannot take a change set (why, and the exact command
/// that recovers it); `None` when it can.
pub(crate) fn unrecoverable(
    status: &str,
    stack: &str,
    deployed_name: &str,
    env: &str,
    region: &str,
) -> Option<DeployError> {
    recovery(status, stack, deployed_name, env, region).map(|recovery| DeployError::Unrecoverable {
        stack: stack.to_owned(),
        deployed_name: deployed_name.to_owned(),
        status: status.to_owned(),
        recovery,
    })
}

/// Why a stack in `status` cannot take a change set, and the command that recovers it.
pub(crate) fn recovery(
    status: &str,
    stack: &str,
    deployed_name: &str,
    env: &str,
    region: &str,
) -> Option<String> {
    let message = match status {
        "ROLLBACK_COMPLETE" | "ROLLBACK_FAILED" | "CREATE_FAILED" => format!(
            "its creation failed and CloudFormation cannot \
             update it. It holds no resources (except retained ones); delete it with \
             `stackcraft destroy {stack} --env {env} --yes`, then deploy again"
        ),
        "UPDATE_ROLLBACK_FAILED" | "IMPORT_ROLLBACK_FAILED" => format!(
            "a rollback could not finish and the stack is \
             locked. Continue it with `aws cloudformation continue-update-rollback \
             --stack-name {deployed_name} --region {region}` (add `--resources-to-skip \
             LOGICAL_ID...` for resources that cannot be rolled back), then deploy again"
        ),
        "DELETE_FAILED" => format!(
            "a deletion did not finish. Run \
             `stackcraft destroy {stack} --env {env}` again, or keep what cannot be deleted with \
             `aws cloudformation delete-stack --stack-name {deployed_name} --region {region} \
             --retain-resources LOGICAL_ID...`"
        ),
        _ => return None,
    };
    Some(message)
}
