//! One suppression mechanism: `stack.suppress` in code (under any checker's id) and
//! `[[stacks.X.suppress]]` in stackcraft.toml; each needs a reason, and one that matches
//! nothing is itself a finding.

use serde_json::json;
use stackcraft::core::template::{Map, Tagging, Value};
use stackcraft::core::{Environment, Stack, StackSet, SynthesizedStack};
use stackcraft_check::{check, Origin, Report, Subject, Suppression};

/// A stack with one bucket that has no access logs (SC-S3-006) and nothing else wrong but
/// what `build` adds.
fn stack_with(env: Environment, build: impl FnOnce(&mut Stack)) -> SynthesizedStack {
    let mut app = StackSet::new("demo", env);
    let stack = app.stack("site");
    let props: Map = match Value::from(json!({
        "BucketEncryption": { "ServerSideEncryptionConfiguration": [
            { "ServerSideEncryptionByDefault": { "SSEAlgorithm": "AES256" } }] },
        "PublicAccessBlockConfiguration": { "BlockPublicAcls": true, "BlockPublicPolicy": true,
            "IgnorePublicAcls": true, "RestrictPublicBuckets": true }
    })) {
        Value::Map(m) => m,
        _ => unreachable!(),
    };
    stack.scope("Assets", |s| {
        s.add_raw("Bucket", "AWS::S3::Bucket", props, Tagging::List)
    });
    build(stack);
    app.synth().unwrap().stacks.remove(0)
}

fn run(stack: &SynthesizedStack, configured: Vec<Suppression>) -> Report {
    let subject = Subject::new("site", "site.template.json", &stack.template, false)
        .paths(stack.paths.clone())
        .suppress(configured);
    check(&[subject])
}

fn rules_of(report: &Report, suppressed: bool) -> Vec<&str> {
    report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_some() == suppressed)
        .map(|f| f.rule.id)
        .collect()
}

fn bucket(stack: &Stack) -> stackcraft::core::template::Target {
    stack.lookup("Assets/Bucket").unwrap()
}

/// The bucket's metadata as JSON.
fn bucket_metadata(stack: &SynthesizedStack) -> serde_json::Value {
    let bucket = &stack.template.resources["AssetsBucket"];
    bucket.metadata.clone().unwrap().to_json()
}

const REASON: &str = "The bucket holds build artifacts that CI rewrites on every run.";

#[test]
fn without_suppressions_the_bucket_has_its_findings() {
    let stack = stack_with(Environment::new("dev", "eu-central-1"), |_| {});
    let report = run(&stack, vec![]);
    assert_eq!(rules_of(&report, false), ["SC-S3-004", "SC-S3-006"]);
}

#[test]
fn a_checkov_suppression_in_code_suppresses_the_rule_and_is_written_for_cfn_nag_too() {
    let stack = stack_with(Environment::new("dev", "eu-central-1"), |s| {
        let b = bucket(s);
        s.suppress(&b, "CKV_AWS_18", REASON);
    });
    let report = run(&stack, vec![]);
    assert_eq!(rules_of(&report, false), ["SC-S3-004"]);
    assert_eq!(rules_of(&report, true), ["SC-S3-006"]);
    assert_eq!(report.findings[1].suppressed.as_deref(), Some(REASON));
    assert_eq!(
        bucket_metadata(&stack),
        json!({
            "checkov": { "skip": [{ "id": "CKV_AWS_18", "comment": REASON }] },
            "cfn_nag": { "rules_to_suppress": [{ "id": "W35", "reason": REASON }] },
        })
    );
}

#[test]
fn a_stackcraft_suppression_in_code_is_written_for_every_checker_and_counts_once() {
    let stack = stack_with(Environment::new("dev", "eu-central-1"), |s| {
        let b = bucket(s);
        s.suppress(&b, "SC-S3-006", REASON);
    });
    assert_eq!(
        bucket_metadata(&stack),
        json!({
            "stackcraft": { "suppress": [{ "id": "SC-S3-006", "reason": REASON }] },
            "checkov": { "skip": [{ "id": "CKV_AWS_18", "comment": REASON }] },
            "cfn_nag": { "rules_to_suppress": [{ "id": "W35", "reason": REASON }] },
        })
    );
    // Three entries, one suppression: none of them is reported as unused.
    let report = run(&stack, vec![]);
    assert_eq!(rules_of(&report, false), ["SC-S3-004"]);
    assert_eq!(rules_of(&report, true), ["SC-S3-006"]);
}

