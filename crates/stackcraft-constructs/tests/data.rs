//! rds, elasticache, secretsmanager, cloudfront: what prod adds over dev (Multi-AZ, failover,
//! protection, snapshots, rotation, logs), what every environment has (encryption, generated
//! credentials, TLS, private subnets), and the static site's delivery and asset.

use serde_json::json;
use stackcraft_constructs::cloudfront::{directory_asset, SiteOptions, StaticSite};
use stackcraft_constructs::dns::Domain;
use stackcraft_constructs::ec2::Vpc;
use stackcraft_constructs::elasticache::{Redis, RedisMode, RedisOptions};
use stackcraft_constructs::rds::{Database, DatabaseOptions};
use stackcraft_core::assertions::TemplateAssertions;
use stackcraft_core::template::Template;
use stackcraft_core::{Environment, Packaging, Stack, StackSet};

fn dev() -> Environment {
    Environment::new("dev", "eu-central-1")
}

fn prod() -> Environment {
    Environment::production("prod", "eu-central-1")
}

fn build(env: Environment, f: impl FnOnce(&mut Stack)) -> Template {
    let mut stack = Stack::new("data", env);
    f(&mut stack);
    assert!(stack.errors().is_empty(), "{:?}", stack.errors());
    let mut app = StackSet::new("test", stack.env().clone());
    app.add_stack(stack);
    app.synth().expect("synthesizes").stacks.remove(0).template
}

fn database(env: Environment) -> Template {
    build(env, |s| {
        let vpc = Vpc::new(s, "Network");
        Database::mysql(s, "Db", &vpc, DatabaseOptions::default());
    })
}

#[test]
fn every_database_is_encrypted_private_and_has_generated_credentials() {
    for (t, zones) in [(database(dev()), 2), (database(prod()), 3)] {
        t.has_resource_properties(
            "AWS::RDS::DBInstance",
            json!({
                "Engine": "mysql",
                "StorageEncrypted": true,
                "PubliclyAccessible": false,
                "EnableIAMDatabaseAuthentication": true,
                "EnableCloudwatchLogsExports": ["error", "slowquery"],
                "MasterUsername": {"Fn::Sub": ["{{resolve:secretsmanager:${Secret}:SecretString:username}}", {"Secret": {"Ref": "DbSecret"}}]},
                "MasterUserPassword": {"Fn::Sub": ["{{resolve:secretsmanager:${Secret}:SecretString:password}}", {"Secret": {"Ref": "DbSecret"}}]},
                "DBSubnetGroupName": {"Ref": "DbSubnetGroup"}
            }),
        );
        let isolated: Vec<_> = (1..=zones)
            .map(|n| json!({"Ref": format!("NetworkIsolatedSubnet{n}")}))
            .collect();
        t.has_resource_properties("AWS::RDS::DBSubnetGroup", json!({"SubnetIds": isolated}));
        t.has_resource_properties(
            "AWS::SecretsManager::Secret",
            json!({"GenerateSecretString": {"SecretStringTemplate": "{\"username\":\"admin_user\"}", "GenerateStringKey": "password", "PasswordLength": 32}}),
        );
        t.has_resource_properties(
            "AWS::RDS::DBParameterGroup",
            json!({"Family": "mysql8.0", "Parameters": {"require_secure_transport": "1"}}),
        );
        t.resource_count_is("AWS::SecretsManager::SecretTargetAttachment", 1);
        t.resource_count_is(
            "AWS::EC2::SecurityGroupIngress",
            if t.transform.is_some() { 1 } else { 0 },
        );
    }
}

#[test]
fn prod_databases_are_multi_az_protected_snapshotted_monitored_and_rotated() {
    let dev = database(dev());
    dev.has_resource(
        "AWS::RDS::DBInstance",
        json!({"Properties": {"MultiAZ": false, "DeletionProtection": false, "BackupRetentionPeriod": 1, "DBInstanceClass": "db.t4g.micro"},
               "DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete"}),
    );
    dev.resource_count_is("AWS::SecretsManager::RotationSchedule", 0);
    assert!(dev.transform.is_none());

    let prod = database(prod());
    prod.has_resource(
        "AWS::RDS::DBInstance",
        json!({"Properties": {"MultiAZ": true, "DeletionProtection": true, "BackupRetentionPeriod": 14,
                              "MonitoringInterval": 60, "EnablePerformanceInsights": true, "DBInstanceClass": "db.t4g.medium"},
               "DeletionPolicy": "Snapshot", "UpdateReplacePolicy": "Snapshot"}),
    );
    prod.has_resource(
        "AWS::SecretsManager::RotationSchedule",
        json!({"Properties": {"HostedRotationLambda": {"RotationType": "MySQLSingleUser"},
                              "RotationRules": {"AutomaticallyAfterDays": 30}},
               "DependsOn": "DbSecretAttachment"}),
    );
    assert_eq!(
        prod.transform.as_ref().map(|t| t.to_json()),
        Some(json!("AWS::SecretsManager-2020-07-23"))
    );
    // The rotation function reaches the database, and only it does so far.
    prod.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        json!({"GroupId": {"Fn::GetAtt": ["DbSecurityGroup", "GroupId"]},
               "SourceSecurityGroupId": {"Fn::GetAtt": ["DbRotationSecurityGroup", "GroupId"]}, "FromPort": 3306}),
    );
}

