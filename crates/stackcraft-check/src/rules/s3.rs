//! S3 buckets: public access, encryption, TLS-only policies, access logs, versioning.

use stackcraft_template::Value;

use super::{fail, protected, rule};
use crate::props::{at, bool_at, items, refers_to, str_at};
use crate::rule::{Context, Rule};
use crate::Severity::*;

const BUCKET: &[&str] = &["AWS::S3::Bucket"];

pub(super) const RULES: &[Rule] = &[
    rule(
        "SC-S3-001",
        High,
        "S3 bucket does not block all public access",
        "Set all four PublicAccessBlockConfiguration flags to true",
        BUCKET,
        &["CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"],
        &[],
        public_access_block,
    ),
    rule(
        "SC-S3-002",
        Critical,
        "S3 bucket grants public access by ACL",
        "Remove AccessControl PublicRead/PublicReadWrite; serve public content through CloudFront",
        BUCKET,
        &["CKV_AWS_20", "CKV_AWS_57"],
        &["W31"],
        public_acl,
    ),
    rule(
        "SC-S3-003",
        Medium,
        "S3 bucket has no default encryption",
        "Set BucketEncryption (SSE-S3 or SSE-KMS)",
        BUCKET,
        &["CKV_AWS_19"],
        &["W41"],
        |c| {
            fail(c.props().get("BucketEncryption").is_none(), || {
                "BucketEncryption is not set".into()
            })
        },
    ),
    rule(
        "SC-S3-004",
        High,
        "S3 bucket allows requests without TLS",
        "Add a bucket policy that denies every request with aws:SecureTransport false",
        BUCKET,
        &[],
        &[],
        tls_only,
    ),
    rule(
        "SC-S3-005",
        Critical,
        "S3 bucket policy allows anyone",
        "Grant named principals (an OAC's CloudFront service principal with a SourceArn condition)",
        &["AWS::S3::BucketPolicy"],
        &[],
        &["F16"],
        public_policy,
    ),
    rule(
        "SC-S3-006",
        Low,
        "S3 bucket has no access logging",
        "Set LoggingConfiguration.DestinationBucketName to a log bucket",
        BUCKET,
        &["CKV_AWS_18"],
        &["W35"],
        |c| {
            fail(c.props().get("LoggingConfiguration").is_none(), || {
                "LoggingConfiguration is not set".into()
            })
        },
    ),
    protected(rule(
        "SC-S3-007",
        Medium,
        "S3 bucket in a protected environment is not versioned",
        "Set VersioningConfiguration.Status to Enabled (and expire old versions by lifecycle)",
        BUCKET,
        &["CKV_AWS_21"],
        &[],
        |c| {
            fail(
                c.prop_str("VersioningConfiguration.Status") != Some("Enabled"),
                || "VersioningConfiguration.Status is not Enabled".into(),
            )
        },
    )),
];

fn public_access_block(c: &Context) -> Option<String> {
    let block = c.props().get("PublicAccessBlockConfiguration");
    let open: Vec<&str> = [
        "BlockPublicAcls",
        "BlockPublicPolicy",
        "IgnorePublicAcls",
        "RestrictPublicBuckets",
    ]
    .into_iter()
    .filter(|flag| block.and_then(|b| bool_at(b, flag)) != Some(true))
    .collect();
    fail(!open.is_empty(), || {
        format!(
            "PublicAccessBlockConfiguration does not set {} to true",
            open.join(", ")
        )
    })
}

fn public_acl(c: &Context) -> Option<String> {
    let acl = c.props().get("AccessControl").and_then(Value::as_str)?;
    fail(acl.starts_with("Public"), || {
        format!("AccessControl is {acl}")
    })
}

/// The bucket policies that apply to the bucket `c` (by `Bucket: !Ref`).
fn policies_of<'a>(c: &'a Context) -> impl Iterator<Item = &'a Value> + 'a {
    c.others(&["AWS::S3::BucketPolicy"])
        .filter(|(_, p)| {
            p.properties
                .get("Bucket")
                .is_some_and(|b| refers_to(b, c.logical_id))
        })
        .filter_map(|(_, p)| p.properties.get("PolicyDocument"))
}

fn tls_only(c: &Context) -> Option<String> {
    let denies_plain_http = policies_of(c).any(|doc| {
        items(doc.get("Statement")).into_iter().any(|s| {
            str_at(s, "Effect") == Some("Deny")
                && at(s, "Condition.Bool")
                    .and_then(|b| b.get("aws:SecureTransport"))
                    .is_some_and(|v| crate::props::literal_bool(v) == Some(false))
        })
    });
    fail(!denies_plain_http, || {
        "no bucket policy denies requests with aws:SecureTransport false".into()
    })
}

fn public_policy(c: &Context) -> Option<String> {
    let doc = c.props().get("PolicyDocument")?;
    let open: Vec<String> = items(doc.get("Statement"))
        .into_iter()
        .filter(|s| str_at(s, "Effect") == Some("Allow") && s.get("Condition").is_none())
        .filter(|s| super::iam::is_anyone(s.get("Principal")))
        .map(|s| {
            str_at(s, "Sid").map_or_else(|| "a statement".into(), |sid| format!("statement {sid}"))
        })
        .collect();
    fail(!open.is_empty(), || {
        format!("{} allows Principal * without a condition", open.join(", "))
    })
}
