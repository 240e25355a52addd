//! efs, rds::AuroraCluster, elasticache::Memcached and dns::PrivateZone: shared files with
//! TLS-only mounts through access points, an Aurora writer with readers in other zones where
//! highly available, Memcached over TLS, and private names for them.

mod common;

use serde_json::json;
use stackcraft_constructs::dns::PrivateZone;
use stackcraft_constructs::ec2::{HasConnections, Port, SecurityGroup, Vpc};
use stackcraft_constructs::ecs::{Connectable, TaskDefinition, TaskOptions};
use stackcraft_constructs::efs::{FileSystem, FileSystemOptions};
use stackcraft_constructs::elasticache::{Memcached, MemcachedOptions};
use stackcraft_constructs::rds::{AuroraCluster, AuroraOptions};
use stackcraft_core::assertions::TemplateAssertions;
use stackcraft_core::template::Template;
use stackcraft_core::{Environment, Stack};

use common::*;

fn build(env: Environment, f: impl FnOnce(&mut Stack, &Vpc)) -> Template {
    let mut stack = Stack::new("storage", env);
    let vpc = Vpc::new(&mut stack, "Network");
    f(&mut stack, &vpc);
    assert!(stack.errors().is_empty(), "{:?}", stack.errors());
    synth(stack)
}

