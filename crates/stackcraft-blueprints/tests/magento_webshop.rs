//! The magento-webshop blueprint as the shipped stackcraft.toml configures it: the seed's tiers,
//! what prod changes, the exact security-group graph, the exact permissions of every role, a boot
//! script without secrets, CloudFront's behaviours per path, the moderation wiring and the image
//! pipeline.

mod common;

use std::collections::BTreeSet;

use moderation::contract;
use serde_json::{json, Value as Json};
use stackcraft_blueprints::{builtin, Context};
use stackcraft_config::Config;
use stackcraft_constructs::ec2::prefix_list;
use stackcraft_core::assertions::TemplateAssertions;
use stackcraft_core::template::Template;
use stackcraft_core::{Stack, StackSet};

use common::*;

fn shop_in(config: &Config, env: &str) -> Template {
    synth_stack(config, "magento-webshop", "shop", env)
}

fn shop(env: &str) -> Template {
    shop_in(&shipped(), env)
}

/// A configuration with `settings` (TOML) as the shop's settings.
fn configured(settings: &str) -> Config {
    let text = format!(
        "[project]\nname = \"demo\"\n\n[environments.dev]\nregion = \"eu-west-1\"\ncidr = \"10.0.0.0/16\"\n\n[environments.prod]\nregion = \"eu-west-1\"\n\n[stacks.shop]\nblueprint = \"magento-webshop\"\n\n[stacks.shop.settings]\n{settings}\n"
    );
    // Rooted at the repository, where the moderation workload is built from.
    Config::parse(&text, &repo_root().join("stackcraft.toml")).unwrap()
}

/// The error building the shop with `settings` gives.
fn refused(settings: &str) -> String {
    let config = configured(settings);
    let environment = config.environment("dev").unwrap();
    let app = StackSet::new("demo", environment.clone());
    let ctx = Context {
        config: &config,
        stack: "shop",
        env: "dev",
        stacks: &app,
    };
    let blueprint = builtin()
        .into_iter()
        .find(|b| b.name == "magento-webshop")
        .unwrap();
    let mut stack = Stack::new("shop", environment);
    (blueprint.build)(&mut stack, &ctx)
        .expect_err("refused")
        .to_string()
}

/// Every (action, resource) an IAM policy of `role` allows.
fn granted(t: &Template, role: &str) -> BTreeSet<(String, String)> {
    let mut granted = BTreeSet::new();
    for (_, policy) in t.find_resources("AWS::IAM::Policy") {
        let roles = &policy["Properties"]["Roles"];
        if !roles
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == &json!({"Ref": role}))
        {
            continue;
        }
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
            .as_array()
            .unwrap()
        {
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
                // The project's KMS grants name GenerateDataKey* (its two variants) on one key.
                assert!(
                    !action.contains('*') || action == "kms:GenerateDataKey*",
                    "no wildcard action: {action}"
                );
                for resource in &resources {
                    granted.insert((action.clone(), resource.to_string()));
                }
            }
        }
    }
    granted
}

fn grants(actions: &[&str], resource: Json) -> BTreeSet<(String, String)> {
    actions
        .iter()
        .map(|a| ((*a).to_owned(), resource.to_string()))
        .collect()
}

/// The web servers' boot script, decoded from the launch template (its lines, with the
/// template expressions they hold as JSON).
fn boot_script(t: &Template) -> String {
    let templates = t.find_resources("AWS::EC2::LaunchTemplate");
    let (_, template) = templates
        .iter()
        .find(|(id, _)| *id == "WebServersLaunchTemplate")
        .expect("the web servers' launch template");
    template["Properties"]["LaunchTemplateData"]["UserData"].to_string()
}

