//! The insecure stack gets every finding it should, each on the right construct path, and
//! nothing else; the rules of protected environments only where the environment is protected.

use std::collections::BTreeSet;

use stackcraft::core::Environment;
use stackcraft_check::{check, Report, Subject};

use crate::insecure::{synthesized, EXPECTED};

fn report_for(env: Environment) -> (Report, stackcraft::core::SynthesizedStack) {
    let stack = synthesized(env.clone());
    let subject = Subject::new(
        "insecure",
        "insecure.template.json",
        &stack.template,
        env.protected,
    )
    .environment(&env.name)
    .paths(stack.paths.clone());
    (check(&[subject]), stack.clone())
}

fn found(report: &Report) -> BTreeSet<(String, String)> {
    report
        .findings
        .iter()
        .map(|f| {
            let path = f
                .path
                .clone()
                .unwrap_or_else(|| format!("(no path for {})", f.logical_id));
            (f.rule.id.to_owned(), path)
        })
        .collect()
}

fn expected(protected: bool) -> BTreeSet<(String, String)> {
    EXPECTED
        .iter()
        .filter(|(_, _, only_protected)| protected || !only_protected)
        .map(|(rule, path, _)| (rule.to_string(), path.to_string()))
        .collect()
}

#[test]
fn a_protected_environment_gets_every_finding_with_its_construct_path() {
    let (report, stack) = report_for(Environment::production("prod", "eu-central-1"));
    let found = found(&report);
    let expected = expected(true);
    let missing: Vec<_> = expected.difference(&found).collect();
    let extra: Vec<_> = found.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing: {missing:#?}\nunexpected: {extra:#?}"
    );
    // Each finding names the logical id that the construct path was given.
    for f in &report.findings {
        let path = f.path.as_deref().unwrap();
        assert_eq!(stack.paths[&f.logical_id], path, "{f:?}");
        assert!(!f.detail.is_empty() && !f.rule.fix.is_empty(), "{f:?}");
    }
    assert_eq!(report.suppressed().count(), 0);
}

#[test]
fn an_unprotected_environment_skips_the_rules_that_keep_data() {
    let (report, _) = report_for(Environment::new("dev", "eu-central-1"));
    assert_eq!(found(&report), expected(false));
    assert!(report.findings.iter().all(|f| f.rule.applies_in(false)));
}

#[test]
fn every_rule_is_exercised_by_the_insecure_stack() {
    let exercised: BTreeSet<&str> = EXPECTED.iter().map(|(rule, _, _)| *rule).collect();
    let untested: Vec<&str> = stackcraft_check::rules()
        .iter()
        .map(|r| r.id)
        .filter(|id| !id.starts_with("SC-SUP-") && !exercised.contains(id))
        .collect();
    assert!(
        untested.is_empty(),
        "rules no finding exercises: {untested:?}"
    );
}

#[test]
fn details_say_what_is_wrong() {
    let (report, _) = report_for(Environment::production("prod", "eu-central-1"));
    let detail = |rule: &str, path: &str| {
        report
            .findings
            .iter()
            .find(|f| f.rule.id == rule && f.path.as_deref() == Some(path))
            .map(|f| f.detail.clone())
            .unwrap()
    };
    assert_eq!(
        detail("SC-EC2-001", "Network/WebSecurityGroup"),
        "open to 0.0.0.0/0 or ::/0 on tcp 8080, every port"
    );
    assert!(detail("SC-IAM-003", "Admin/Role").contains("AdministratorAccess"));
    assert!(detail("SC-IAM-002", "Admin/Role").contains("dynamodb:GetItem"));
    assert!(detail("SC-SEC-001", "App/Function").contains("DB_PASSWORD"));
    assert!(detail("SC-SEC-003", "Cache/ReplicationGroup").contains("CacheAuthToken"));
    assert!(detail("SC-LAMBDA-003", "App/Function").contains("python3.7"));
}
