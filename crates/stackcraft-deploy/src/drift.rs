//! `stackcraft drift`: CloudFormation's drift detection on each deployed stack, and the
//! resources (and their properties) that differ from the template. CloudFormation checks only
//! the resource types that support drift detection; the others are not listed.

use stackcraft_core::Assembly;

use crate::api::{PropertyDifference, ResourceDrift};
use crate::error::DeployError;
use crate::session::Session;
use crate::tally::elapsed_since;
use crate::ui::Ui;

/// Where one stack stands against its template.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StackDrift {
    pub stack: String,
    pub deployed_name: String,
    /// `DRIFTED`, `IN_SYNC`, `UNKNOWN`, `NOT_CHECKED`, or `NOT_DEPLOYED`.
    pub status: String,
    /// The resources that are `MODIFIED` or `DELETED`.
    pub resources: Vec<ResourceDrift>,
}

impl StackDrift {
    pub fn drifted(&self) -> bool {
        self.status == "DRIFTED" || !self.resources.is_empty()
    }
}

/// Detects the drift of every deployed stack of the assembly, one after the other; prints
/// what differs (stdout) and returns it.
pub async fn drift(
    session: &Session,
    assembly: &Assembly,
    ui: &Ui,
) -> Result<Vec<StackDrift>, DeployError> {
    let mut report = Vec::new();
    for stack in &assembly.stacks {
        let label = stack.name.as_str();
        let found = session
            .cfn
            .describe_stack(&stack.deployed_name)
            .await
            .map_err(|e| session.api_error(format!("stack {label}"), e))?;
        let mut result = StackDrift {
            stack: stack.name.clone(),
            deployed_name: stack.deployed_name.clone(),
            status: "NOT_DEPLOYED".into(),
            resources: Vec::new(),
        };
        if let Some(deployed) = found {
            result.status = detect(session, ui, label, &deployed.id).await?;
            result.resources = session
                .cfn
                .resource_drifts(&deployed.id)
                .await
                .map_err(|e| session.api_error(format!("the drifted resources of {label}"), e))?;
        }
        for line in render(&result) {
            ui.result(line);
        }
        report.push(result);
    }
    let drifted = report.iter().filter(|d| d.drifted()).count();
    ui.line(if drifted == 0 {
        format!("no drift in {}", session.env_name)
    } else {
        format!("{drifted} stack(s) of {} drifted", session.env_name)
    });
    Ok(report)
}

/// Runs one detection to its end; returns the stack's drift status.
async fn detect(
    session: &Session,
    ui: &Ui,
    label: &str,
    stack_id: &str,
) -> Result<String, DeployError> {
    let what = || format!("drift detection of stack {label}");
    let id = session
        .cfn
        .detect_drift(stack_id)
        .await
        .map_err(|e| session.api_error(what(), e))?;
    let started = std::time::Instant::now();
    let detection = loop {
        let d = session
            .cfn
            .drift_detection(&id)
            .await
            .map_err(|e| session.api_error(what(), e))?;
        if d.status != "DETECTION_IN_PROGRESS" {
            break d;
        }
        ui.status(
            label,
            format!("{label}  detecting drift  {}", elapsed_since(started)),
        );
        tokio::time::sleep(session.poll).await;
    };
    ui.clear_status(label);
    match (detection.status.as_str(), detection.stack_drift_status) {
        // A detection that could not check every resource fails, with what it found.
        (_, Some(status)) => {
            if detection.status == "DETECTION_FAILED" {
                ui.line(format!(
                    "{label}: drift detection incomplete: {}",
                    detection.reason.as_deref().unwrap_or("no reason given")
                ));
            }
            Ok(status)
        }
        (_, None) => Err(DeployError::DriftDetectionFailed {
            stack: label.to_owned(),
            reason: detection
                .reason
                .unwrap_or_else(|| format!("detection ended {}", detection.status)),
        }),
    }
}

/// `data (demo-dev-data): DRIFTED, 1 resource(s) differ from the template`, then each resource
/// and property.
pub(crate) fn render(d: &StackDrift) -> Vec<String> {
    let head = format!("{} ({})", d.stack, d.deployed_name);
    let mut lines = vec![match d.status.as_str() {
        "NOT_DEPLOYED" => format!("{head}: not deployed"),
        "IN_SYNC" if d.resources.is_empty() => format!("{head}: in sync"),
        status => format!(
            "{head}: {status}, {} resource(s) differ from the template",
            d.resources.len()
        ),
    }];
    for r in &d.resources {
        let mark = if r.status == "DELETED" { '-' } else { '~' };
        let physical = r
            .physical_id
            .as_deref()
            .map(|p| format!(" {p}"))
            .unwrap_or_default();
        lines.push(format!(
            "  {mark} {} ({}) {}{physical}",
            r.logical_id, r.resource_type, r.status
        ));
        lines.extend(r.differences.iter().map(difference));
    }
    lines
}

fn difference(p: &PropertyDifference) -> String {
    match p.kind.as_str() {
        "ADD" => format!("      {}: added {}", p.path, p.actual),
        "REMOVE" => format!("      {}: removed (template: {})", p.path, p.expected),
        _ => format!(
            "      {}: template {}, actual {}",
            p.path, p.expected, p.actual
        ),
    }
}
