//! IAM: wildcard actions and resources, administrator and AWS managed policies, trust.

use stackcraft_template::{Intrinsic, Value};

use super::{fail, rule};
use crate::props::{items, str_at, strings};
use crate::rule::{Context, Rule};
use crate::Severity::*;

const IDENTITIES: &[&str] = &[
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::User",
    "AWS::IAM::Group",
];

const ATTACHABLE: &[&str] = &["AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"];

/// Managed policies that give (nearly) everything.
const ADMIN_POLICIES: &[&str] = &["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"];

/// Actions that have no resource-level permissions: `Resource: "*"` is the only way to grant
/// them, so a wildcard resource is not a finding.
const UNSCOPED_ACTIONS: &[&str] = &[
    "ecr:GetAuthorizationToken",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "cloudwatch:PutMetricData",
    "cloudwatch:ListMetrics",
    "cloudwatch:GetMetricData",
    "ec2:Describe",
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
    "logs:DescribeLogGroups",
    "sts:GetCallerIdentity",
    "s3:ListAllMyBuckets",
    "rekognition:Detect",
    "rekognition:StartContentModeration",
    "rekognition:GetContentModeration",
    "ssmmessages:",
    "ec2messages:",
    "ecs:DiscoverPollEndpoint",
    "ecs:RegisterTaskDefinition",
    "servicediscovery:DiscoverInstances",
    "elasticloadbalancing:Describe",
    "autoscaling:Describe",
    "kms:CreateKey",
    "kms:ListAliases",
    "kms:ListKeys",
];

pub(super) const RULES: &[Rule] = &[
    rule(
        "SC-IAM-001",
        High,
        "IAM policy allows every action of a service (or of all services)",
        "Name the actions the workload calls (construct grants do: grant_read, grant_write...)",
        IDENTITIES,
        &["CKV_AWS_63"],
        &["F3", "F4", "W13"],
        |c| {
            let wild = allowed(c)
                .flat_map(|s| strings_of(s.get("Action")))
                .filter(|a| *a == "*" || a.ends_with(":*"))
                .collect::<Vec<_>>();
            fail(!wild.is_empty(), || format!("allows {}", dedup(wild).join(", ")))
        },
    ),
    rule(
        "SC-IAM-002",
        Medium,
        "IAM policy allows actions on every resource where they could be scoped",
        "Name the resources (ARNs) the actions apply to",
        IDENTITIES,
        &["CKV_AWS_355"],
        &["W11", "W12"],
        |c| {
            let scopable = allowed(c)
                .filter(|s| strings_of(s.get("Resource")).contains(&"*"))
                .flat_map(|s| strings_of(s.get("Action")))
                .filter(|a| !UNSCOPED_ACTIONS.iter().any(|u| a.starts_with(u)))
                .collect::<Vec<_>>();
            fail(!scopable.is_empty(), || {
                format!("Resource \"*\" for {}", dedup(scopable).join(", "))
            })
        },
    ),
    rule(
        "SC-IAM-003",
        Critical,
        "IAM grants administrator access",
        "Grant the actions the principal needs; never AdministratorAccess or \"*\" on \"*\"",
        IDENTITIES,
        &["CKV_AWS_62", "CKV_AWS_274"],
        &[],
        |c| {
            let full = allowed(c).any(|s| {
                strings_of(s.get("Action")).contains(&"*")
                    && strings_of(s.get("Resource")).contains(&"*")
            });
            let admin = managed_policies(c)
                .into_iter()
                .find(|arn| ADMIN_POLICIES.iter().any(|p| arn.ends_with(&format!("policy/{p}"))));
            match (full, admin) {
                (_, Some(arn)) => Some(format!("attaches {arn}")),
                (true, None) => Some("allows \"*\" on \"*\"".into()),
                _ => None,
            }
        },
    ),
    rule(
        "SC-IAM-004",
        Low,
        "AWS managed policy attached",
        "Write a policy for this principal's resources (service-role/ policies are accepted)",
        ATTACHABLE,
        &[],
        &[],
        |c| {
            let managed: Vec<String> = managed_policies(c)
                .into_iter()
                .filter(|arn| arn.contains(":iam::aws:policy/") && !arn.contains("policy/service-role/"))
                .collect();
            fail(!managed.is_empty(), || format!("attaches {}", managed.join(", ")))
        },
    ),
    rule(
        "SC-IAM-005",
        High,
        "Role can be assumed by anyone, or by another account without a condition",
        "Name the principal and add a condition (sts:ExternalId, aws:PrincipalOrgID, aws:SourceArn)",
        &["AWS::IAM::Role"],
        &["CKV_AWS_60", "CKV_AWS_61"],
        &["F2"],
        trust,
    ),
];