#[test]
fn a_suppression_that_matches_nothing_is_a_finding() {
    let stack = stack_with(Environment::new("dev", "eu-central-1"), |s| {
        let b = bucket(s);
        s.suppress(&b, "SC-RDS-001", REASON);
    });
    let report = run(&stack, vec![]);
    let unused = report
        .findings
        .iter()
        .find(|f| f.rule.id == "SC-SUP-001")
        .unwrap();
    assert_eq!(unused.path.as_deref(), Some("Assets/Bucket"));
    assert!(unused.detail.contains("SC-RDS-001"), "{}", unused.detail);
    assert!(unused.suppressed.is_none());
}

#[test]
fn checkov_ids_without_a_rule_belong_to_checkov_alone() {
    let stack = stack_with(Environment::new("dev", "eu-central-1"), |s| {
        let b = bucket(s);
        s.suppress(&b, "CKV_AWS_144", REASON);
    });
    let report = run(&stack, vec![]);
    assert_eq!(rules_of(&report, false), ["SC-S3-004", "SC-S3-006"]);
}

#[test]
fn a_suppression_without_a_reason_is_an_error_in_code_and_a_finding_in_a_template() {
    let mut app = StackSet::new("demo", Environment::new("dev", "eu-central-1"));
    let stack = app.stack("site");
    let b = stack.scope("Assets", |s| {
        s.add_raw("Bucket", "AWS::S3::Bucket", Map::new(), Tagging::List)
    });
    stack.suppress(&b, "SC-S3-006", "  ");
    let error = app.synth().unwrap_err().to_string();
    assert!(
        error.contains("site/Assets/Bucket: the suppression of SC-S3-006 needs a reason"),
        "{error}"
    );

    // Written by hand (or by another tool) under two checkers' keys: one finding, and the
    // rule's finding stays.
    let template = stackcraft::core::template::parse_template(
        r#"{"Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Metadata": {
            "checkov": {"skip": [{"id": "CKV_AWS_18", "comment": ""}]},
            "cfn_nag": {"rules_to_suppress": [{"id": "W35", "reason": ""}]}}}}}"#,
    )
    .unwrap();
    let report = check(&[Subject::new("t.json", "t.json", &template, false)]);
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule.id).collect();
    assert_eq!(
        rules.iter().filter(|r| **r == "SC-SUP-002").count(),
        1,
        "{rules:?}"
    );
    assert!(
        rules.contains(&"SC-S3-006") && report.suppressed().count() == 0,
        "{rules:?}"
    );
}

#[test]
fn configured_suppressions_match_by_construct_path_logical_id_or_stack() {
    let stack = stack_with(Environment::new("dev", "eu-central-1"), |_| {});
    let config = |resource: Option<&str>, rule: &str| {
        Suppression::new(
            rule,
            resource,
            REASON,
            Origin::Config {
                place: "stackcraft.toml:7".into(),
            },
        )
    };
    let by_path = run(&stack, vec![config(Some("Assets/Bucket"), "SC-S3-006")]);
    assert_eq!(rules_of(&by_path, true), ["SC-S3-006"]);
    let by_id = run(&stack, vec![config(Some("AssetsBucket"), "W35")]);
    assert_eq!(rules_of(&by_id, true), ["SC-S3-006"]);
    let whole_stack = run(&stack, vec![config(None, "SC-S3-004")]);
    assert_eq!(rules_of(&whole_stack, true), ["SC-S3-004"]);

    let elsewhere = run(&stack, vec![config(Some("Assets/Other"), "SC-S3-006")]);
    let unused = elsewhere
        .findings
        .iter()
        .find(|f| f.rule.id == "SC-SUP-001")
        .unwrap();
    assert!(
        unused.detail.contains("stackcraft.toml:7"),
        "{}",
        unused.detail
    );
}

#[test]
fn a_suppression_of_a_protected_rule_is_kept_quietly_where_the_rule_does_not_apply() {
    let stack = stack_with(Environment::new("dev", "eu-central-1"), |s| {
        let b = bucket(s);
        s.suppress(&b, "SC-DATA-001", REASON);
    });
    let report = run(&stack, vec![]);
    assert_eq!(rules_of(&report, false), ["SC-S3-004", "SC-S3-006"]);
}
