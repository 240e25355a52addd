//! `stackcraft check FILE...`: any CloudFormation template, JSON or YAML; exit codes, formats,
//! and SARIF that validates against the SARIF 2.1.0 schema.

use std::path::{Path, PathBuf};
use std::process::Command;

use stackcraft::core::{Environment, Format};

use crate::common::*;
use crate::insecure::synthesized;

/// The insecure stack written as a foreign template (`name` decides JSON or YAML).
fn insecure_file(dir: &Path, name: &str) -> PathBuf {
    let stack = synthesized(Environment::production("prod", "eu-central-1"));
    let format = if name.ends_with(".json") {
        Format::Json
    } else {
        Format::Yaml
    };
    let path = dir.join(name);
    std::fs::write(&path, format.render(&stack.template)).unwrap();
    path
}

fn json_report(dir: &Path, args: &[&str]) -> (Option<i32>, serde_json::Value) {
    let run = stackcraft(dir, args);
    let report = serde_json::from_slice(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", text(&run.stdout), text(&run.stderr)));
    (run.status.code(), report)
}

#[test]
fn a_foreign_template_is_checked_as_protected_by_logical_id() {
    let dir = tempfile::tempdir().unwrap();
    insecure_file(dir.path(), "insecure.json");
    let run = stackcraft(dir.path(), &["check", "insecure.json"]);
    assert_eq!(run.status.code(), Some(1));
    assert!(
        text(&run.stderr).contains("checked as for a protected environment"),
        "{}",
        text(&run.stderr)
    );
    let out = text(&run.stdout);
    assert!(out.contains("insecure.json UploadsBucket"), "{out}");
    assert!(out.contains("SC-DATA-001"), "protected rules apply: {out}");

    let (_, report) = json_report(dir.path(), &["check", "insecure.json", "--format", "json"]);
    for f in report["findings"].as_array().unwrap() {
        assert!(
            f["path"].is_null(),
            "a foreign file has no construct paths: {f}"
        );
        assert!(
            f["logicalId"].as_str().is_some_and(|id| !id.is_empty()),
            "{f}"
        );
    }
}

#[test]
fn json_and_yaml_give_the_same_findings() {
    let dir = tempfile::tempdir().unwrap();
    insecure_file(dir.path(), "insecure.json");
    insecure_file(dir.path(), "insecure.yaml");
    let (_, json) = json_report(dir.path(), &["check", "insecure.json", "--format", "json"]);
    let (_, yaml) = json_report(dir.path(), &["check", "insecure.yaml", "--format", "json"]);
    let strip = |r: &serde_json::Value| {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["rule"].clone(),
                    f["logicalId"].clone(),
                    f["detail"].clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert!(strip(&json).len() > 50);
    assert_eq!(strip(&json), strip(&yaml));
}

#[test]
fn short_form_yaml_written_by_hand_is_understood() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("site.yaml"),
        r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Site:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Metadata:
      checkov:
        skip:
          - id: CKV_AWS_18
            comment: The bucket only mirrors a public download page; CloudFront logs every request to it.
    Properties:
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: { SSEAlgorithm: AES256 }
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        BlockPublicPolicy: true
        IgnorePublicAcls: true
        RestrictPublicBuckets: true
      VersioningConfiguration: { Status: Enabled }
  SitePolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Site
      PolicyDocument:
        Statement:
          - Effect: Deny
            Principal: "*"
            Action: "s3:*"
            Resource: [!GetAtt Site.Arn, !Sub "${Site.Arn}/*"]
            Condition: { Bool: { "aws:SecureTransport": false } }
"#,
    )
    .unwrap();
    let (code, report) = json_report(dir.path(), &["check", "site.yaml", "--format", "json"]);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["suppressed"], 1, "{report:#}");
    assert_eq!(report["findings"][0]["rule"], "SC-S3-006");
}