fn redis(env: Environment) -> Template {
    build(env, |s| {
        let vpc = Vpc::new(s, "Network");
        Redis::new(s, "Cache", &vpc, RedisOptions::default());
    })
}

#[test]
fn redis_is_encrypted_with_an_auth_token_everywhere_and_fails_over_in_prod() {
    let every = json!({
        "Engine": "redis",
        "AtRestEncryptionEnabled": true,
        "TransitEncryptionEnabled": true,
        "AuthToken": {"Fn::Sub": ["{{resolve:secretsmanager:${Secret}}}", {"Secret": {"Ref": "CacheAuthToken"}}]},
        "CacheSubnetGroupName": {"Ref": "CacheSubnetGroup"}
    });
    let dev = redis(dev());
    dev.has_resource_properties("AWS::ElastiCache::ReplicationGroup", every.clone());
    dev.has_resource(
        "AWS::ElastiCache::ReplicationGroup",
        json!({"Properties": {"NumCacheClusters": 1, "AutomaticFailoverEnabled": false, "MultiAZEnabled": false, "SnapshotRetentionLimit": 0},
               "DeletionPolicy": "Delete"}),
    );
    let prod = redis(prod());
    prod.has_resource_properties("AWS::ElastiCache::ReplicationGroup", every);
    prod.has_resource(
        "AWS::ElastiCache::ReplicationGroup",
        json!({"Properties": {"NumCacheClusters": 2, "AutomaticFailoverEnabled": true, "MultiAZEnabled": true, "SnapshotRetentionLimit": 7},
               "DeletionPolicy": "Snapshot"}),
    );
    prod.has_resource_properties(
        "AWS::SecretsManager::Secret",
        json!({"GenerateSecretString": {"PasswordLength": 64}}),
    );
    prod.has_resource(
        "AWS::SecretsManager::Secret",
        json!({"DeletionPolicy": "Retain"}),
    );
}

fn serverless_redis(env: Environment, max_storage_gb: Option<u32>) -> Template {
    build(env, |s| {
        s.set_deployed_name("Shop_Prod");
        let vpc = Vpc::new(s, "Network");
        let mode = RedisMode::Serverless {
            max_storage_gb,
            max_ecpu_per_second: None,
        };
        let redis = Redis::new(
            s,
            "Cache",
            &vpc,
            RedisOptions {
                mode,
                ..RedisOptions::default()
            },
        );
        assert!(redis.is_serverless());
        assert_eq!(
            redis.host().value().to_json(),
            json!({"Fn::GetAtt": ["Cache", "Endpoint.Address"]})
        );
        let topic = stackcraft_constructs::sns::Topic::new(s, "Alarms");
        redis.add_alarms(s, &topic);
    })
}