#[test]
fn two_zones_of_three_tiers_and_prod_is_highly_available_and_protected() {
    for env in ["dev", "test", "stage"] {
        let t = shop(env);
        t.resource_count_is("AWS::EC2::Subnet", 6);
        t.resource_count_is("AWS::EC2::NatGateway", 1);
        t.resource_count_is("AWS::EC2::EIP", 1);
        t.has_resource(
            "AWS::RDS::DBInstance",
            json!({"Properties": {"MultiAZ": false, "DBInstanceClass": "db.t4g.micro",
                                  "DeletionProtection": false, "BackupRetentionPeriod": 1,
                                  "StorageEncrypted": true, "PubliclyAccessible": false},
                   "DeletionPolicy": "Delete"}),
        );
        let media = t.find_resources("AWS::S3::Bucket");
        let (_, bucket) = media.iter().find(|(id, _)| *id == "Media").unwrap();
        assert!(bucket["Properties"]
            .get("VersioningConfiguration")
            .is_none());
        assert_eq!(bucket["DeletionPolicy"], "Delete");
        t.resource_count_is("AWS::ImageBuilder::ImagePipeline", 0);
    }

    let t = shop("prod");
    // Three zones as configured, each with its three tiers and its NAT gateway.
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
    t.resource_count_is("AWS::EC2::EIP", 3);
    for nat in properties(&t, "AWS::EC2::NatGateway") {
        let subnet = nat["SubnetId"]["Ref"].as_str().unwrap();
        assert!(subnet.starts_with("NetworkPublicSubnet"), "{subnet}");
    }
    t.has_resource(
        "AWS::RDS::DBInstance",
        json!({"Properties": {"MultiAZ": true, "DBInstanceClass": "db.t4g.medium",
                              "DeletionProtection": true, "BackupRetentionPeriod": 14},
               "DeletionPolicy": "Snapshot", "UpdateReplacePolicy": "Snapshot"}),
    );
    let media = t.find_resources("AWS::S3::Bucket");
    let (_, bucket) = media.iter().find(|(id, _)| *id == "Media").unwrap();
    assert_eq!(
        bucket["Properties"]["VersioningConfiguration"]["Status"],
        "Enabled"
    );
    assert_eq!(bucket["DeletionPolicy"], "Retain");
    // The database is in the isolated subnets; its TLS is required.
    t.has_resource_properties(
        "AWS::RDS::DBSubnetGroup",
        json!({"SubnetIds": [{"Ref": "NetworkIsolatedSubnet1"}, {"Ref": "NetworkIsolatedSubnet2"}, {"Ref": "NetworkIsolatedSubnet3"}]}),
    );
    t.has_resource_properties(
        "AWS::RDS::DBParameterGroup",
        json!({"Parameters": {"require_secure_transport": "1"}}),
    );
    // One web server per zone to start with, replaced one at a time.
    let groups = t.find_resources("AWS::AutoScaling::AutoScalingGroup");
    let (_, group) = groups.iter().find(|(id, _)| *id == "WebServers").unwrap();
    assert_eq!(group["Properties"]["DesiredCapacity"], "3");
    assert_eq!(group["Properties"]["HealthCheckType"], "ELB");
    assert_eq!(
        group["Properties"]["VPCZoneIdentifier"],
        json!([{"Ref": "NetworkPrivateSubnet1"}, {"Ref": "NetworkPrivateSubnet2"}, {"Ref": "NetworkPrivateSubnet3"}])
    );
    assert_eq!(
        group["UpdatePolicy"]["AutoScalingRollingUpdate"]["MaxBatchSize"],
        1
    );
}

#[test]
fn the_security_group_graph_is_exactly_the_described_one() {
    let t = shop("dev");
    // The load balancer admits CloudFront's origin-facing servers only.
    let cloudfront = prefix_list::cloudfront_origin_facing("eu-central-1").unwrap();
    let expected: BTreeSet<_> = [
        edge("LoadBalancer", cloudfront, 80),
        edge("WebServers", "LoadBalancer", 80),
        edge("WebServers", "Bastion", 22),
        edge("Database", "WebServers", 3306),
        edge("Database", "Bastion", 3306),
    ]
    .into();
    assert_eq!(ingress_edges(&t), expected);
    let egress: BTreeSet<_> = [
        edge("LoadBalancer", "WebServers", 80),
        edge("WebServers", "Database", 3306),
        edge("Bastion", "Database", 3306),
        edge("Bastion", "WebServers", 22),
    ]
    .into();
    assert_eq!(egress_edges(&t), egress);
    // To the internet: HTTPS only.
    for rule in properties(&t, "AWS::EC2::SecurityGroupEgress") {
        if rule.get("CidrIp").is_some() {
            assert_eq!(rule["FromPort"], 443, "{rule}");
        }
    }

    // SSH from the operators' ranges only when they are named.
    let t = shop_in(&configured("ssh_from = [\"203.0.113.0/24\"]"), "dev");
    assert!(ingress_edges(&t).contains(&edge("Bastion", "203.0.113.0/24", 22)));
    let t = shop_in(&configured(""), "dev");
    assert!(!ingress_edges(&t).iter().any(|(to, _, _)| to == "Bastion"));
}

