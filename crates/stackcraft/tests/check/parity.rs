//! Parity with checkov: checkov (pinned, offline) runs on the insecure templates, and for each
//! of its failures the test shows whether `stackcraft check` finds the same thing on the same
//! resource. Every failure of a checkov check that a stackcraft rule declares as its own must
//! be found; the others are printed as the gaps (`cargo test ... parity -- --nocapture`).

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use stackcraft::core::{Environment, Format};
use stackcraft_check::{check, find_rule, rules, Subject};

use crate::common::*;
use crate::insecure::synthesized;

#[test]
fn checkov_failures_on_the_insecure_stack_are_found_by_the_rule_that_claims_them() {
    let checkov = python_tool("checkov", "checkov");
    let stack = synthesized(Environment::production("prod", "eu-central-1"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("insecure.template.json");
    std::fs::write(&file, Format::Json.render(&stack.template)).unwrap();
    let run = Command::new(&checkov)
        .args([
            "--skip-download",
            "--quiet",
            "--framework",
            "cloudformation",
            "-o",
            "json",
            "-f",
        ])
        .arg(&file)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap_or_else(|e| {
        panic!(
            "checkov output is not JSON ({e}):\n{}{}",
            text(&run.stdout),
            text(&run.stderr)
        )
    });
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

    // checkov id → (name, resources failed, resources stackcraft also flags by that rule).
    let mut table: BTreeMap<String, (String, Vec<String>, Vec<String>, Option<&str>)> =
        BTreeMap::new();
    for c in &failed {
        let id = c["check_id"].as_str().unwrap().to_owned();
        let resource = c["resource"].as_str().unwrap();
        let logical_id = resource.rsplit('.').next().unwrap().to_owned();
        let rule = find_rule(&id).map(|r| r.id);
        // Every rule that claims the id (one checkov check may cover what two rules split).
        let claimants: Vec<&str> = rules()
            .iter()
            .filter(|r| r.answers_to(&id))
            .map(|r| r.id)
            .collect();
        let row = table.entry(id).or_insert_with(|| {
            (
                c["check_name"].as_str().unwrap().to_owned(),
                vec![],
                vec![],
                rule,
            )
        });
        row.1.push(logical_id.clone());
        if claimants
            .iter()
            .any(|r| found.contains(&(*r, logical_id.as_str())))
        {
            row.2.push(logical_id);
        }
    }

    let mut missed = Vec::new();
    let mut gaps = Vec::new();
    println!(
        "{:<12} {:<14} {:>6} {:>6}  checkov check",
        "checkov", "stackcraft", "failed", "found"
    );
    for (id, (name, failed, also, rule)) in &table {
        println!(
            "{id:<12} {:<14} {:>6} {:>6}  {name}",
            rule.unwrap_or("-"),
            failed.len(),
            also.len()
        );
        match rule {
            Some(_) if also.len() < failed.len() => {
                missed.push(format!("{id} on {failed:?}, found on {also:?}"))
            }
            None => gaps.push(format!("{id} {name}")),
            _ => {}
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
        .filter(|r| r.3.is_some())
        .map(|r| r.1.len())
        .sum();
    assert!(
        claimed * 10 >= failed.len() * 6,
        "{claimed} of {} claimed",
        failed.len()
    );
}
