//! Parity with checkov: checkov (pinned, offline) runs on the insecure templates, and for each
//! of its failures the test shows whether `stackcraft check` finds the same thing on the same
//! resource. Every failure of a checkov check that a stackcraft rule declares as its own must
//! be found; the others are printed as the gaps (`cargo test ... parity -- --nocapture`).

use std::collections::{BTreeMap, BTreeSet};

use stackcraft::core::{Environment, Format};
use stackcraft_check::{check, rules, Subject};

use crate::common::*;
use crate::insecure::synthesized;

#[test]
fn checkov_failures_on_the_insecure_stack_are_found_by_the_rule_that_claims_them() {
    let stack = synthesized(Environment::production("prod", "eu-central-1"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("insecure.template.json");
    std::fs::write(&file, Format::Json.render(&stack.template)).unwrap();
    let report = checkov_report("-f", &file);
    let failed = report["results"]["failed_checks"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        failed.len() >= 40,
        "checkov found only {} failures",
        failed.len()
    );

    let ours = check(&[Subject::new(
        "insecure",
        "insecure.template.json",
        &stack.template,
        true,
    )]);
    let found: BTreeSet<(&str, &str)> = ours
        .findings
        .iter()
        .map(|f| (f.rule.id, f.logical_id.as_str()))
        .collect();

    let mut table: BTreeMap<String, Row> = BTreeMap::new();
    for c in &failed {
        let id = c["check_id"].as_str().unwrap().to_owned();
        let logical_id = c["resource"]
            .as_str()
            .unwrap()
            .rsplit('.')
            .next()
            .unwrap()
            .to_owned();
        let row = table.entry(id.clone()).or_insert_with(|| Row {
            name: c["check_name"].as_str().unwrap().to_owned(),
            // Every rule that claims the id (one checkov check may cover what two rules split).
            rules: rules()
                .iter()
                .filter(|r| r.answers_to(&id))
                .map(|r| r.id)
                .collect(),
            failed: vec![],
            found: vec![],
        });
        if row
            .rules
            .iter()
            .any(|r| found.contains(&(*r, logical_id.as_str())))
        {
            row.found.push(logical_id.clone());
        }
        row.failed.push(logical_id);
    }

    let mut missed = Vec::new();
    let mut gaps = Vec::new();
    println!(
        "{:<12} {:<26} {:>6} {:>6}  checkov check",
        "checkov", "stackcraft", "failed", "found"
    );
    for (id, row) in &table {
        let rules = if row.rules.is_empty() {
            "-".to_owned()
        } else {
            row.rules.join(" ")
        };
        println!(
            "{id:<12} {rules:<26} {:>6} {:>6}  {}",
            row.failed.len(),
            row.found.len(),
            row.name
        );
        if row.rules.is_empty() {
            gaps.push(format!("{id} {}", row.name));
        } else if row.found.len() < row.failed.len() {
            missed.push(format!(
                "{id} on {:?}, found on {:?}",
                row.failed, row.found
            ));
        }
    }
    println!(
        "\nchecked by checkov only (no stackcraft rule claims them):\n  {}",
        gaps.join("\n  ")
    );
    assert!(
        missed.is_empty(),
        "stackcraft misses what its rules claim:\n{}",
        missed.join("\n")
    );
    // Most of checkov's failures have a stackcraft rule; the rest are the listed gaps.
    let claimed: usize = table
        .values()
        .filter(|r| !r.rules.is_empty())
        .map(|r| r.failed.len())
        .sum();
    assert!(
        claimed * 10 >= failed.len() * 6,
        "{claimed} of {} claimed",
        failed.len()
    );
}

/// One checkov check: the stackcraft rules that claim it, and the resources it failed and
/// stackcraft also flagged.
struct Row {
    name: String,
    rules: Vec<&'static str>,
    failed: Vec<String>,
    found: Vec<String>,
}