#[test]
fn every_role_has_exactly_its_grants() {
    let t = shop("dev");
    let objects = |pattern: &str| json!({"Fn::Sub": [format!("${{Bucket}}/{pattern}"), {"Bucket": {"Fn::GetAtt": ["Media", "Arn"]}}]});

    // Web servers: their three secrets, the media bucket's objects and listing.
    let mut web = BTreeSet::new();
    for secret in ["DatabaseSecret", "CryptKey", "AdminCredentials"] {
        web.extend(grants(
            &[
                "secretsmanager:DescribeSecret",
                "secretsmanager:GetSecretValue",
            ],
            json!({"Ref": secret}),
        ));
    }
    web.extend(grants(
        &[
            "s3:AbortMultipartUpload",
            "s3:DeleteObject",
            "s3:GetObject",
            "s3:PutObject",
        ],
        objects("*"),
    ));
    web.extend(grants(
        &["s3:ListBucket"],
        json!({"Fn::GetAtt": ["Media", "Arn"]}),
    ));
    assert_eq!(granted(&t, "WebServersRole"), web);

    // The moderation function: the contract's actions on the media objects, Rekognition,
    // passing the video role, its own logs, traces and dead letters.
    let function = granted(&t, "ModerationServiceRole");
    let mut expected = grants(contract::iam::S3_OBJECT_ACTIONS, objects("*"));
    expected.extend(grants(contract::iam::REKOGNITION_ACTIONS, json!("*")));
    expected.extend(grants(
        &[contract::iam::PASS_ROLE],
        json!({"Fn::GetAtt": ["VideoModerationRole", "Arn"]}),
    ));
    expected.extend(grants(
        &["xray:PutTelemetryRecords", "xray:PutTraceSegments"],
        json!("*"),
    ));
    expected.extend(grants(
        &["sqs:SendMessage"],
        json!({"Fn::GetAtt": ["ModerationDeadLetters", "Arn"]}),
    ));
    let logs: BTreeSet<_> = function
        .iter()
        .filter(|(a, _)| a.starts_with("logs:"))
        .cloned()
        .collect();
    assert!(!logs.is_empty());
    expected.extend(logs);
    assert_eq!(function, expected);
    // PassRole only to Rekognition.
    let policy = t
        .find_resources("AWS::IAM::Policy")
        .into_iter()
        .find(|(id, _)| id.starts_with("ModerationServiceRole"))
        .unwrap()
        .1;
    let pass = policy["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Action"] == "iam:PassRole")
        .unwrap()
        .clone();
    assert_eq!(
        pass["Condition"],
        json!({"StringEquals": {"iam:PassedToService": "rekognition.amazonaws.com"}})
    );

    // Rekognition Video: publish its completions (with the topic's key).
    let video = granted(&t, "VideoModerationRole");
    assert!(video.contains(&(
        "sns:Publish".to_owned(),
        json!({"Ref": "VideoModeration"}).to_string()
    )));
    assert!(video
        .iter()
        .all(|(a, _)| a == "sns:Publish" || a.starts_with("kms:")));

    // The bastion: Session Manager's managed policy, nothing else.
    assert!(granted(&t, "BastionRole").is_empty());
}