#[test]
fn a_file_system_is_encrypted_tls_only_and_mounted_in_every_zone() {
    for (env, zones, backups, policy) in [
        (dev(), 2, "DISABLED", "Delete"),
        (prod(), 3, "ENABLED", "Retain"),
    ] {
        let t = build(env, |s, vpc| {
            let fs = FileSystem::new(s, "Files", vpc, FileSystemOptions::default());
            let point = fs.add_access_point(s, "Media", "/media", 1000, 1000);
            let task = TaskDefinition::ec2(s, "Task", TaskOptions::default());
            task.add_efs_volume(s, "media", &point);
            let client = SecurityGroup::new(s, "Client", vpc, "client");
            fs.connections().allow_from(s, &client, Port::NFS);
        });
        t.has_resource(
            "AWS::EFS::FileSystem",
            json!({"Properties": {"Encrypted": true, "ThroughputMode": "elastic",
                   "BackupPolicy": {"Status": backups},
                   "FileSystemPolicy": {"Statement": [{"Effect": "Deny", "Action": "*",
                       "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}},
                   "DeletionPolicy": policy}),
        );
        t.resource_count_is("AWS::EFS::MountTarget", zones);
        t.has_resource_properties(
            "AWS::EFS::MountTarget",
            json!({"SubnetId": {"Ref": "NetworkIsolatedSubnet1"},
                   "SecurityGroups": [{"Fn::GetAtt": ["FilesSecurityGroup", "GroupId"]}]}),
        );
        t.has_resource_properties(
            "AWS::EFS::AccessPoint",
            json!({"PosixUser": {"Uid": "1000", "Gid": "1000"},
                   "RootDirectory": {"Path": "/media", "CreationInfo": {"OwnerUid": "1000", "OwnerGid": "1000", "Permissions": "750"}}}),
        );
        t.has_resource_properties(
            "AWS::ECS::TaskDefinition",
            json!({"Volumes": [{"Name": "tmp"}, {"Name": "media", "EFSVolumeConfiguration": {
                "FilesystemId": {"Ref": "Files"}, "TransitEncryption": "ENABLED",
                "AuthorizationConfig": {"AccessPointId": {"Ref": "FilesMedia"}, "IAM": "ENABLED"}}}]}),
        );
        // The task role may mount and write through this access point only.
        t.has_resource_properties(
            "AWS::IAM::Policy",
            json!({"PolicyDocument": {"Statement": [{
                "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
                "Resource": {"Fn::GetAtt": ["Files", "Arn"]},
                "Condition": {"StringEquals": {"elasticfilesystem:AccessPointArn": {"Fn::GetAtt": ["FilesMedia", "Arn"]}}}}]}}),
        );
        t.has_resource_properties(
            "AWS::EC2::SecurityGroupIngress",
            json!({"FromPort": 2049, "ToPort": 2049, "SourceSecurityGroupId": {"Fn::GetAtt": ["Client", "GroupId"]}}),
        );
    }
}

#[test]
fn aurora_has_one_writer_in_dev_and_readers_in_other_zones_where_highly_available() {
    let t = build(dev(), |s, vpc| {
        let db = AuroraCluster::mysql(s, "Db", vpc, AuroraOptions::default());
        let endpoint = db.client_endpoint();
        assert!(endpoint.tls && endpoint.password.is_some() && endpoint.username.is_some());
    });
    t.resource_count_is("AWS::RDS::DBInstance", 1);
    t.has_resource(
        "AWS::RDS::DBCluster",
        json!({"Properties": {"Engine": "aurora-mysql", "StorageEncrypted": true,
               "DeletionProtection": false, "BackupRetentionPeriod": 1,
               "EnableIAMDatabaseAuthentication": true,
               "MasterUserPassword": {"Fn::Sub": ["{{resolve:secretsmanager:${Secret}:SecretString:password}}", {"Secret": {"Ref": "DbSecret"}}]}},
               "DeletionPolicy": "Delete"}),
    );
    t.has_resource_properties(
        "AWS::RDS::DBClusterParameterGroup",
        json!({"Family": "aurora-mysql8.0", "Parameters": {"require_secure_transport": "1", "server_audit_logging": "1"}}),
    );
    t.has_resource_properties(
        "AWS::SecretsManager::SecretTargetAttachment",
        json!({"TargetType": "AWS::RDS::DBCluster", "TargetId": {"Ref": "Db"}}),
    );

    let t = build(prod(), |s, vpc| {
        AuroraCluster::mysql(
            s,
            "Db",
            vpc,
            AuroraOptions {
                readers: Some(2),
                ..AuroraOptions::default()
            },
        );
    });
    let instances = t.find_resources("AWS::RDS::DBInstance");
    assert_eq!(instances.len(), 3);
    for (n, (_, instance)) in instances.iter().enumerate() {
        assert_eq!(
            instance["Properties"]["AvailabilityZone"],
            json!({"Fn::Select": [n, {"Fn::GetAZs": ""}]})
        );
        assert_eq!(instance["Properties"]["MonitoringInterval"], 60);
    }
    t.has_resource(
        "AWS::RDS::DBCluster",
        json!({"Properties": {"DeletionProtection": true, "BackupRetentionPeriod": 14},
               "DeletionPolicy": "Snapshot"}),
    );
    t.resource_count_is("AWS::SecretsManager::RotationSchedule", 1);
}

#[test]
fn memcached_spreads_over_the_zones_where_highly_available() {
    for (env, nodes, mode) in [(dev(), 1, "single-az"), (prod(), 3, "cross-az")] {
        let t = build(env, |s, vpc| {
            let cache = Memcached::new(s, "Cache", vpc, MemcachedOptions::default());
            assert!(cache.client_endpoint().password.is_none());
        });
        t.has_resource_properties(
            "AWS::ElastiCache::CacheCluster",
            json!({"Engine": "memcached", "NumCacheNodes": nodes, "AZMode": mode,
                   "TransitEncryptionEnabled": true, "Port": 11211}),
        );
    }
}

#[test]
fn a_private_zone_answers_in_its_vpc_with_short_lived_records() {
    let t = build(dev(), |s, vpc| {
        let zone = PrivateZone::new(s, "Zone", "shop.internal", vpc);
        let name = zone.add_cname(s, "Db", "db.eu-central-1", "db.example.com");
        assert_eq!(name, "db.eu-central-1.shop.internal");
        zone.add_a(s, "Ci", "ci", "10.0.0.5");
    });
    t.has_resource_properties(
        "AWS::Route53::HostedZone",
        json!({"Name": "shop.internal", "VPCs": [{"VPCId": {"Ref": "Network"}, "VPCRegion": {"Ref": "AWS::Region"}}]}),
    );
    t.has_resource_properties(
        "AWS::Route53::RecordSet",
        json!({"HostedZoneId": {"Ref": "Zone"}, "Name": "db.eu-central-1.shop.internal", "Type": "CNAME", "TTL": "60", "ResourceRecords": ["db.example.com"]}),
    );
    t.has_resource_properties(
        "AWS::Route53::RecordSet",
        json!({"Name": "ci.shop.internal", "Type": "A", "ResourceRecords": ["10.0.0.5"]}),
    );
}
