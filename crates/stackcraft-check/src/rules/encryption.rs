//! Encryption at rest (and in transit, where the resource has a switch for it).

use stackcraft_template::Value;

use super::{fail, rule};
use crate::props::{bool_at, items};
use crate::rule::{Context, Rule};
use crate::Severity::*;

/// Fails when the boolean property `key` is not literally true.
fn requires_true(c: &Context, key: &str) -> Option<String> {
    fail(c.prop_bool(key) != Some(true), || {
        format!("{key} is not true")
    })
}

/// Fails when none of the properties `keys` is set.
fn requires_any(c: &Context, keys: &[&str]) -> Option<String> {
    let set = keys.iter().any(|k| c.prop(k).is_some());
    fail(!set, || format!("{} is not set", keys.join(" / ")))
}

pub(super) const RULES: &[Rule] = &[
    rule(
        "SC-EBS-001",
        High,
        "EBS volume is not encrypted",
        "Set Encrypted: true (and a KmsKeyId to choose the key)",
        &["AWS::EC2::Volume"],
        &["CKV_AWS_3"],
        &["F1"],
        |c| requires_true(c, "Encrypted"),
    ),
    rule(
        "SC-EBS-002",
        High,
        "Instance or launch template has an unencrypted EBS volume",
        "Set Ebs.Encrypted: true on every block device mapping",
        &[
            "AWS::EC2::Instance",
            "AWS::EC2::LaunchTemplate",
            "AWS::AutoScaling::LaunchConfiguration",
        ],
        &["CKV_AWS_8"],
        &[],
        block_devices,
    ),
    rule(
        "SC-RDS-001",
        High,
        "RDS storage is not encrypted",
        "Set StorageEncrypted: true (it cannot be turned on later without a snapshot restore)",
        &["AWS::RDS::DBInstance", "AWS::RDS::DBCluster"],
        &["CKV_AWS_16", "CKV_AWS_96"],
        &["F26", "F27"],
        |c| {
            // An Aurora instance takes its storage (and its encryption) from the cluster.
            if c.props().contains_key("DBClusterIdentifier") {
                return None;
            }
            requires_true(c, "StorageEncrypted")
        },
    ),
    rule(
        "SC-EC-001",
        High,
        "ElastiCache replication group is not encrypted at rest",
        "Set AtRestEncryptionEnabled: true",
        &["AWS::ElastiCache::ReplicationGroup"],
        &["CKV_AWS_29"],
        &[],
        |c| requires_true(c, "AtRestEncryptionEnabled"),
    ),
    rule(
        "SC-EC-002",
        High,
        "ElastiCache replication group is not encrypted in transit",
        "Set TransitEncryptionEnabled: true (and an AuthToken from Secrets Manager)",
        &["AWS::ElastiCache::ReplicationGroup"],
        &["CKV_AWS_30"],
        &[],
        |c| requires_true(c, "TransitEncryptionEnabled"),
    ),
    rule(
        "SC-EC-003",
        Medium,
        "ElastiCache cache cluster cannot be encrypted",
        "Use an AWS::ElastiCache::ReplicationGroup (or a serverless cache), which encrypts",
        &["AWS::ElastiCache::CacheCluster"],
        &[],
        &[],
        |_| Some("a CacheCluster has no encryption at rest or in transit".into()),
    ),
    rule(
        "SC-EFS-001",
        High,
        "EFS file system is not encrypted",
        "Set Encrypted: true",
        &["AWS::EFS::FileSystem"],
        &["CKV_AWS_42"],
        &["F32"],
        |c| requires_true(c, "Encrypted"),
    ),
    rule(
        "SC-SNS-001",
        Medium,
        "SNS topic is not encrypted",
        "Set KmsMasterKeyId (a key whose policy lets the publishing services use it)",
        &["AWS::SNS::Topic"],
        &["CKV_AWS_26"],
        &["W47"],
        |c| requires_any(c, &["KmsMasterKeyId"]),
    ),
    rule(
        "SC-SQS-001",
        Medium,
        "SQS queue is not encrypted",
        "Set SqsManagedSseEnabled: true or a KmsMasterKeyId",
        &["AWS::SQS::Queue"],
        &["CKV_AWS_27"],
        &["W48"],
        |c| {
            let managed = c.prop_bool("SqsManagedSseEnabled") == Some(true);
            fail(!managed && c.prop("KmsMasterKeyId").is_none(), || {
                "neither SqsManagedSseEnabled nor KmsMasterKeyId is set".into()
            })
        },
    ),
    rule(
        "SC-DDB-001",
        Low,
        "DynamoDB table is encrypted with an AWS owned key only",
        "Set SSESpecification.SSEEnabled: true (with a KMSMasterKeyId for a customer managed key)",
        &["AWS::DynamoDB::Table"],
        &["CKV_AWS_119"],
        &["W74"],
        |c| {
            fail(c.prop("SSESpecification.KMSMasterKeyId").is_none(), || {
                "SSESpecification names no customer managed KMS key".into()
            })
        },
    ),
    rule(
        "SC-LOGS-001",
        Low,
        "Log group is not encrypted with a customer managed key",
        "Set KmsKeyId when the logs may hold personal or secret data",
        &["AWS::Logs::LogGroup"],
        &["CKV_AWS_158"],
        &["W84"],
        |c| requires_any(c, &["KmsKeyId"]),
    ),
    rule(
        "SC-LOGS-002",
        Low,
        "Log group keeps logs forever",
        "Set RetentionInDays",
        &["AWS::Logs::LogGroup"],
        &["CKV_AWS_66"],
        &["W86"],
        |c| requires_any(c, &["RetentionInDays"]),
    ),
];

fn block_devices(c: &Context) -> Option<String> {
    let mappings = c
        .prop("BlockDeviceMappings")
        .or_else(|| c.prop("LaunchTemplateData.BlockDeviceMappings"));
    let open: Vec<String> = items(mappings)
        .into_iter()
        .filter(|m| m.get("Ebs").is_some())
        .filter(|m| bool_at(m, "Ebs.Encrypted") != Some(true))
        .map(|m| {
            m.get("DeviceName")
                .and_then(Value::as_str)
                .unwrap_or("a device")
                .to_owned()
        })
        .collect();
    fail(!open.is_empty(), || {
        format!("{} without Ebs.Encrypted: true", open.join(", "))
    })
}