#[test]
fn severity_sets_the_threshold_of_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("logs.json"),
        r#"{"Resources": {"Logs": {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain", "Properties": {"RetentionInDays": 30}}}}"#,
    )
    .unwrap();
    let low = stackcraft(dir.path(), &["check", "logs.json"]);
    assert_eq!(low.status.code(), Some(1), "{}", text(&low.stdout));
    assert!(text(&low.stdout).contains("SC-LOGS-001"));
    let medium = stackcraft(dir.path(), &["check", "logs.json", "--severity", "medium"]);
    assert_eq!(medium.status.code(), Some(0), "{}", text(&medium.stdout));
    assert!(
        text(&medium.stdout).contains("1 below medium"),
        "{}",
        text(&medium.stdout)
    );
    let bad = stackcraft(dir.path(), &["check", "logs.json", "--severity", "severe"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("invalid value 'severe' for '--severity <LEVEL>'"),
        "a usage error: {}",
        text(&bad.stderr)
    );
}

#[test]
fn env_picks_the_rules_of_a_configured_environment() {
    let dir = project(
        "[project]\nname = \"demo\"\n[environments.dev]\nregion = \"eu-central-1\"\n[environments.prod]\nregion = \"eu-central-1\"\n",
    );
    insecure_file(dir.path(), "insecure.json");
    let rules = |env: &str| {
        let (_, r) = json_report(
            dir.path(),
            &["check", "insecure.json", "--env", env, "--format", "json"],
        );
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert!(!rules("dev").contains(&"SC-DATA-001".to_owned()));
    assert!(rules("prod").contains(&"SC-DATA-001".to_owned()));
    let unknown = stackcraft(dir.path(), &["check", "insecure.json", "--env", "qa"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(text(&unknown.stderr).contains("unknown environment \"qa\""));
}

#[test]
fn an_unreadable_template_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("broken.json"),
        r#"{"Resources": {"X": {"Properties": {}}}}"#,
    )
    .unwrap();
    let run = stackcraft(dir.path(), &["check", "broken.json", "missing.yaml"]);
    assert_eq!(run.status.code(), Some(2));
    let err = text(&run.stderr);
    assert!(
        err.contains("broken.json") && err.contains("Resources.X.Type"),
        "{err}"
    );
    let stacks_and_files = stackcraft(dir.path(), &["check", "broken.json", "data"]);
    assert_eq!(stacks_and_files.status.code(), Some(2));
    assert!(
        text(&stacks_and_files.stderr).contains("\"data\" is a stack name among files"),
        "{}",
        text(&stacks_and_files.stderr)
    );
}

#[test]
fn sarif_output_validates_against_the_sarif_2_1_0_schema() {
    let dir = tempfile::tempdir().unwrap();
    insecure_file(dir.path(), "insecure.json");
    let run = stackcraft(dir.path(), &["check", "insecure.json", "--format", "sarif"]);
    assert_eq!(run.status.code(), Some(1));
    let sarif = dir.path().join("report.sarif");
    std::fs::write(&sarif, &run.stdout).unwrap();
    let out = validate_sarif(&sarif);
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let log: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(results.len() > 50);
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
    }

    // An invalid log fails the same validation, so the pass above means something.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    std::fs::write(&sarif, broken.to_string()).unwrap();
    assert!(!validate_sarif(&sarif).status.success());
}

/// Validates a SARIF log against the SARIF 2.1.0 JSON schema (draft 4) with the jsonschema
/// package of checkov's environment (pinned in scripts/python-requirements/checkov.txt). The
/// schema file is the one the npm package @microsoft/jest-sarif ships (MIT).
fn validate_sarif(sarif: &Path) -> std::process::Output {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/check/sarif-schema-2.1.0.json");
    let validate = "import json, sys, jsonschema\n\
        schema = json.load(open(sys.argv[1])); log = json.load(open(sys.argv[2]))\n\
        jsonschema.Draft4Validator.check_schema(schema)\n\
        errors = list(jsonschema.Draft4Validator(schema).iter_errors(log))\n\
        [print(e.json_path, e.message) for e in errors]\n\
        sys.exit(1 if errors else 0)";
    Command::new(python_tool("checkov", "python"))
        .args(["-c", validate])
        .arg(&schema)
        .arg(sarif)
        .output()
        .unwrap()
}