/// Serverless: no replication group; the cache in the isolated subnets behind its group, its
/// default user logging in with the generated password, limits only when given, snapshots and
/// retention where protected; alarms on throttling and evictions of the whole cache.
#[test]
fn serverless_redis_logs_in_with_the_generated_password_and_scales_within_its_limits() {
    let dev = serverless_redis(dev(), None);
    dev.resource_count_is("AWS::ElastiCache::ReplicationGroup", 0);
    dev.resource_count_is("AWS::ElastiCache::SubnetGroup", 0);
    dev.has_resource(
        "AWS::ElastiCache::ServerlessCache",
        json!({"Properties": {
            "Engine": "redis", "ServerlessCacheName": "shop-prod-cache", "MajorEngineVersion": "7",
            "SubnetIds": [{"Ref": "NetworkIsolatedSubnet1"}, {"Ref": "NetworkIsolatedSubnet2"}],
            "SecurityGroupIds": [{"Fn::GetAtt": ["CacheSecurityGroup", "GroupId"]}],
            "UserGroupId": {"Ref": "CacheUserGroup"},
            "SnapshotRetentionLimit": 0
        }, "DeletionPolicy": "Delete"}),
    );
    let (_, cache) = dev
        .find_resources("AWS::ElastiCache::ServerlessCache")
        .remove(0);
    assert!(
        cache["Properties"].get("CacheUsageLimits").is_none(),
        "{cache}"
    );
    dev.has_resource_properties(
        "AWS::ElastiCache::User",
        json!({"Engine": "redis", "UserId": "shop-prod-cache-default", "UserName": "default",
               "AccessString": "on ~* +@all",
               "AuthenticationMode": {"Type": "password", "Passwords": [
                   {"Fn::Sub": ["{{resolve:secretsmanager:${Secret}}}", {"Secret": {"Ref": "CacheAuthToken"}}]}]}}),
    );
    dev.has_resource_properties(
        "AWS::ElastiCache::UserGroup",
        json!({"Engine": "redis", "UserGroupId": "shop-prod-cache", "UserIds": [{"Ref": "CacheDefaultUser"}]}),
    );
    let mut alarms: Vec<String> = dev
        .find_resources("AWS::CloudWatch::Alarm")
        .into_iter()
        .map(|(_, a)| {
            format!(
                "{} {}",
                a["Properties"]["MetricName"], a["Properties"]["Dimensions"][0]["Name"]
            )
        })
        .collect();
    alarms.sort();
    assert_eq!(
        alarms,
        [
            "\"Evictions\" \"clusterId\"",
            "\"ThrottledCmds\" \"clusterId\""
        ]
    );

    let prod = serverless_redis(prod(), Some(10));
    prod.has_resource(
        "AWS::ElastiCache::ServerlessCache",
        json!({"Properties": {"SnapshotRetentionLimit": 7,
                              "CacheUsageLimits": {"DataStorage": {"Unit": "GB", "Maximum": 10}}},
               "DeletionPolicy": "Retain"}),
    );

    // Node settings belong to a replication group; limits have AWS's ranges.
    let mut stack = Stack::new("data", Environment::new("dev", "eu-central-1"));
    let vpc = Vpc::new(&mut stack, "Network");
    Redis::new(
        &mut stack,
        "Cache",
        &vpc,
        RedisOptions {
            mode: RedisMode::Serverless {
                max_storage_gb: Some(0),
                max_ecpu_per_second: Some(10),
            },
            node_type: Some("cache.r7g.large".into()),
            ..RedisOptions::default()
        },
    );
    let errors: Vec<String> = stack.errors().iter().map(|e| e.to_string()).collect();
    assert_eq!(
        errors,
        [
            "data/Cache: node_type is a setting of a replication group; a serverless cache sizes itself",
            "data/Cache: max_storage_gb must be 1 to 5000",
            "data/Cache: max_ecpu_per_second must be 1000 to 15000000",
        ]
    );
}

fn site_dir() -> tempfile_dir::Dir {
    tempfile_dir::Dir::new(&[("index.html", "<h1>hi</h1>"), ("js/app.js", "1")])
}

/// A scratch directory removed on drop (no dev-dependency needed).
mod tempfile_dir {
    use std::path::{Path, PathBuf};

    pub struct Dir(PathBuf);

