//! Following a stack while CloudFormation works on it: new events printed as they come, with
//! the elapsed time, per-resource status and the reason of any failure, until it settles.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::api::{StackDescription, StackEvent};
use crate::error::{DeployError, FailedResource};
use crate::session::Session;
use crate::status::in_progress;
use crate::tally::Tally;
use crate::ui::Ui;

/// How a stack settled.
pub(crate) struct Followed {
    /// `None`: the stack is gone (deleted).
    pub stack: Option<StackDescription>,
    /// Every event seen, oldest first.
    pub events: Vec<StackEvent>,
}

/// The id of the stack's newest event: what "new" events are counted from.
pub(crate) async fn latest_event(session: &Session, stack: &str) -> Option<String> {
    session
        .cfn
        .stack_events(stack, None)
        .await
        .ok()
        .and_then(|events| events.first().map(|e| e.id.clone()))
}

/// What CloudFormation is doing to the stack that is followed: what a failure leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Operation {
    /// A change set executes: a failure rolls the stack back.
    Change,
    /// The stack is deleted: a failure does not roll anything back; CloudFormation deletes
    /// what it can and stops at DELETE_FAILED.
    Delete,
    /// Someone else's operation, followed until it settles.
    Settle,
}

impl Operation {
    /// What happens after the first failure, as the line that says so.
    fn after_failure(self) -> &'static str {
        match self {
            Operation::Change => "waiting for CloudFormation to roll back",
            Operation::Delete => "waiting for CloudFormation to delete what it can",
            Operation::Settle => "waiting for the stack to settle",
        }
    }
}

/// `HH:MM:SS` (UTC) of a moment.
fn clock(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        % 86_400;
    format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

/// Prints one event, at the time CloudFormation recorded it (the time it was read when the
/// event has none).
pub(crate) fn print_event(ui: &Ui, label: &str, e: &StackEvent) {
    let mut line = format!(
        "{label}  {}  {:<30} {:<36} {}",
        clock(e.timestamp.unwrap_or_else(SystemTime::now)),
        e.status,
        e.resource_type,
        e.logical_id
    );
    if let Some(reason) = e.reason.as_deref().filter(|r| !r.is_empty()) {
        if e.status.ends_with("FAILED") || !e.is_stack() {
            line.push_str(&format!(": {reason}"));
        }
    }
    ui.line(line);
}

/// The first resource that failed, and why (cancellations caused by it are skipped).
pub(crate) fn first_failure(events: &[StackEvent]) -> Option<&StackEvent> {
    let failed = |e: &&StackEvent| e.status.ends_with("_FAILED") && !e.is_stack();
    events
        .iter()
        .filter(failed)
        .find(|e| {
            !e.reason
                .as_deref()
                .unwrap_or_default()
                .to_ascii_lowercase()
                .contains("cancelled")
        })
        .or_else(|| events.iter().find(failed))
}

/// The failure an event reports.
pub(crate) fn failed_resource(e: &StackEvent) -> FailedResource {
    FailedResource {
        logical_id: e.logical_id.clone(),
        resource_type: e.resource_type.clone(),
        status: e.status.clone(),
        reason: e.reason.clone(),
    }
}

/// Describes one failure: `Items (AWS::DynamoDB::Table) CREATE_FAILED: reason`.
pub(crate) fn describe_failure(e: &StackEvent) -> String {
    failed_resource(e).to_string()
}

/// Polls events and status until the stack is no longer in progress (or gone). On a
/// terminal, the stack's status line counts its `total` resources (when known) meanwhile.
pub(crate) async fn follow(
    session: &Session,
    ui: &Ui,
    label: &str,
    stack: &str,
    marker: Option<String>,
    operation: Operation,
    total: Option<usize>,
) -> Result<Followed, DeployError> {
    let mut tally = Tally::new(label, total);
    let followed = poll(session, ui, label, stack, marker, operation, &mut tally).await;
    ui.clear_status(label);
    followed
}

async fn poll(
    session: &Session,
    ui: &Ui,
    label: &str,
    stack: &str,
    mut marker: Option<String>,
    operation: Operation,
    tally: &mut Tally,
) -> Result<Followed, DeployError> {
    let mut seen: Vec<StackEvent> = Vec::new();
    let mut failure_reported = false;
    let mut settled: Option<Option<StackDescription>> = None;
    loop {
        // Events first, then the status: once settled, one last round of events is read.
        match session.cfn.stack_events(stack, marker.as_deref()).await {
            Ok(new) => {
                if let Some(newest) = new.first() {
                    marker = Some(newest.id.clone());
                }
                for e in new.into_iter().rev() {
                    print_event(ui, label, &e);
                    tally.record(&e);
                    seen.push(e);
                    if !failure_reported {
                        if let Some(first) = first_failure(&seen) {
                            failure_reported = true;
                            ui.line(format!(
                                "{label}  ✗ first failure: {}",
                                describe_failure(first)
                            ));
                            ui.line(format!("{label}    {}", operation.after_failure()));
                        }
                    }
                }
            }
            // A deleted stack may have no events to read any more.
            Err(_) if matches!(settled, Some(None)) => {}
            Err(e) if settled.is_none() => {
                // Try the status: a stack that is gone ends the wait.
                if session
                    .cfn
                    .describe_stack(stack)
                    .await
                    .map_err(|e| session.api_error(format!("stack {label}"), e))?
                    .is_some()
                {
                    return Err(session.api_error(format!("events of stack {label}"), e));
                }
                settled = Some(None);
            }
            Err(_) => {}
        }
        if let Some(stack) = settled {
            return Ok(Followed {
                stack,
                events: seen,
            });
        }
        ui.status(label, tally.line());
        let now = session
            .cfn
            .describe_stack(stack)
            .await
            .map_err(|e| session.api_error(format!("stack {label}"), e))?;
        match now {
            Some(s) if in_progress(&s.status) => tokio::time::sleep(session.poll).await,
            other => settled = Some(other),
        }
    }
}