#[test]
fn the_boot_script_reads_the_secrets_at_boot_and_holds_none() {
    let t = shop("prod");
    let script = boot_script(&t);
    // What Magento needs is installed.
    for needle in [
        "nginx",
        "php8.3-fpm",
        "php8.3-intl",
        "php8.3-bcmath",
        "php8.3-soap",
        "pecl install zip",
        "https://getcomposer.org/installer",
        "sha384sum -c",
        "magento/project-community-edition=2.4.8",
        "setup:install",
        "--remote-storage-driver=aws-s3",
        "--session-save=db",
        "--db-ssl-verify",
    ] {
        assert!(script.contains(needle), "{needle} in the boot script");
    }
    // Secrets are fetched at boot by ARN, with the instance's role.
    assert!(script.contains("aws secretsmanager get-secret-value"));
    for secret in ["DatabaseSecret", "CryptKey", "AdminCredentials"] {
        assert!(
            script.contains(&json!({"Ref": secret}).to_string()),
            "{secret} is named by its ARN"
        );
    }
    assert!(script.contains(&json!({"Ref": "Media"}).to_string()));
    // ...and never resolved into the template.
    for forbidden in ["resolve:secretsmanager", "SecretString:", "password\":"] {
        assert!(
            !script.contains(forbidden),
            "{forbidden} in the boot script"
        );
    }
    // Nothing the template resolves at deploy is a secret anywhere but the database itself.
    let all = t.to_value().to_json();
    for (id, resource) in all["Resources"].as_object().unwrap() {
        if resource["Type"] != "AWS::RDS::DBInstance" {
            assert!(
                !resource.to_string().contains("resolve:secretsmanager"),
                "{id} resolves a secret"
            );
        }
    }
    // IMDSv2 and an encrypted gp3 root volume.
    t.has_resource_properties(
        "AWS::EC2::LaunchTemplate",
        json!({"LaunchTemplateData": {"MetadataOptions": {"HttpTokens": "required"},
               "BlockDeviceMappings": [{"Ebs": {"Encrypted": true, "VolumeType": "gp3", "VolumeSize": 30}}]}}),
    );
}

