//! The container-platform blueprint as the shipped stackcraft.toml configures it: the seed's
//! DNS records, the tiers, what prod changes, the exact security-group graph and the exact
//! permissions of Jenkins.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{json, Value as Json};
use stackcraft_blueprints::{builtin, Context};
use stackcraft_config::Config;
use stackcraft_core::assertions::TemplateAssertions;
use stackcraft_core::template::Template;

use common::*;
use stackcraft_core::{Stack, StackSet};

/// The `platform` stack of `config` in `env`, synthesized.
fn platform_in(config: &Config, env: &str) -> Template {
    synth_stack(config, "container-platform", "platform", env)
}

fn platform(env: &str) -> Template {
    platform_in(&shipped(), env)
}

/// A configuration with `settings` (TOML) as the platform's settings.
fn configured(settings: &str) -> Config {
    let text = format!(
        "[project]\nname = \"shop\"\n\n[environments.dev]\nregion = \"eu-west-1\"\ncidr = \"10.0.0.0/16\"\n\n[stacks.platform]\nblueprint = \"container-platform\"\n\n[stacks.platform.settings]\n{settings}\n"
    );
    Config::parse(&text, Path::new("stackcraft.toml")).unwrap()
}

#[test]
fn the_private_zone_has_exactly_the_seeds_records() {
    let t = platform("dev");
    t.has_resource_properties(
        "AWS::Route53::HostedZone",
        json!({"Name": "stackcraft-demo.internal",
               "VPCs": [{"VPCId": {"Ref": "Network"}, "VPCRegion": {"Ref": "AWS::Region"}}]}),
    );
    let records: BTreeSet<(String, String, String)> = properties(&t, "AWS::Route53::RecordSet")
        .into_iter()
        .map(|r| {
            assert_eq!(r["HostedZoneId"], json!({"Ref": "PrivateZone"}), "{r}");
            (
                r["Name"].as_str().unwrap().to_owned(),
                r["Type"].as_str().unwrap().to_owned(),
                r["ResourceRecords"][0].to_string(),
            )
        })
        .collect();
    let record = |name: &str, kind: &str, target: Json| {
        (name.to_owned(), kind.to_owned(), target.to_string())
    };
    let expected: BTreeSet<_> = [
        record(
            "db.eu-central-1.stackcraft-demo.internal",
            "CNAME",
            json!({"Fn::GetAtt": ["Database", "Endpoint.Address"]}),
        ),
        record(
            "media.efs.eu-central-1.stackcraft-demo.internal",
            "CNAME",
            json!({"Fn::Sub": ["${FileSystem}.efs.${AWS::Region}.${AWS::URLSuffix}", {"FileSystem": {"Ref": "Media"}}]}),
        ),
        record(
            "redis-cache.eu-central-1.stackcraft-demo.internal",
            "CNAME",
            json!({"Fn::GetAtt": ["Cache", "PrimaryEndPoint.Address"]}),
        ),
        record(
            "redis-session.eu-central-1.stackcraft-demo.internal",
            "CNAME",
            json!({"Fn::GetAtt": ["Session", "PrimaryEndPoint.Address"]}),
        ),
        record(
            "jenkins.eu-central-1.stackcraft-demo.internal",
            "A",
            json!({"Fn::GetAtt": ["JenkinsServer", "PrivateIp"]}),
        ),
    ]
    .into();
    assert_eq!(records, expected);
    t.has_output(
        "PrivateZoneName",
        json!({"Value": "stackcraft-demo.internal"}),
    );
    t.has_output(
        "JenkinsUrl",
        json!({"Value": "http://jenkins.eu-central-1.stackcraft-demo.internal:8080"}),
    );

    // The zone name is a setting.
    let t = platform_in(&configured("zone = \"magecloudkit\""), "dev");
    let names: BTreeSet<String> = properties(&t, "AWS::Route53::RecordSet")
        .iter()
        .map(|r| r["Name"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        names.contains("db.eu-west-1.magecloudkit.internal"),
        "{names:?}"
    );
}

#[test]
fn three_tiers_in_three_zones_and_prod_is_highly_available_and_protected() {
    for env in ["dev", "test", "stage"] {
        let t = platform(env);
        t.resource_count_is("AWS::EC2::Subnet", 6);
        t.resource_count_is("AWS::EC2::NatGateway", 1);
        t.resource_count_is("AWS::RDS::DBCluster", 1);
        t.resource_count_is("AWS::RDS::DBInstance", 1);
        t.has_resource(
            "AWS::RDS::DBCluster",
            json!({"Properties": {"DeletionProtection": false, "BackupRetentionPeriod": 1, "StorageEncrypted": true},
                   "DeletionPolicy": "Delete"}),
        );
        for cache in properties(&t, "AWS::ElastiCache::ReplicationGroup") {
            assert_eq!(cache["MultiAZEnabled"], false, "{env}");
            assert_eq!(cache["NumCacheClusters"], 1, "{env}");
        }
        t.has_resource_properties(
            "AWS::EFS::FileSystem",
            json!({"Encrypted": true, "BackupPolicy": {"Status": "DISABLED"}}),
        );
        t.resource_count_is("AWS::EFS::MountTarget", 2);
        t.has_resource("AWS::EC2::Volume", json!({"DeletionPolicy": "Delete"}));
    }

    let t = platform("prod");
    // Three tiers × three zones.
    t.resource_count_is("AWS::EC2::Subnet", 9);
    let subnets = t.find_resources("AWS::EC2::Subnet");
    for tier in ["Public", "Private", "Isolated"] {
        for zone in 1..=3 {
            assert!(
                subnets
                    .iter()
                    .any(|(id, _)| *id == format!("Network{tier}Subnet{zone}")),
                "{tier} {zone}"
            );
        }
    }
    t.resource_count_is("AWS::EC2::NatGateway", 3);
    // A writer and a reader in another zone.
    let instances = properties(&t, "AWS::RDS::DBInstance");
    assert_eq!(instances.len(), 2);
    assert_ne!(
        instances[0]["AvailabilityZone"],
        instances[1]["AvailabilityZone"]
    );
    t.has_resource(
        "AWS::RDS::DBCluster",
        json!({"Properties": {"DeletionProtection": true, "BackupRetentionPeriod": 14},
               "DeletionPolicy": "Snapshot", "UpdateReplacePolicy": "Snapshot"}),
    );
    for cache in properties(&t, "AWS::ElastiCache::ReplicationGroup") {
        assert_eq!(cache["MultiAZEnabled"], true);
        assert_eq!(cache["AutomaticFailoverEnabled"], true);
    }
    t.has_resource_properties(
        "AWS::EFS::FileSystem",
        json!({"BackupPolicy": {"Status": "ENABLED"}}),
    );
    t.resource_count_is("AWS::EFS::MountTarget", 3);
    t.has_resource("AWS::EC2::Volume", json!({"DeletionPolicy": "Snapshot"}));
    // One app server per zone to start with.
    for group in properties(&t, "AWS::AutoScaling::AutoScalingGroup") {
        assert_eq!(group["DesiredCapacity"], "3", "{group}");
    }
}

#[test]
fn the_security_group_graph_is_exactly_the_described_one() {
    let t = platform("dev");
    let mut expected = BTreeSet::new();
    for app in ["Magento", "Admin"] {
        let lb = format!("{app}LoadBalancer");
        let service = format!("{app}Service");
        expected.insert(edge(&lb, "0.0.0.0/0", 80));
        expected.insert(edge(&service, &lb, 8080));
        expected.insert(edge("Database", &service, 3306));
        expected.insert(edge("Cache", &service, 6379));
        expected.insert(edge("Session", &service, 6379));
        expected.insert(edge("Media", &service, 2049));
    }
    for servers in ["AppServers", "AdminServers", "Jenkins"] {
        expected.insert(edge(servers, "Bastion", 22));
    }
    assert_eq!(ingress_edges(&t), expected);

    // Egress to the internet is HTTPS only.
    for rule in properties(&t, "AWS::EC2::SecurityGroupEgress") {
        if rule.get("CidrIp").is_some() {
            assert_eq!(rule["FromPort"], 443, "{rule}");
        }
    }
    // Prod adds HTTPS on the load balancers and the password rotation function.
    let t = platform("prod");
    let edges = ingress_edges(&t);
    assert!(edges.contains(&edge("MagentoLoadBalancer", "0.0.0.0/0", 443)));
    assert!(edges.contains(&edge("Database", "DatabaseRotation", 3306)));
}

#[test]
fn jenkins_may_push_the_apps_images_and_roll_their_services_and_nothing_else() {
    let t = platform("dev");
    let policies = t.find_resources("AWS::IAM::Policy");
    let (_, policy) = policies
        .iter()
        .find(|(id, _)| id.starts_with("JenkinsRole"))
        .expect("Jenkins has a policy");
    let statements = policy["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap();
    let mut granted: BTreeSet<(String, String)> = BTreeSet::new();
    for statement in statements {
        assert_eq!(statement["Effect"], "Allow");
        let actions: Vec<String> = match &statement["Action"] {
            Json::String(a) => vec![a.clone()],
            Json::Array(a) => a.iter().map(|a| a.as_str().unwrap().to_owned()).collect(),
            other => panic!("{other}"),
        };
        let resources: Vec<Json> = match &statement["Resource"] {
            Json::Array(r) => r.clone(),
            r => vec![r.clone()],
        };
        for action in actions {
            for resource in &resources {
                granted.insert((action.clone(), resource.to_string()));
            }
        }
    }
    let mut expected = BTreeSet::new();
    expected.insert(("ecr:GetAuthorizationToken".to_owned(), "\"*\"".to_owned()));
    // One repository per image the platform builds: nginx and PHP-FPM of both apps.
    for repository in [
        "MagentoNginxImages",
        "MagentoPhpFpmImages",
        "AdminNginxImages",
        "AdminPhpFpmImages",
    ] {
        for action in [
            "ecr:BatchCheckLayerAvailability",
            "ecr:BatchGetImage",
            "ecr:CompleteLayerUpload",
            "ecr:InitiateLayerUpload",
            "ecr:PutImage",
            "ecr:UploadLayerPart",
        ] {
            expected.insert((
                action.to_owned(),
                json!({"Fn::GetAtt": [repository, "Arn"]}).to_string(),
            ));
        }
    }
    for service in ["MagentoService", "AdminService"] {
        for action in ["ecs:DescribeServices", "ecs:UpdateService"] {
            expected.insert((action.to_owned(), json!({"Ref": service}).to_string()));
        }
    }
    assert_eq!(granted, expected);
    // Besides: the SSM agent's managed policy, nothing attached.
    t.has_resource_properties(
        "AWS::IAM::Role",
        json!({"ManagedPolicyArns": [{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"}]}),
    );
}

#[test]
fn instances_are_hardened() {
    let t = platform("prod");
    let templates = properties(&t, "AWS::EC2::LaunchTemplate");
    assert_eq!(
        templates.len(),
        4,
        "bastion, two clusters' app servers, Jenkins"
    );
    for template in templates {
        let data = &template["LaunchTemplateData"];
        assert_eq!(data["MetadataOptions"]["HttpTokens"], "required");
        assert_eq!(data["BlockDeviceMappings"][0]["Ebs"]["Encrypted"], true);
        assert!(data.get("NetworkInterfaces").is_none());
        let script = data["UserData"]["Fn::Base64"].to_string();
        assert!(script.contains("dnf-automatic"), "{script}");
        assert!(script.contains("amazon-ssm-agent"), "{script}");
    }
    for instance in properties(&t, "AWS::EC2::Instance") {
        assert!(instance.get("NetworkInterfaces").is_none(), "{instance}");
    }
    t.has_resource_properties("AWS::EC2::Volume", json!({"Encrypted": true}));
}

#[test]
fn the_app_servers_are_ecs_capacity_with_managed_scaling_and_draining() {
    let t = platform("dev");
    t.resource_count_is("AWS::ECS::Cluster", 2);
    t.resource_count_is("AWS::ECS::CapacityProvider", 2);
    for provider in properties(&t, "AWS::ECS::CapacityProvider") {
        let asg = &provider["AutoScalingGroupProvider"];
        assert_eq!(asg["ManagedScaling"]["Status"], "ENABLED");
        assert_eq!(asg["ManagedTerminationProtection"], "ENABLED");
        assert_eq!(asg["ManagedDraining"], "ENABLED");
    }
    for (_, group) in t.find_resources("AWS::AutoScaling::AutoScalingGroup") {
        assert_eq!(
            group["Properties"]["NewInstancesProtectedFromScaleIn"],
            true
        );
        assert!(group["UpdatePolicy"]["AutoScalingRollingUpdate"].is_object());
    }
    for service in properties(&t, "AWS::ECS::Service") {
        assert!(service.get("LaunchType").is_none(), "{service}");
        assert_eq!(
            service["DeploymentConfiguration"]["DeploymentCircuitBreaker"],
            json!({"Enable": true, "Rollback": true})
        );
        assert!(
            service["CapacityProviderStrategy"][0]["CapacityProvider"]["Ref"]
                .as_str()
                .is_some()
        );
    }
    // Tasks mount the media through the access point, with TLS and IAM.
    for task in properties(&t, "AWS::ECS::TaskDefinition") {
        assert_eq!(task["RequiresCompatibilities"], json!(["EC2"]));
        let efs = &task["Volumes"][1]["EFSVolumeConfiguration"];
        assert_eq!(efs["TransitEncryption"], "ENABLED");
        assert_eq!(efs["AuthorizationConfig"]["IAM"], "ENABLED");
        // Secrets come from Secrets Manager, nothing secret in the environment.
        for container in task["ContainerDefinitions"].as_array().unwrap() {
            for var in container["Environment"].as_array().into_iter().flatten() {
                assert!(!var["Name"].as_str().unwrap().contains("PASSWORD"), "{var}");
            }
        }
    }
}

#[test]
fn two_app_clusters_when_configured_and_one_by_default() {
    let t = platform_in(&configured(""), "dev");
    t.resource_count_is("AWS::ECS::Cluster", 1);
    t.resource_count_is("AWS::ECS::Service", 1);
    t.has_output("MagentoUrl", json!({}));

    let t = platform_in(
        &configured(
            "[[stacks.platform.settings.apps]]\nname = \"shop\"\n\n[[stacks.platform.settings.apps]]\nname = \"admin\"\ncluster = \"admin\"\n",
        ),
        "dev",
    );
    t.resource_count_is("AWS::ECS::Cluster", 2);
    t.resource_count_is("AWS::AutoScaling::AutoScalingGroup", 2);
    let services = properties(&t, "AWS::ECS::Service");
    let clusters: BTreeSet<String> = services
        .iter()
        .map(|s| s["Cluster"]["Ref"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        clusters,
        ["AdminCluster".to_owned(), "AppCluster".to_owned()].into()
    );
}

#[test]
fn memcached_is_a_setting() {
    let t = platform_in(&configured("cache = \"memcached\""), "dev");
    t.resource_count_is("AWS::ElastiCache::CacheCluster", 1);
    t.resource_count_is("AWS::ElastiCache::ReplicationGroup", 1);
    t.has_resource_properties(
        "AWS::ElastiCache::CacheCluster",
        json!({"Engine": "memcached", "TransitEncryptionEnabled": true}),
    );
}

#[test]
fn settings_that_disagree_are_refused_with_their_place() {
    let config = configured("[stacks.platform.settings.clusters.nobody]\nmin = 1\n");
    let environment = config.environment("dev").unwrap();
    let app = StackSet::new("shop", environment.clone());
    let ctx = Context {
        config: &config,
        stack: "platform",
        env: "dev",
        stacks: &app,
    };
    let blueprint = builtin()
        .into_iter()
        .find(|b| b.name == "container-platform")
        .unwrap();
    let mut stack = Stack::new("platform", environment);
    let error = (blueprint.build)(&mut stack, &ctx).unwrap_err().to_string();
    assert!(
        error.contains("no app runs on cluster \"nobody\""),
        "{error}"
    );
}
