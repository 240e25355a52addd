//! Keeping data in protected environments: retain policies, deletion protection, backups.

use stackcraft_template::Policy;

use super::{fail, protected, rule};
use crate::rule::{Context, Rule};
use crate::Severity::*;

/// Resources whose deletion loses data.
const STATEFUL: &[&str] = &[
    "AWS::S3::Bucket",
    "AWS::DynamoDB::Table",
    "AWS::DynamoDB::GlobalTable",
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBCluster",
    "AWS::EFS::FileSystem",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::Logs::LogGroup",
    "AWS::SecretsManager::Secret",
    "AWS::KMS::Key",
    "AWS::ECR::Repository",
];

pub(super) const RULES: &[Rule] = &[
    protected(rule(
        "SC-DATA-001",
        High,
        "Stateful resource in a protected environment is deleted with its stack",
        "Set DeletionPolicy and UpdateReplacePolicy to Retain (Snapshot for databases and caches)",
        STATEFUL,
        &[],
        &[],
        retained,
    )),
    protected(rule(
        "SC-DATA-002",
        High,
        "Database or table in a protected environment has no deletion protection",
        "Set DeletionProtection (RDS) / DeletionProtectionEnabled (DynamoDB) to true",
        &[
            "AWS::RDS::DBInstance",
            "AWS::RDS::DBCluster",
            "AWS::DynamoDB::Table",
        ],
        &["CKV_AWS_293", "CKV_AWS_139"],
        &[],
        |c| {
            // An Aurora instance is protected by its cluster.
            if c.prop("DBClusterIdentifier").is_some() {
                return None;
            }
            let key = if c.resource.type_ == "AWS::DynamoDB::Table" {
                "DeletionProtectionEnabled"
            } else {
                "DeletionProtection"
            };
            fail(c.prop_bool(key) != Some(true), || {
                format!("{key} is not true")
            })
        },
    )),
    protected(rule(
        "SC-DDB-002",
        Medium,
        "DynamoDB table in a protected environment has no point-in-time recovery",
        "Set PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled: true",
        &["AWS::DynamoDB::Table"],
        &["CKV_AWS_28"],
        &["W78"],
        |c| {
            let on = c.prop_bool("PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled");
            fail(on != Some(true), || "point-in-time recovery is off".into())
        },
    )),
    protected(rule(
        "SC-RDS-003",
        Medium,
        "Database in a protected environment keeps backups for less than 7 days",
        "Set BackupRetentionPeriod to 7 or more",
        &["AWS::RDS::DBInstance", "AWS::RDS::DBCluster"],
        &["CKV_AWS_133"],
        &[],
        |c| {
            if c.prop("DBClusterIdentifier").is_some() {
                return None;
            }
            let days = c.prop("BackupRetentionPeriod").map(crate::props::int);
            match days {
                // Decided at deploy time: nothing to say.
                Some(None) => None,
                Some(Some(d)) if d >= 7 => None,
                Some(Some(d)) => Some(format!("BackupRetentionPeriod is {d}")),
                None => Some("BackupRetentionPeriod is not set (1 day)".into()),
            }
        },
    )),
    protected(rule(
        "SC-EC-004",
        Medium,
        "Cache in a protected environment keeps no snapshots",
        "Set SnapshotRetentionLimit to 1 or more",
        &["AWS::ElastiCache::ReplicationGroup"],
        &[],
        &[],
        |c| {
            if c.prop("SnapshotRetentionLimit")
                .is_some_and(crate::props::is_dynamic)
            {
                return None;
            }
            let days = c.prop("SnapshotRetentionLimit").and_then(crate::props::int);
            fail(days.unwrap_or(0) < 1, || {
                "SnapshotRetentionLimit is 0".into()
            })
        },
    )),
];

fn retained(c: &Context) -> Option<String> {
    let keeps = |p: Option<Policy>| {
        matches!(
            p,
            Some(Policy::Retain | Policy::RetainExceptOnCreate | Policy::Snapshot)
        )
    };
    let r = c.resource;
    let missing: Vec<&str> = [
        ("DeletionPolicy", r.deletion_policy),
        ("UpdateReplacePolicy", r.update_replace_policy),
    ]
    .into_iter()
    .filter(|(_, p)| !keeps(*p))
    .map(|(k, _)| k)
    .collect();
    fail(!missing.is_empty(), || {
        format!("{} is not Retain or Snapshot", missing.join(" and "))
    })
}
