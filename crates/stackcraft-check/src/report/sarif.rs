//! The report as SARIF 2.1.0, the format code-scanning tools load.

use serde_json::{json, Value};

use crate::{rules, Report, Severity};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Every rule in `tool.driver.rules`; one result per finding, suppressed findings with a
/// SARIF suppression carrying the reason. Findings below `threshold` are left out.
pub fn to_sarif(report: &Report, threshold: Severity, version: &str) -> Value {
    let all = rules();
    let descriptors: Vec<Value> = all
        .iter()
        .map(|r| {
            let mut aliases: Vec<&str> = r.checkov.to_vec();
            aliases.extend(r.cfn_nag);
            json!({
                "id": r.id,
                "name": r.id.replace('-', ""),
                "shortDescription": { "text": r.title },
                "help": { "text": r.fix },
                "defaultConfiguration": { "level": r.severity.sarif_level() },
                "properties": {
                    "security-severity": r.severity.score(),
                    "severity": r.severity.as_str(),
                    "tags": ["security"],
                    "aliases": aliases,
                },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .filter(|f| f.severity() >= threshold)
        .map(|f| {
            let index = all.iter().position(|r| r.id == f.rule.id).unwrap_or(0);
            let qualified = match &f.path {
                Some(path) => format!("{}/{path}", f.subject),
                None => format!("{}/{}", f.subject, f.logical_id),
            };
            let mut result = json!({
                "ruleId": f.rule.id,
                "ruleIndex": index,
                "level": f.severity().sarif_level(),
                "message": { "text": format!("{}: {}. Fix: {}", f.rule.title, f.detail, f.rule.fix) },
                "locations": [{
                    "physicalLocation": { "artifactLocation": { "uri": f.uri } },
                    "logicalLocations": [{
                        "name": if f.logical_id.is_empty() { &f.subject } else { &f.logical_id },
                        "fullyQualifiedName": qualified,
                        "kind": "resource",
                    }],
                }],
            });
            if let Some(reason) = &f.suppressed {
                result["suppressions"] = json!([{ "kind": "inSource", "justification": reason }]);
            }
            result
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "stackcraft check",
                "version": version,
                "rules": descriptors,
            }},
            "results": results,
        }],
    })
}
