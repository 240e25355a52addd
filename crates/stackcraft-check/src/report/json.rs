//! The report as JSON: every finding, suppressed ones with their reason.

use serde_json::{json, Value};

use crate::{Report, Severity};

pub fn to_json(report: &Report, threshold: Severity) -> Value {
    let findings: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            json!({
                "rule": f.rule.id,
                "severity": f.severity().as_str(),
                "title": f.rule.title,
                "stack": f.subject,
                "environment": f.environment,
                "logicalId": f.logical_id,
                "path": f.path,
                "detail": f.detail,
                "fix": f.rule.fix,
                "suppressed": f.suppressed.is_some(),
                "reason": f.suppressed,
            })
        })
        .collect();
    json!({
        "threshold": threshold.as_str(),
        "templates": report.templates,
        "resources": report.resources,
        "failing": report.failing(threshold).count(),
        "suppressed": report.suppressed().count(),
        "findings": findings,
    })
}