/// Whether a `Principal` is everyone (`"*"` or `{"AWS": "*"}`).
pub(super) fn is_anyone(principal: Option<&Value>) -> bool {
    match principal {
        Some(Value::String(s)) => s == "*",
        Some(p) => strings_of(p.get("AWS")).contains(&"*"),
        None => false,
    }
}

/// The policy documents a resource carries (inline policies of roles, users and groups too).
fn documents<'a>(c: &'a Context) -> Vec<&'a Value> {
    let mut docs: Vec<&Value> = c.prop("PolicyDocument").into_iter().collect();
    for policy in items(c.prop("Policies")) {
        docs.extend(policy.get("PolicyDocument"));
    }
    docs
}

/// The `Allow` statements of the resource's policy documents.
fn allowed<'a>(c: &'a Context) -> impl Iterator<Item = &'a Value> + 'a {
    documents(c)
        .into_iter()
        .flat_map(|d| items(d.get("Statement")))
        .filter(|s| str_at(s, "Effect") == Some("Allow"))
}

/// The literal strings of a string-or-list value.
fn strings_of(value: Option<&Value>) -> Vec<&str> {
    items(value).into_iter().filter_map(Value::as_str).collect()
}

fn dedup(mut items: Vec<&str>) -> Vec<&str> {
    items.sort_unstable();
    items.dedup();
    items
}

/// The managed policy ARNs, with `${AWS::Partition}` read as `aws`.
fn managed_policies(c: &Context) -> Vec<String> {
    items(c.prop("ManagedPolicyArns"))
        .into_iter()
        .flat_map(strings)
        .map(|s| s.replace("${AWS::Partition}", "aws"))
        .collect()
}

fn trust(c: &Context) -> Option<String> {
    let doc = c.prop("AssumeRolePolicyDocument")?;
    let mut problems = Vec::new();
    for s in items(doc.get("Statement")) {
        if str_at(s, "Effect") != Some("Allow") {
            continue;
        }
        if is_anyone(s.get("Principal")) {
            problems.push("Principal * may assume it".to_owned());
            continue;
        }
        let Some(aws) = s.get("Principal").and_then(|p| p.get("AWS")) else {
            continue;
        };
        let foreign = items(Some(aws)).into_iter().any(|p| !is_own_account(p));
        if foreign && s.get("Condition").is_none() {
            problems.push("another account may assume it without a condition".to_owned());
        }
    }
    fail(!problems.is_empty(), || problems.join("; "))
}

/// A principal of this stack's own account (`${AWS::AccountId}`), or a role of the template.
fn is_own_account(p: &Value) -> bool {
    match p {
        Value::Fn(f) => match f.as_ref() {
            Intrinsic::Ref(t) => t.logical_id == "AWS::AccountId",
            Intrinsic::GetAtt(..) => true,
            Intrinsic::Sub(text, _) => text.contains("${AWS::AccountId}"),
            Intrinsic::Join(_, _) => {
                strings(p).iter().any(|s| s.contains("AWS::AccountId"))
                    || crate::props::references(p)
                        .iter()
                        .any(|r| r == "AWS::AccountId")
            }
            _ => false,
        },
        _ => false,
    }
}
