//! The queue-counter blueprint as the shipped stackcraft.toml configures it: what prod changes
//! over the cheap environments, and the exact security-group graph.

mod common;

use std::collections::BTreeSet;

use serde_json::{json, Value as Json};
use stackcraft_blueprints::{builtin, Context};
use stackcraft_config::Config;
use stackcraft_core::assertions::TemplateAssertions;
use stackcraft_core::template::Template;
use stackcraft_core::{Stack, StackSet, SynthesizedStack};

use common::*;

/// The `counter` stack of `config` in `env`, synthesized.
fn counter_in(config: &Config, env: &str) -> Template {
    counter_stack_in(config, env).template
}

/// The `counter` stack of `config` in `env`, synthesized, with its assets and sites.
fn counter_stack_in(config: &Config, env: &str) -> SynthesizedStack {
    synthesized(config, "queue-counter", "counter", env)
}

fn counter(env: &str) -> Template {
    counter_in(&shipped(), env)
}

fn lb_attribute(t: &Template, key: &str) -> Json {
    properties(t, "AWS::ElasticLoadBalancingV2::LoadBalancer")[0]["LoadBalancerAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["Key"] == key)
        .map_or(Json::Null, |a| a["Value"].clone())
}

#[test]
fn prod_is_highly_available_and_protected_and_the_others_are_cheap() {
    for env in ["dev", "test", "stage"] {
        let t = counter(env);
        t.resource_count_is("AWS::EC2::Subnet", 6);
        t.resource_count_is("AWS::EC2::NatGateway", 1);
        t.resource_count_is("AWS::EC2::FlowLog", 0);
        t.has_resource(
            "AWS::RDS::DBInstance",
            json!({"Properties": {"MultiAZ": false, "DeletionProtection": false}, "DeletionPolicy": "Delete"}),
        );
        t.has_resource(
            "AWS::ElastiCache::ReplicationGroup",
            json!({"Properties": {"NumCacheClusters": 1, "AutomaticFailoverEnabled": false, "MultiAZEnabled": false},
                   "DeletionPolicy": "Delete"}),
        );
        assert_eq!(
            lb_attribute(&t, "deletion_protection.enabled"),
            "false",
            "{env}"
        );
        assert_eq!(
            lb_attribute(&t, "access_logs.s3.enabled"),
            Json::Null,
            "{env}"
        );
        for (id, group) in t.find_resources("AWS::Logs::LogGroup") {
            assert_eq!(group["Properties"]["RetentionInDays"], 14, "{env} {id}");
            assert_eq!(group["DeletionPolicy"], "Delete", "{env} {id}");
        }
        for (id, bucket) in t.find_resources("AWS::S3::Bucket") {
            assert_eq!(bucket["DeletionPolicy"], "Delete", "{env} {id}");
        }
        for service in properties(&t, "AWS::ECS::Service") {
            assert_eq!(service["DesiredCount"], 1, "{env}");
        }
        t.resource_count_is("AWS::SecretsManager::RotationSchedule", 0);
    }

    let t = counter("prod");
    t.resource_count_is("AWS::EC2::Subnet", 9);
    t.resource_count_is("AWS::EC2::NatGateway", 3);
    t.resource_count_is("AWS::EC2::FlowLog", 1);
    t.has_resource(
        "AWS::RDS::DBInstance",
        json!({"Properties": {"MultiAZ": true, "DeletionProtection": true, "BackupRetentionPeriod": 14},
               "DeletionPolicy": "Snapshot", "UpdateReplacePolicy": "Snapshot"}),
    );
    t.has_resource(
        "AWS::ElastiCache::ReplicationGroup",
        json!({"Properties": {"NumCacheClusters": 2, "AutomaticFailoverEnabled": true, "MultiAZEnabled": true},
               "DeletionPolicy": "Snapshot"}),
    );
    assert_eq!(lb_attribute(&t, "deletion_protection.enabled"), "true");
    assert_eq!(lb_attribute(&t, "access_logs.s3.enabled"), "true");
    let groups = t.find_resources("AWS::Logs::LogGroup");
    assert_eq!(groups.len(), 3, "flow logs and one per task definition");
    for (id, group) in groups {
        assert_eq!(group["Properties"]["RetentionInDays"], 365, "{id}");
        assert_eq!(group["DeletionPolicy"], "Retain", "{id}");
    }
    for (id, bucket) in t.find_resources("AWS::S3::Bucket") {
        assert_eq!(bucket["DeletionPolicy"], "Retain", "{id}");
    }
    for service in properties(&t, "AWS::ECS::Service") {
        assert_eq!(service["DesiredCount"], 3);
    }
    for target in properties(&t, "AWS::ApplicationAutoScaling::ScalableTarget") {
        assert_eq!(target["MinCapacity"], 3);
    }
    t.resource_count_is("AWS::SecretsManager::RotationSchedule", 1);
    // Prod is served over HTTPS at its domains.
    t.has_output(
        "ApiUrl",
        json!({"Value": "https://api.counter.example.com"}),
    );
    t.has_output("SiteUrl", json!({"Value": "https://counter.example.com"}));
    // Without api_domain the API is reached through CloudFront, over HTTPS.
    let dev = counter("dev");
    let site_url =
        json!({"Fn::Join": ["", ["https://", {"Fn::GetAtt": ["SiteDistribution", "DomainName"]}]]});
    dev.has_output("ApiUrl", json!({"Value": site_url}));
    dev.has_output("SiteUrl", json!({"Value": site_url}));
}

#[test]
fn the_security_group_graph_is_exactly_the_described_one() {
    for env in ["dev", "prod"] {
        let t = counter(env);
        let mut expected: BTreeSet<_> = [
            edge("Api", "LoadBalancer", 5080),
            edge("Queue", "Api", 6379),
            edge("Queue", "Worker", 6379),
            edge("Database", "Api", 3306),
            edge("Database", "Worker", 3306),
        ]
        .into();
        if env == "prod" {
            // A certificate (api_domain): HTTPS to everyone at that domain, port 80 redirects.
            expected.insert(edge("LoadBalancer", "0.0.0.0/0", 443));
            expected.insert(edge("LoadBalancer", "0.0.0.0/0", 80));
            // The password rotation function.
            expected.insert(edge("Database", "DatabaseRotation", 3306));
        } else {
            // No domain: only CloudFront's origin-facing servers (eu-central-1), on 80.
            expected.insert(edge("LoadBalancer", "pl-a3a144ca", 80));
        }
        let ingress = ingress_edges(&t);
        assert_eq!(ingress, expected, "{env}");

        // Only the load balancer is open beyond the VPC's groups, on 80/443.
        let outside = |from: &str| from.contains('/') || from.starts_with("pl-");
        for (to, from, port) in &ingress {
            if outside(from) {
                assert!(
                    to == "LoadBalancer" && [80, 443].contains(port),
                    "{env}: {to} {from} {port}"
                );
            }
        }
        // Every edge between groups is allowed on the sending side too.
        let mirrored: BTreeSet<_> = ingress
            .iter()
            .filter(|(_, from, _)| !outside(from))
            .map(|(to, from, port)| (from.clone(), to.clone(), *port))
            .collect();
        assert_eq!(egress_edges(&t), mirrored, "{env}");

        // No group has inline rules or EC2's default allow-all egress.
        for group in properties(&t, "AWS::EC2::SecurityGroup") {
            assert!(group.get("SecurityGroupIngress").is_none(), "{group}");
            assert_eq!(
                group["SecurityGroupEgress"][0]["CidrIp"], "255.255.255.255/32",
                "{group}"
            );
        }
        // Egress to the internet is HTTPS only (AWS APIs through the NAT gateways).
        for rule in properties(&t, "AWS::EC2::SecurityGroupEgress") {
            if let Some(cidr) = rule.get("CidrIp") {
                assert_eq!(cidr, "0.0.0.0/0");
                assert_eq!(rule["FromPort"], 443, "{rule}");
                assert_eq!(rule["ToPort"], 443, "{rule}");
            }
        }
    }
}

#[test]
fn containers_get_secrets_from_secrets_manager_and_nothing_secret_in_their_environment() {
    let t = counter("prod");
    let definitions = properties(&t, "AWS::ECS::TaskDefinition");
    assert_eq!(definitions.len(), 2);
    let mut commands = Vec::new();
    for definition in &definitions {
        for container in definition["ContainerDefinitions"].as_array().unwrap() {
            commands.push(container["Command"][0].as_str().unwrap().to_owned());
            assert_eq!(container["User"], "10001:10001");
            assert_eq!(container["ReadonlyRootFilesystem"], true);
            for var in container["Environment"].as_array().unwrap() {
                let name = var["Name"].as_str().unwrap();
                assert!(
                    !["PASSWORD", "TOKEN", "SECRET", "USER"]
                        .iter()
                        .any(|w| name.contains(w)),
                    "{name} belongs in Secrets"
                );
            }
            let secrets: Vec<&str> = container["Secrets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["Name"].as_str().unwrap())
                .collect();
            // Only the migration has the administrator; the services connect as the app user.
            let expected: &[&str] = if container["Name"] == "migrate" {
                &[
                    "REDIS_PASSWORD",
                    "MYSQL_USER",
                    "MYSQL_PASSWORD",
                    "APP_MYSQL_USER",
                    "APP_MYSQL_PASSWORD",
                ]
            } else {
                &["REDIS_PASSWORD", "APP_MYSQL_USER", "APP_MYSQL_PASSWORD"]
            };
            assert_eq!(secrets, expected, "{}", container["Name"]);
            // Both backends only accept TLS; the app must insist on it, never fall back.
            for flag in ["REDIS_TLS", "MYSQL_TLS"] {
                let set = container["Environment"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|v| v["Name"] == flag && v["Value"] == "true");
                assert!(set, "{flag}=true in {}", container["Name"]);
            }
        }
    }
    commands.sort();
    assert_eq!(commands, ["api", "migrate", "worker"]);
    // The services check themselves with the binary's own probe (no curl in the image).
    for definition in &definitions {
        for container in definition["ContainerDefinitions"].as_array().unwrap() {
            let expected = if container["Name"] == "migrate" {
                Json::Null
            } else {
                json!(["CMD", "/usr/local/bin/counter", "health"])
            };
            assert_eq!(
                container["HealthCheck"]["Command"], expected,
                "{}",
                container["Name"]
            );
        }
    }

    // Execution roles read the queue's token and the app user's secret, and only the worker's
    // (whose migration creates the app user) the administrator's; task roles have no policy.
    for (_, policy) in t.find_resources("AWS::IAM::Policy") {
        let statements = policy["Properties"]["PolicyDocument"]["Statement"]
            .as_array()
            .unwrap()
            .clone();
        for statement in statements {
            let actions = serde_json::to_string(&statement["Action"]).unwrap();
            assert!(!actions.contains('*'), "no wildcard actions: {statement}");
            if actions.contains("secretsmanager:GetSecretValue") {
                let resource = &statement["Resource"];
                let roles = serde_json::to_string(&policy["Properties"]["Roles"]).unwrap();
                let allowed = [
                    json!({"Ref": "QueueAuthToken"}),
                    json!({"Ref": "DatabaseAppUser"}),
                ];
                let admin = *resource == json!({"Ref": "DatabaseSecret"});
                assert!(
                    allowed.contains(resource) || (admin && roles.contains("WorkerTask")),
                    "{statement} for {roles}"
                );
            }
        }
        let roles = serde_json::to_string(&policy["Properties"]["Roles"]).unwrap();
        assert!(!roles.contains("TaskRole"), "{roles}");
    }
}

#[test]
fn the_worker_migrates_the_schema_before_it_starts() {
    let t = counter("dev");
    let worker = properties(&t, "AWS::ECS::TaskDefinition")
        .into_iter()
        .find(|d| d["ContainerDefinitions"].as_array().unwrap().len() == 2)
        .expect("the worker task has the migration step");
    let containers = worker["ContainerDefinitions"].as_array().unwrap();
    assert_eq!(containers[0]["Name"], "migrate");
    assert_eq!(containers[0]["Essential"], false);
    assert_eq!(
        containers[1]["DependsOn"],
        json!([{"ContainerName": "migrate", "Condition": "SUCCESS"}])
    );
    // The worker scales on the queue's depth as well as on CPU.
    t.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        json!({"PolicyName": "QueueScaling", "TargetTrackingScalingPolicyConfiguration": {
            "CustomizedMetricSpecification": {"Namespace": "Counter", "MetricName": "QueueDepth"}}}),
    );
}

#[test]
fn unknown_settings_are_refused_with_their_line() {
    let text = std::fs::read_to_string(repo_root().join("stackcraft.toml"))
        .unwrap()
        .replace(
            "[stacks.counter.settings]\n",
            "[stacks.counter.settings]\nreplicas = 3\n",
        );
    let dir = std::env::temp_dir().join(format!("queue-counter-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("stackcraft.toml");
    std::fs::write(&path, &text).unwrap();
    let config = Config::load(&path).unwrap();
    let environment = config.environment("dev").unwrap();
    let app = StackSet::new("p", environment.clone());
    let ctx = Context {
        config: &config,
        stack: "counter",
        env: "dev",
        stacks: &app,
    };
    let blueprint = builtin()
        .into_iter()
        .find(|b| b.name == "queue-counter")
        .unwrap();
    let mut stack = Stack::new("counter", environment);
    let error = (blueprint.build)(&mut stack, &ctx).unwrap_err().to_string();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(error.contains("replicas"), "{error}");
    let line = text
        .lines()
        .position(|l| l.starts_with("replicas = 3"))
        .unwrap();
    assert!(
        error.contains(&format!(
            "stackcraft.toml:{}: key `stacks.counter.settings.replicas`",
            line + 1
        )),
        "{error}"
    );
}

#[test]
fn alarms_cover_every_tier_and_mail_the_configured_address() {
    for (env, redis_nodes) in [("dev", 1), ("prod", 2)] {
        let t = counter(env);
        let alarms = t.find_resources("AWS::CloudWatch::Alarm");
        let metrics: BTreeSet<String> = alarms
            .iter()
            .map(|(_, a)| {
                format!(
                    "{}/{}",
                    a["Properties"]["Namespace"].as_str().unwrap(),
                    a["Properties"]["MetricName"].as_str().unwrap()
                )
            })
            .collect();
        for expected in [
            "AWS/ApplicationELB/HTTPCode_ELB_5XX_Count",
            "AWS/ApplicationELB/HTTPCode_Target_5XX_Count",
            "AWS/ApplicationELB/TargetResponseTime",
            "AWS/ApplicationELB/UnHealthyHostCount",
            "AWS/ECS/CPUUtilization",
            "AWS/ECS/MemoryUtilization",
            "AWS/RDS/CPUUtilization",
            "AWS/RDS/FreeStorageSpace",
            "AWS/RDS/DatabaseConnections",
            "AWS/ElastiCache/EngineCPUUtilization",
            "AWS/ElastiCache/DatabaseMemoryUsagePercentage",
            "AWS/ElastiCache/Evictions",
            "Counter/QueueDepth",
        ] {
            assert!(metrics.contains(expected), "{env}: no alarm on {expected}");
        }
        // 3 load balancer, 1 target group, 2 × 2 services, 3 database, 3 per Redis node, queue.
        assert_eq!(alarms.len(), 3 + 1 + 4 + 3 + 3 * redis_nodes + 1, "{env}");
        for (id, alarm) in &alarms {
            assert_eq!(
                alarm["Properties"]["AlarmActions"],
                json!([{"Ref": "Alarms"}]),
                "{env} {id}"
            );
        }
        t.has_resource_properties(
            "AWS::SNS::Subscription",
            json!({"Protocol": "email", "Endpoint": "ops@example.com", "TopicArn": {"Ref": "Alarms"}}),
        );
    }
}

/// The contract with the workload has one source (`counter-contract`): every variable a
/// counter container is given is one the binary reads, and each role gets what it needs.
#[test]
fn every_variable_a_container_gets_is_one_the_counter_reads() {
    use counter_contract::env;
    let read: BTreeSet<&str> = env::READ
        .iter()
        .chain(env::READ_BY_LIBRARIES)
        .copied()
        .collect();
    let secret: BTreeSet<&str> = env::SECRETS.iter().copied().collect();
    let common = [
        env::HTTP_PORT,
        env::REDIS_HOST,
        env::REDIS_PORT,
        env::REDIS_PASSWORD,
        env::REDIS_TLS,
        env::REDIS_QUEUE,
        env::MYSQL_DATABASE,
        env::MIGRATE_ON_START,
    ];
    for environment in ["dev", "prod"] {
        let t = counter(environment);
        for definition in properties(&t, "AWS::ECS::TaskDefinition") {
            for container in definition["ContainerDefinitions"].as_array().unwrap() {
                let name = container["Name"].as_str().unwrap();
                let names = |key: &str| -> Vec<String> {
                    container[key]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|v| v["Name"].as_str().unwrap().to_owned())
                        .collect()
                };
                let (plain, secrets) = (names("Environment"), names("Secrets"));
                for var in plain.iter().chain(&secrets) {
                    assert!(
                        read.contains(var.as_str()),
                        "{name} is given {var}, which the counter never reads"
                    );
                }
                for var in &plain {
                    assert!(
                        !secret.contains(var.as_str()),
                        "{name}: {var} is a secret, set in plain text"
                    );
                }
                let given: BTreeSet<&str> =
                    plain.iter().chain(&secrets).map(String::as_str).collect();
                let mut required: Vec<&str> = common.to_vec();
                required.extend([env::MYSQL_HOST, env::MYSQL_PORT, env::MYSQL_TLS]);
                required.extend([env::APP_MYSQL_USER, env::APP_MYSQL_PASSWORD]);
                if name == "migrate" {
                    required.extend([env::MYSQL_USER, env::MYSQL_PASSWORD]);
                } else {
                    assert!(
                        !given.contains(env::MYSQL_USER),
                        "{name} must not get the administrator"
                    );
                }
                for var in required {
                    assert!(given.contains(var), "{name} in {environment} lacks {var}");
                }
            }
        }
    }
}

/// Deploy publishes the web page into the site bucket with `config.json` = `{"apiUrl": SiteUrl}`
/// (the page calls its own origin, which routes the API's paths):
/// the publication names the stack's own bucket, distribution and output.
#[test]
fn the_web_page_is_published_with_its_api_url_from_the_outputs() {
    let stack = counter_stack_in(&shipped(), "dev");
    assert_eq!(stack.sites.len(), 1);
    let site = &stack.sites[0];
    assert_eq!(site.path, "counter/Site");
    assert_eq!(
        site.config.iter().collect::<Vec<_>>(),
        [(&"apiUrl".to_owned(), &"SiteUrl".to_owned())]
    );
    let t = &stack.template;
    assert_eq!(t.resources[&site.bucket].type_, "AWS::S3::Bucket");
    assert_eq!(
        t.resources[&site.distribution].type_,
        "AWS::CloudFront::Distribution"
    );
    assert!(t.outputs.contains_key("SiteUrl"));
    let asset = stack.assets.iter().find(|a| a.hash == site.asset).unwrap();
    assert!(asset.source.join("index.html").exists(), "{asset:?}");
}

/// The shipped configuration with `lines` added to the counter's settings.
fn shipped_with(lines: &str) -> Config {
    let path = repo_root().join("stackcraft.toml");
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "[stacks.counter.settings]\n",
        &format!("[stacks.counter.settings]\n{lines}\n"),
    );
    Config::parse(&text, &path).unwrap()
}

/// Note 4 of the seed (mixed content): the API's paths go through the site's distribution to
/// the load balancer (nothing cached, every method, the viewer's headers but Host), HTTP to a
/// load balancer without a certificate, HTTPS to the API's domain; no error page rewrites the
/// API's answers.
#[test]
fn the_api_paths_reach_the_load_balancer_through_the_site_distribution() {
    for (env, protocol, domain) in [
        (
            "dev",
            "http-only",
            json!({"Fn::GetAtt": ["LoadBalancer", "DNSName"]}),
        ),
        ("prod", "https-only", json!("api.counter.example.com")),
    ] {
        let t = counter(env);
        let (_, d) = t.find_resources("AWS::CloudFront::Distribution").remove(0);
        let config = &d["Properties"]["DistributionConfig"];
        let origins = config["Origins"].as_array().unwrap();
        assert_eq!(origins.len(), 2, "{env}");
        assert_eq!(origins[0]["Id"], "SiteBucket");
        assert_eq!(origins[1]["Id"], "LoadBalancer");
        assert_eq!(origins[1]["DomainName"], domain, "{env}");
        assert_eq!(
            origins[1]["CustomOriginConfig"]["OriginProtocolPolicy"], protocol,
            "{env}"
        );
        let paths: Vec<&str> = config["CacheBehaviors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["PathPattern"].as_str().unwrap())
            .collect();
        assert_eq!(paths, ["/count", "/health", "/openapi.json"], "{env}");
        for b in config["CacheBehaviors"].as_array().unwrap() {
            assert_eq!(b["TargetOriginId"], "LoadBalancer");
            assert_eq!(
                b["CachePolicyId"], "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
                "CachingDisabled"
            );
            assert_eq!(
                b["OriginRequestPolicyId"], "b689b0a8-53d0-40ab-baf2-68738e2966ac",
                "AllViewerExceptHostHeader"
            );
            assert_eq!(b["AllowedMethods"].as_array().unwrap().len(), 7, "{b}");
            assert_eq!(b["ViewerProtocolPolicy"], "redirect-to-https");
            assert_eq!(
                b["ResponseHeadersPolicyId"],
                json!({"Fn::GetAtt": ["SiteSecurityHeaders", "Id"]})
            );
        }
        assert_eq!(
            config["DefaultCacheBehavior"]["TargetOriginId"],
            "SiteBucket"
        );
        assert!(
            config.get("CustomErrorResponses").is_none(),
            "{env}: {config}"
        );
    }
}

/// Todo 6: Redis that scales. The default stays a replication group (the queue is one stream
/// on the primary); `redis.mode = "serverless"` makes it ElastiCache Serverless with its
/// limits, and the services connect to it the same way.
#[test]
fn redis_is_a_replication_group_by_default_and_serverless_as_a_setting() {
    let t = counter("dev");
    t.resource_count_is("AWS::ElastiCache::ReplicationGroup", 1);
    t.resource_count_is("AWS::ElastiCache::ServerlessCache", 0);

    let config = shipped_with(
        "redis = { mode = \"serverless\", max_storage_gb = 5, max_ecpu_per_second = 5000 }",
    );
    for env in ["dev", "prod"] {
        let t = counter_in(&config, env);
        t.resource_count_is("AWS::ElastiCache::ReplicationGroup", 0);
        t.has_resource_properties(
            "AWS::ElastiCache::ServerlessCache",
            json!({"Engine": "redis", "UserGroupId": {"Ref": "QueueUserGroup"},
                   "CacheUsageLimits": {"DataStorage": {"Unit": "GB", "Maximum": 5},
                                        "ECPUPerSecond": {"Maximum": 5000}}}),
        );
        let text = serde_json::to_string(&properties(&t, "AWS::ECS::TaskDefinition")).unwrap();
        assert!(
            text.contains(r#"{"Fn::GetAtt":["Queue","Endpoint.Address"]}"#),
            "{env}"
        );
        // Still only the services reach it.
        let redis: BTreeSet<_> = ingress_edges(&t)
            .into_iter()
            .filter(|(to, _, _)| to == "Queue")
            .collect();
        assert_eq!(
            redis,
            [edge("Queue", "Api", 6379), edge("Queue", "Worker", 6379)].into(),
            "{env}"
        );
    }

    // Limits of a serverless cache on a replication group are an error naming the queue.
    let config = shipped_with("redis = { max_storage_gb = 5 }");
    let environment = config.environment("dev").unwrap();
    let app = StackSet::new("p", environment.clone());
    let ctx = Context {
        config: &config,
        stack: "counter",
        env: "dev",
        stacks: &app,
    };
    let blueprint = builtin()
        .into_iter()
        .find(|b| b.name == "queue-counter")
        .unwrap();
    let mut stack = Stack::new("counter", environment);
    stack.set_source_dir(&config.root());
    (blueprint.build)(&mut stack, &ctx).unwrap();
    let errors: Vec<String> = stack.errors().iter().map(|e| e.to_string()).collect();
    assert_eq!(
        errors,
        ["counter/Queue: redis.max_storage_gb and redis.max_ecpu_per_second limit a serverless cache: set redis.mode = \"serverless\""]
    );
}
