//! What CloudFormation stack statuses mean for the engine.

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

/// Why a settled stack cannot take a change set, and the exact command that recovers it;
/// `None` when it can.
pub(crate) fn blocked(
    status: &str,
    stack: &str,
    deployed_name: &str,
    env: &str,
    region: &str,
) -> Option<String> {
    let message = match status {
        "ROLLBACK_COMPLETE" | "ROLLBACK_FAILED" | "CREATE_FAILED" => format!(
            "stack {deployed_name} is {status}: its creation failed and CloudFormation cannot \
             update it. It holds no resources (except retained ones); delete it with \
             `stackcraft destroy {stack} --env {env} --yes`, then deploy again"
        ),
        "UPDATE_ROLLBACK_FAILED" | "IMPORT_ROLLBACK_FAILED" => format!(
            "stack {deployed_name} is {status}: a rollback could not finish and the stack is \
             locked. Continue it with `aws cloudformation continue-update-rollback \
             --stack-name {deployed_name} --region {region}` (add `--resources-to-skip \
             LOGICAL_ID...` for resources that cannot be rolled back), then deploy again"
        ),
        "DELETE_FAILED" => format!(
            "stack {deployed_name} is DELETE_FAILED: a deletion did not finish. Run \
             `stackcraft destroy {stack} --env {env}` again, or keep what cannot be deleted with \
             `aws cloudformation delete-stack --stack-name {deployed_name} --region {region} \
             --retain-resources LOGICAL_ID...`"
        ),
        _ => return None,
    };
    Some(message)
}