    impl Dir {
        pub fn new(files: &[(&str, &str)]) -> Dir {
            use std::sync::atomic::{AtomicUsize, Ordering};
            static N: AtomicUsize = AtomicUsize::new(0);
            let dir = std::env::temp_dir().join(format!(
                "stackcraft-site-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ));
            for (name, content) in files {
                let path = dir.join(name);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, content).unwrap();
            }
            Dir(dir)
        }

        pub fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

#[test]
fn a_static_site_is_served_only_through_cloudfront_over_https_with_security_headers() {
    let dir = site_dir();
    let mut assets = Vec::new();
    let t = build(dev(), |s| {
        let site = StaticSite::new(
            s,
            "Site",
            SiteOptions {
                source: Some(dir.path().to_owned()),
                connect_to: vec!["https://api.example.com".into()],
                ..SiteOptions::default()
            },
        );
        assets = s.assets().to_vec();
        assert_eq!(
            site.url().value().to_json(),
            json!({"Fn::Join": ["", ["https://", {"Fn::GetAtt": ["SiteDistribution", "DomainName"]}]]})
        );
    });
    t.has_resource_properties(
        "AWS::CloudFront::Distribution",
        json!({"DistributionConfig": {
            "DefaultRootObject": "index.html",
            "DefaultCacheBehavior": {"ViewerProtocolPolicy": "redirect-to-https", "ResponseHeadersPolicyId": {"Fn::GetAtt": ["SiteSecurityHeaders", "Id"]}},
            "Origins": [{"OriginAccessControlId": {"Fn::GetAtt": ["SiteOriginAccessControl", "Id"]}, "S3OriginConfig": {"OriginAccessIdentity": ""}}],
            "CustomErrorResponses": [{"ErrorCode": 403, "ResponseCode": 200, "ResponsePagePath": "/index.html"},
                                     {"ErrorCode": 404, "ResponseCode": 200, "ResponsePagePath": "/index.html"}],
            "ViewerCertificate": {"CloudFrontDefaultCertificate": true}
        }}),
    );
    t.has_resource_properties(
        "AWS::CloudFront::OriginAccessControl",
        json!({"OriginAccessControlConfig": {"OriginAccessControlOriginType": "s3", "SigningBehavior": "always", "SigningProtocol": "sigv4"}}),
    );
    let (_, headers) = t
        .find_resources("AWS::CloudFront::ResponseHeadersPolicy")
        .remove(0);
    let security = &headers["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"];
    assert_eq!(
        security["StrictTransportSecurity"]["AccessControlMaxAgeSec"],
        63_072_000
    );
    assert_eq!(security["FrameOptions"]["FrameOption"], "DENY");
    let csp = serde_json::to_string(&security["ContentSecurityPolicy"]).unwrap();
    assert!(
        csp.contains("https://api.example.com") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    // Only the distribution reads the bucket; the bucket is not public.
    let policy = serde_json::to_string(&t.find_resources("AWS::S3::BucketPolicy")).unwrap();
    assert!(
        policy.contains("cloudfront.amazonaws.com") && policy.contains("AWS:SourceArn"),
        "{policy}"
    );
    t.has_resource_properties(
        "AWS::S3::Bucket",
        json!({"PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "RestrictPublicBuckets": true}}),
    );
    // No logs in dev.
    t.resource_count_is("AWS::S3::Bucket", 1);

    assert_eq!(assets.len(), 1);
    assert_eq!(assets[0].packaging, Packaging::Directory);
    assert_eq!(assets[0].object_key, format!("sites/{}/", assets[0].hash));
}

#[test]
fn a_prod_site_logs_and_a_custom_domain_enforces_tls_1_2() {
    let t = build(prod(), |s| {
        StaticSite::new(
            s,
            "Site",
            SiteOptions {
                domain: Some(Domain {
                    name: "www.example.com".into(),
                    hosted_zone_id: "Z1".into(),
                }),
                certificate_arn: Some("arn:aws:acm:us-east-1:123456789012:certificate/x".into()),
                ..SiteOptions::default()
            },
        );
    });
    t.has_resource_properties(
        "AWS::CloudFront::Distribution",
        json!({"DistributionConfig": {
            "Aliases": ["www.example.com"],
            "ViewerCertificate": {"AcmCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/x",
                                  "SslSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021"},
            "Logging": {"Bucket": {"Fn::GetAtt": ["SiteAccessLogs", "RegionalDomainName"]}}
        }}),
    );
    t.has_resource_properties(
        "AWS::Route53::RecordSet",
        json!({"Name": "www.example.com", "AliasTarget": {"HostedZoneId": "Z2FDTNDATAQYW2"}}),
    );

    // Outside us-east-1 a domain without a certificate ARN is an error naming the site.
    let mut stack = Stack::new("web", prod());
    StaticSite::new(
        &mut stack,
        "Site",
        SiteOptions {
            domain: Some(Domain {
                name: "www.example.com".into(),
                hosted_zone_id: "Z1".into(),
            }),
            ..SiteOptions::default()
        },
    );
    assert_eq!(stack.errors().len(), 1);
    assert!(stack.errors()[0].to_string().starts_with("web/Site: "));
}

#[test]
fn a_site_asset_hash_changes_exactly_when_a_file_does() {
    let a = site_dir();
    let b = site_dir();
    let hash = |dir: &tempfile_dir::Dir| directory_asset(dir.path()).unwrap().hash;
    assert_eq!(hash(&a), hash(&b));
    assert_eq!(hash(&a).len(), 64);
    std::fs::write(b.path().join("js/app.js"), "2").unwrap();
    assert_ne!(hash(&a), hash(&b));
    let renamed = tempfile_dir::Dir::new(&[("index.html", "<h1>hi</h1>"), ("js/app2.js", "1")]);
    assert_ne!(hash(&a), hash(&renamed));
    assert!(directory_asset(&a.path().join("missing")).is_err());

    // Hidden files and build output are not part of the site: never published, not hashed.
    let with_secrets = tempfile_dir::Dir::new(&[
        ("index.html", "<h1>hi</h1>"),
        ("js/app.js", "1"),
        (".env", "SECRET=1"),
        (".git/config", "[core]"),
        ("js/.DS_Store", "x"),
        ("target/debug/app", "x"),
    ]);
    assert_eq!(hash(&with_secrets), hash(&a));
}

/// The site's publication is in the manifest (bucket and distribution by logical id, config.json
/// from outputs), so deploy knows what to publish where; a config key reading an output that the
/// stack does not have fails synth, naming the site.
#[test]
fn a_site_records_where_deploy_publishes_it_and_its_config_must_read_real_outputs() {
    let dir = site_dir();
    let synth = |output: &'static str| {
        let mut stack = Stack::new("web", dev());
        let site = StaticSite::new(
            &mut stack,
            "Site",
            SiteOptions {
                source: Some(dir.path().to_owned()),
                ..SiteOptions::default()
            },
        );
        site.config_from_output(&mut stack, "apiUrl", output);
        stack.output("ApiUrl", "https://api.example.com");
        let mut app = StackSet::new("test", dev());
        app.add_stack(stack);
        app.synth()
    };
    let assembly = synth("ApiUrl").unwrap();
    let manifest = assembly.manifest(stackcraft_core::Format::Json);
    let hash = directory_asset(dir.path()).unwrap().hash;
    assert_eq!(
        manifest["stacks"]["web"]["sites"],
        json!([{
            "path": "web/Site",
            "asset": hash,
            "bucket": "SiteBucket",
            "distribution": "SiteDistribution",
            "config": {"apiUrl": "ApiUrl"}
        }])
    );
    let stack = &assembly.stacks[0];
    for logical_id in ["SiteBucket", "SiteDistribution"] {
        assert!(
            stack.template.resources.contains_key(logical_id),
            "{logical_id}"
        );
    }

    let err = synth("ApiURL").unwrap_err().to_string();
    assert!(
        err.contains("web/Site: config.json key \"apiUrl\" reads output \"ApiURL\", which the stack does not have (outputs: ApiUrl)"),
        "{err}"
    );

    // A site without files has no config.json to publish.
    let mut stack = Stack::new("web", dev());
    StaticSite::new(&mut stack, "Empty", SiteOptions::default())
        .config_from_output(&mut stack, "apiUrl", "ApiUrl");
    assert!(stack.sites().is_empty());
    assert_eq!(stack.errors().len(), 1);
    assert!(
        stack.errors()[0]
            .to_string()
            .starts_with("web/Empty: config.json key"),
        "{:?}",
        stack.errors()
    );
}

#[test]
fn database_and_cache_alarms_watch_each_instance_and_node() {
    use stackcraft_constructs::sns::Topic;
    let t = build(prod(), |s| {
        let vpc = Vpc::new(s, "Network");
        let topic = Topic::new(s, "Alarms");
        let db = Database::mysql(s, "Db", &vpc, DatabaseOptions::default());
        db.add_alarms(s, &topic);
        let cache = Redis::new(s, "Cache", &vpc, RedisOptions::default());
        cache.add_alarms(s, &topic);
    });
    // db.t4g.medium: 4 GiB → 341 connections by default; the alarm fires at 80% of that.
    t.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        json!({"MetricName": "DatabaseConnections", "Threshold": 272.0, "Statistic": "Maximum",
               "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": {"Ref": "Db"}}]}),
    );
    t.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        json!({"MetricName": "FreeStorageSpace", "ComparisonOperator": "LessThanThreshold"}),
    );
    for node in ["001", "002"] {
        t.has_resource_properties(
            "AWS::CloudWatch::Alarm",
            json!({"MetricName": "Evictions", "Threshold": 0.0, "Dimensions": [{"Name": "CacheClusterId",
                   "Value": {"Fn::Sub": [format!("${{Group}}-{node}"), {"Group": {"Ref": "Cache"}}]}}]}),
        );
    }
    t.resource_count_is("AWS::CloudWatch::Alarm", 3 + 2 * 3);
}