#[test]
fn the_servers_scale_on_cpu_and_requests_behind_a_health_check() {
    let t = shop("dev");
    let policies = properties(&t, "AWS::AutoScaling::ScalingPolicy");
    let metrics: BTreeSet<String> = policies
        .iter()
        .map(|p| {
            p["TargetTrackingConfiguration"]["PredefinedMetricSpecification"]
                ["PredefinedMetricType"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        metrics,
        [
            "ALBRequestCountPerTarget".to_owned(),
            "ASGAverageCPUUtilization".to_owned()
        ]
        .into()
    );
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        json!({"TargetType": "instance", "Port": 80, "HealthCheckPath": "/health_check.php"}),
    );
}

#[test]
fn uploads_and_video_completions_reach_the_moderation_function() {
    let t = shop("dev");
    // The bucket tells the uploads topic about created objects.
    let media = t.find_resources("AWS::S3::Bucket");
    let (_, bucket) = media.iter().find(|(id, _)| *id == "Media").unwrap();
    assert_eq!(
        bucket["Properties"]["NotificationConfiguration"]["TopicConfigurations"],
        json!([{"Event": "s3:ObjectCreated:*", "Topic": {"Ref": "MediaUploads"}}])
    );
    // The function subscribes to both topics and may be invoked by each.
    let subscriptions: BTreeSet<String> = properties(&t, "AWS::SNS::Subscription")
        .iter()
        .filter(|s| s["Protocol"] == "lambda")
        .map(|s| {
            assert_eq!(s["Endpoint"], json!({"Fn::GetAtt": ["Moderation", "Arn"]}));
            s["TopicArn"]["Ref"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(
        subscriptions,
        ["MediaUploads".to_owned(), "VideoModeration".to_owned()].into()
    );
    let invokers: BTreeSet<String> = properties(&t, "AWS::Lambda::Permission")
        .iter()
        .map(|p| p["SourceArn"]["Ref"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(invokers, subscriptions);
    // Its settings come from the contract's names.
    let function = &properties(&t, "AWS::Lambda::Function")[0];
    let variables = &function["Environment"]["Variables"];
    assert_eq!(variables[contract::MIN_CONFIDENCE], "60");
    assert_eq!(
        variables[contract::INAPPROPRIATE_LABELS],
        contract::DEFAULT_INAPPROPRIATE_LABELS.join(",")
    );
    assert_eq!(
        variables[contract::VIDEO_TOPIC_ARN],
        json!({"Ref": "VideoModeration"})
    );
    assert_eq!(
        variables[contract::VIDEO_ROLE_ARN],
        json!({"Fn::GetAtt": ["VideoModerationRole", "Arn"]})
    );
    assert!(function["Timeout"].as_u64().unwrap() >= 60);

    // Settings: confidence, labels, a prefix, no videos.
    let t = shop_in(
        &configured(
            "[stacks.shop.settings.moderation]\nmin_confidence = 80\nlabels = [\"Violence\", \"Explicit\"]\nprefix = \"media/\"\nvideos = false\n",
        ),
        "dev",
    );
    let function = &properties(&t, "AWS::Lambda::Function")[0];
    let variables = &function["Environment"]["Variables"];
    assert_eq!(variables[contract::MIN_CONFIDENCE], "80");
    assert_eq!(
        variables[contract::INAPPROPRIATE_LABELS],
        "Violence,Explicit"
    );
    assert!(variables.get(contract::VIDEO_TOPIC_ARN).is_none());
    t.resource_count_is("AWS::SNS::Subscription", 1);
    assert!(granted(&t, "ModerationServiceRole").contains(&(
        "s3:PutObjectTagging".to_owned(),
        json!({"Fn::Sub": ["${Bucket}/media/*", {"Bucket": {"Fn::GetAtt": ["Media", "Arn"]}}]})
            .to_string()
    )));
}

#[test]
fn the_image_pipeline_bakes_the_install_steps_and_refreshes_the_servers() {
    let t = shop("prod");
    t.resource_count_is("AWS::ImageBuilder::ImagePipeline", 1);
    let components = properties(&t, "AWS::ImageBuilder::Component");
    let document: Json = serde_json::from_str(components[0]["Data"].as_str().unwrap()).unwrap();
    let build = document["phases"][0]["steps"][0]["inputs"]["commands"].to_string();
    assert!(build.contains("magento/project-community-edition=2.4.8"));
    assert!(build.contains("setup:static-content:deploy"));
    // The image holds no stack value: no secret, no bucket, no database.
    assert!(!build.contains("secretsmanager") && !build.contains("DB_HOST"));
    // The servers launch the newest image through the parameter the pipeline writes.
    let parameters = properties(&t, "AWS::SSM::Parameter");
    assert_eq!(parameters.len(), 1);
    assert_eq!(parameters[0]["DataType"], "aws:ec2:image");
    let parameter = parameters[0]["Name"].as_str().unwrap();
    assert!(parameter.ends_with("/WebImage/image-id"), "{parameter}");
    t.has_resource_properties(
        "AWS::ImageBuilder::DistributionConfiguration",
        json!({"Distributions": [{"SsmParameterConfigurations": [{"ParameterName": parameter, "DataType": "aws:ec2:image"}]}]}),
    );
    t.has_resource_properties(
        "AWS::EC2::LaunchTemplate",
        json!({"LaunchTemplateData": {"ImageId": format!("resolve:ssm:{parameter}")}}),
    );
    // A new image starts an instance refresh of exactly the web servers.
    t.has_resource_properties(
        "AWS::Events::Rule",
        json!({"EventPattern": {"source": ["aws.imagebuilder"], "detail": {"state": {"status": ["AVAILABLE"]}}}}),
    );
    assert_eq!(
        granted(&t, "WebImageRefreshStateMachineRole")
            .into_iter()
            .filter(|(a, _)| !a.starts_with("xray:"))
            .collect::<BTreeSet<_>>(),
        grants(
            &["autoscaling:StartInstanceRefresh"],
            json!({"Fn::GetAtt": ["WebServers", "AutoScalingGroupARN"]})
        )
    );
    // The Magento version is a setting, and a new version is a new component version.
    let other = shop_in(
        &configured("magento_version = \"2.4.7-p5\"\nimage_builder = { enabled = true }"),
        "dev",
    );
    let other_component = &properties(&other, "AWS::ImageBuilder::Component")[0];
    assert!(other_component["Data"]
        .as_str()
        .unwrap()
        .contains("project-community-edition=2.4.7-p5"));
    assert_ne!(other_component["Version"], components[0]["Version"]);
}

#[test]
fn outputs_name_the_shop_the_load_balancer_the_bastion_and_the_bucket() {
    let t = shop("dev");
    for output in ["ShopUrl", "LoadBalancerDnsName", "BastionId", "MediaBucket"] {
        t.has_output(output, json!({}));
    }
    t.has_output(
        "ShopUrl",
        json!({"Value": {"Fn::Join": ["", ["https://", {"Fn::GetAtt": ["StorefrontDistribution", "DomainName"]}]]}}),
    );
}

#[test]
fn bad_settings_are_refused_with_their_place() {
    for (settings, message) in [
        ("magento_version = \"latest\"", "is not a Magento version"),
        (
            "admin_path = \"admin/panel\"",
            "letters, digits and '_' only",
        ),
        (
            "ssh_from = [\"0.0.0.0/0\"]",
            "SSH from the whole internet is refused",
        ),
        ("ssh_from = [\"10.0.0/8\"]", "is not an IPv4 range"),
        (
            "[stacks.shop.settings.moderation]\nmin_confidence = 120",
            "120 is not from 0 to 100",
        ),
        (
            "[stacks.shop.settings.moderation]\nlabels = []",
            "name at least one label",
        ),
    ] {
        let error = refused(settings);
        assert!(error.contains(message), "{settings}: {error}");
        assert!(error.contains("stackcraft.toml:"), "placed: {error}");
    }
}

#[test]
fn cloudfront_caches_static_files_and_media_and_never_the_shoppers_pages() {
    use stackcraft_constructs::cloudfront::{
        ALL_VIEWER_EXCEPT_HOST_HEADER, CACHING_DISABLED, CACHING_OPTIMIZED,
    };
    let t = shop("dev");
    let distributions = properties(&t, "AWS::CloudFront::Distribution");
    assert_eq!(distributions.len(), 1);
    let config = &distributions[0]["DistributionConfig"];
    // One origin: the load balancer, over HTTP (it has no certificate; CloudFront alone
    // reaches it).
    let origins = config["Origins"].as_array().unwrap();
    assert_eq!(origins.len(), 1);
    assert_eq!(
        origins[0]["DomainName"],
        json!({"Fn::GetAtt": ["LoadBalancer", "DNSName"]})
    );
    assert_eq!(
        origins[0]["CustomOriginConfig"]["OriginProtocolPolicy"],
        "http-only"
    );
    let by_path: Vec<(String, Json)> = config["CacheBehaviors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["PathPattern"].as_str().unwrap().to_owned(), b.clone()))
        .collect();
    let patterns: Vec<&str> = by_path.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        patterns,
        [
            "/static/*",
            "/media/*",
            "/checkout*",
            "/customer*",
            "/admin*"
        ]
    );
    let mut behaviors: Vec<&Json> = by_path.iter().map(|(_, b)| b).collect();
    behaviors.push(&config["DefaultCacheBehavior"]);
    for (n, behavior) in behaviors.iter().enumerate() {
        // HTTPS to every viewer.
        assert_eq!(behavior["ViewerProtocolPolicy"], "redirect-to-https");
        let cached = n < 2;
        if cached {
            assert_eq!(behavior["CachePolicyId"], CACHING_OPTIMIZED, "{behavior}");
            assert!(
                behavior.get("OriginRequestPolicyId").is_none(),
                "{behavior}"
            );
            assert_eq!(behavior["AllowedMethods"], json!(["GET", "HEAD"]));
        } else {
            // Not cached; cookies, query strings and headers (the session, the cart, the
            // CloudFront-Forwarded-Proto Magento reads) reach Magento; forms post.
            assert_eq!(behavior["CachePolicyId"], CACHING_DISABLED, "{behavior}");
            assert_eq!(
                behavior["OriginRequestPolicyId"], ALL_VIEWER_EXCEPT_HOST_HEADER,
                "{behavior}"
            );
            assert!(behavior["AllowedMethods"]
                .as_array()
                .unwrap()
                .contains(&json!("POST")));
        }
    }

    // The admin path follows the setting; a domain brings its certificate and TLS 1.2.
    let t = shop_in(
        &configured(
            "admin_path = \"backoffice\"\ndomain = { name = \"shop.example.com\", hosted_zone_id = \"Z123\", certificate_arn = \"arn:aws:acm:us-east-1:123456789012:certificate/abc\" }",
        ),
        "dev",
    );
    let config = &properties(&t, "AWS::CloudFront::Distribution")[0]["DistributionConfig"];
    assert_eq!(config["CacheBehaviors"][4]["PathPattern"], "/backoffice*");
    assert_eq!(config["Aliases"], json!(["shop.example.com"]));
    assert_eq!(
        config["ViewerCertificate"]["MinimumProtocolVersion"],
        "TLSv1.2_2021"
    );
    t.has_output("ShopUrl", json!({"Value": "https://shop.example.com"}));
    assert!(boot_script(&t).contains("https://shop.example.com"));
}
