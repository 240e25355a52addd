//! ecs, elbv2, ecr, servicediscovery: the load balancer's listeners with and without a
//! certificate, prod attributes; tasks that run as non-root on a read-only root with secrets
//! from Secrets Manager and exact grants; services with circuit breaker, registration and
//! autoscaling; repositories with scanning and lifecycle.

use serde_json::{json, Value as Json};
use stackcraft_constructs::cloudwatch::{Metric, Stat};
use stackcraft_constructs::dns::Domain;
use stackcraft_constructs::ec2::{HasConnections, Port, Vpc};
use stackcraft_constructs::ecr::Repository;
use stackcraft_constructs::ecs::{
    Cluster, Container, ContainerCondition, ContainerSecret, FargateService, FargateTaskOptions,
    Image, ServiceOptions, TaskDefinition,
};
use stackcraft_constructs::elbv2::{AlbOptions, ApplicationLoadBalancer};
use stackcraft_constructs::secretsmanager::{Generated, Secret};
use stackcraft_constructs::servicediscovery::PrivateDnsNamespace;
use stackcraft_core::assertions::TemplateAssertions;
use stackcraft_core::template::Template;
use stackcraft_core::{Environment, Stack, StackSet};

fn dev() -> Environment {
    Environment::new("dev", "eu-central-1")
}

fn prod() -> Environment {
    Environment::production("prod", "eu-central-1")
}

fn build(env: Environment, f: impl FnOnce(&mut Stack)) -> Template {
    let mut stack = Stack::new("svc", env);
    f(&mut stack);
    assert!(stack.errors().is_empty(), "{:?}", stack.errors());
    let mut app = StackSet::new("test", stack.env().clone());
    app.add_stack(stack);
    app.synth().expect("synthesizes").stacks.remove(0).template
}

fn alb(stack: &mut Stack, options: AlbOptions) -> ApplicationLoadBalancer {
    let vpc = Vpc::new(stack, "Network");
    let lb = ApplicationLoadBalancer::new(stack, "Lb", &vpc, options);
    lb.forward_to(stack, "Targets", &vpc, 5080, "/health");
    lb
}

fn attribute(t: &Template, key: &str) -> Json {
    let (_, lb) = t
        .find_resources("AWS::ElasticLoadBalancingV2::LoadBalancer")
        .remove(0);
    lb["Properties"]["LoadBalancerAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["Key"] == key)
        .map(|a| a["Value"].clone())
        .unwrap_or(Json::Null)
}

#[test]
fn without_a_certificate_the_load_balancer_serves_plain_http_and_says_so() {
    let mut url = None;
    let t = build(dev(), |s| {
        let lb = alb(s, AlbOptions::default());
        assert!(!lb.is_https());
        url = Some(lb.url().value().to_json());
    });
    assert_eq!(
        url.unwrap(),
        json!({"Fn::Join": ["", ["http://", {"Fn::GetAtt": ["Lb", "DNSName"]}]]})
    );
    t.resource_count_is("AWS::ElasticLoadBalancingV2::Listener", 1);
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        json!({"Port": 80, "Protocol": "HTTP",
               "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "LbTargets"}}]}),
    );
    let ingress = t.find_resources("AWS::EC2::SecurityGroupIngress");
    assert_eq!(
        ingress.len(),
        1,
        "80 from the internet, nothing else: {ingress:?}"
    );
    t.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        json!({"CidrIp": "0.0.0.0/0", "FromPort": 80}),
    );
    assert_eq!(
        attribute(&t, "routing.http.drop_invalid_header_fields.enabled"),
        "true"
    );
    assert_eq!(attribute(&t, "deletion_protection.enabled"), "false");
    assert_eq!(attribute(&t, "access_logs.s3.enabled"), Json::Null);
    t.resource_count_is("AWS::S3::Bucket", 0);
}

#[test]
fn with_a_domain_http_redirects_to_https_and_prod_adds_logs_and_protection() {
    let t = build(prod(), |s| {
        let lb = alb(
            s,
            AlbOptions {
                domain: Some(Domain {
                    name: "api.example.com".into(),
                    hosted_zone_id: "Z1".into(),
                }),
                ..AlbOptions::default()
            },
        );
        assert!(lb.is_https());
        assert_eq!(lb.url().value().to_json(), json!("https://api.example.com"));
    });
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        json!({"Port": 80, "DefaultActions": [{"Type": "redirect",
               "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]}),
    );
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        json!({"Port": 443, "Protocol": "HTTPS", "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
               "Certificates": [{"CertificateArn": {"Ref": "LbCertificate"}}],
               "DefaultActions": [{"Type": "forward"}]}),
    );
    t.has_resource_properties(
        "AWS::CertificateManager::Certificate",
        json!({"DomainName": "api.example.com", "ValidationMethod": "DNS",
               "DomainValidationOptions": [{"DomainName": "api.example.com", "HostedZoneId": "Z1"}]}),
    );
    t.has_resource_properties(
        "AWS::Route53::RecordSet",
        json!({"Name": "api.example.com", "Type": "A", "HostedZoneId": "Z1"}),
    );
    assert_eq!(attribute(&t, "deletion_protection.enabled"), "true");
    assert_eq!(attribute(&t, "access_logs.s3.enabled"), "true");
    assert_eq!(
        attribute(&t, "access_logs.s3.bucket"),
        json!({"Ref": "LbAccessLogs"})
    );
    // eu-central-1 delivers logs as the regional Elastic Load Balancing account.
    let policies = t.find_resources("AWS::S3::BucketPolicy");
    let text = serde_json::to_string(&policies).unwrap();
    assert!(text.contains("arn:aws:iam::054676820928:root"), "{text}");
    t.has_resource(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        json!({"DependsOn": "LbAccessLogsPolicy"}),
    );
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        json!({"TargetType": "ip", "Port": 5080, "HealthCheckPath": "/health", "Matcher": {"HttpCode": "200"}}),
    );
}

/// A task with one serving container that reads one key of a secret.
fn task(stack: &mut Stack, secret: &Secret) -> TaskDefinition {
    let mut task = TaskDefinition::fargate(stack, "Task", FargateTaskOptions::default());
    task.add_container(
        stack,
        Container::new("migrate", Image::Uri("example/app:1".into()))
            .command(&["migrate"])
            .not_essential(),
    );
    task.add_container(
        stack,
        Container::new(
            "app",
            Image::Uri("123456789012.dkr.ecr.eu-central-1.amazonaws.com/app:1".into()),
        )
        .command(&["serve"])
        .port(8080)
        .env("MODE", "prod")
        .secret(
            "DB_PASSWORD",
            ContainerSecret::new(secret, Some("password")),
        )
        .after("migrate", ContainerCondition::Success),
    );
    task
}

#[test]
fn containers_run_as_non_root_on_a_read_only_root_and_get_secrets_from_secrets_manager() {
    let t = build(dev(), |s| {
        let secret = Secret::generated(s, "Db", Generated::credentials("db", "app"));
        task(s, &secret);
    });
    let (_, def) = t.find_resources("AWS::ECS::TaskDefinition").remove(0);
    let props = &def["Properties"];
    assert_eq!(props["RequiresCompatibilities"], json!(["FARGATE"]));
    assert_eq!(props["NetworkMode"], "awsvpc");
    assert_ne!(props["ExecutionRoleArn"], props["TaskRoleArn"]);
    let containers = props["ContainerDefinitions"].as_array().unwrap();
    assert_eq!(containers.len(), 2);
    for c in containers {
        assert_eq!(c["User"], "10001:10001");
        assert_eq!(c["ReadonlyRootFilesystem"], true);
        assert_eq!(c["Privileged"], false);
        assert_eq!(c["LogConfiguration"]["LogDriver"], "awslogs");
        assert_eq!(c["MountPoints"][0]["ContainerPath"], "/tmp");
    }
    let app = &containers[1];
    assert_eq!(
        app["Secrets"],
        json!([{"Name": "DB_PASSWORD", "ValueFrom": {"Fn::Sub": ["${Secret}:password::", {"Secret": {"Ref": "Db"}}]}}])
    );
    assert_eq!(
        app["DependsOn"],
        json!([{"ContainerName": "migrate", "Condition": "SUCCESS"}])
    );
    let environment = serde_json::to_string(&app["Environment"]).unwrap();
    assert_eq!(environment, r#"[{"Name":"MODE","Value":"prod"}]"#);
    assert_eq!(containers[0]["Essential"], false);

    // The execution role reads exactly that secret, pulls exactly that repository, writes
    // exactly its log group; the task role has nothing.
    let (_, policy) = t.find_resources("AWS::IAM::Policy").remove(0);
    assert_eq!(
        policy["Properties"]["Roles"],
        json!([{"Ref": "TaskExecutionRole"}])
    );
    let statements = policy["Properties"]["PolicyDocument"]["Statement"].clone();
    assert_eq!(
        statements,
        json!([
            {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": {"Fn::GetAtt": ["TaskLogs", "Arn"]}},
            {"Effect": "Allow", "Action": ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], "Resource": "arn:aws:ecr:eu-central-1:123456789012:repository/app"},
            {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
            {"Effect": "Allow", "Action": ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"], "Resource": {"Ref": "Db"}}
        ])
    );
    t.resource_count_is("AWS::IAM::Policy", 1);
    t.has_resource_properties("AWS::Logs::LogGroup", json!({"RetentionInDays": 14}));
}

#[test]
fn services_deploy_with_a_circuit_breaker_register_and_scale() {
    let t = build(prod(), |s| {
        let vpc = Vpc::new(s, "Network");
        let lb = ApplicationLoadBalancer::new(s, "Lb", &vpc, AlbOptions::default());
        let targets = lb.forward_to(s, "Targets", &vpc, 8080, "/health");
        let secret = Secret::generated(s, "Db", Generated::credentials("db", "app"));
        let task = task(s, &secret);
        let cluster = Cluster::new(s, "Cluster", &vpc);
        let namespace = PrivateDnsNamespace::new(s, "Ns", "app.internal", &vpc);
        let discovery = namespace.add_service(s, "App", "app");
        assert_eq!(discovery.hostname(), "app.app.internal");
        let service = FargateService::new(
            s,
            "App",
            &cluster,
            &task,
            ServiceOptions {
                load_balancer: Some(targets.clone()),
                discovery: Some(discovery),
                ..ServiceOptions::default()
            },
        );
        let scaling = service.auto_scale(s, None, 9);
        scaling.on_cpu(s, 60);
        scaling.on_request_count(s, &targets, 500);
        let backlog = Metric::new("App", "QueueDepth").stat(Stat::Average);
        scaling.on_metric(s, "Backlog", &backlog, 100);
        assert_eq!(service.connections().security_group().name(), "App");
    });
    t.has_resource(
        "AWS::ECS::Service",
        json!({
            "Properties": {
                "LaunchType": "FARGATE",
                "DesiredCount": 3,
                "HealthCheckGracePeriodSeconds": 60,
                "DeploymentConfiguration": {"DeploymentCircuitBreaker": {"Enable": true, "Rollback": true}, "MinimumHealthyPercent": 100},
                "NetworkConfiguration": {"AwsvpcConfiguration": {"AssignPublicIp": "DISABLED",
                    "Subnets": [{"Ref": "NetworkPrivateSubnet1"}, {"Ref": "NetworkPrivateSubnet2"}, {"Ref": "NetworkPrivateSubnet3"}]}},
                "LoadBalancers": [{"ContainerName": "app", "ContainerPort": 8080, "TargetGroupArn": {"Ref": "LbTargets"}}],
                "ServiceRegistries": [{"RegistryArn": {"Fn::GetAtt": ["NsApp", "Arn"]}}],
                "EnableExecuteCommand": false
            },
            "DependsOn": "LbHttpListener"
        }),
    );
    t.has_resource_properties(
        "AWS::ECS::Cluster",
        json!({"ClusterSettings": [{"Name": "containerInsights", "Value": "enabled"}]}),
    );
    t.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalableTarget",
        json!({"MinCapacity": 3, "MaxCapacity": 9, "ScalableDimension": "ecs:service:DesiredCount"}),
    );
    let policies = t.find_resources("AWS::ApplicationAutoScaling::ScalingPolicy");
    assert_eq!(policies.len(), 3);
    t.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        json!({"TargetTrackingScalingPolicyConfiguration": {"TargetValue": 500, "PredefinedMetricSpecification": {
            "PredefinedMetricType": "ALBRequestCountPerTarget",
            "ResourceLabel": {"Fn::Join": ["/", [{"Fn::GetAtt": ["Lb", "LoadBalancerFullName"]}, {"Fn::GetAtt": ["LbTargets", "TargetGroupFullName"]}]]}}}}),
    );
    t.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        json!({"TargetTrackingScalingPolicyConfiguration": {"TargetValue": 60, "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}}}),
    );
    // The load balancer reaches the tasks on their port, and only that.
    t.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        json!({"GroupId": {"Fn::GetAtt": ["AppSecurityGroup", "GroupId"]},
               "SourceSecurityGroupId": {"Fn::GetAtt": ["LbSecurityGroup", "GroupId"]}, "FromPort": 8080, "ToPort": 8080}),
    );
    t.has_resource_properties(
        "AWS::EC2::SecurityGroupEgress",
        json!({"GroupId": {"Fn::GetAtt": ["LbSecurityGroup", "GroupId"]},
               "DestinationSecurityGroupId": {"Fn::GetAtt": ["AppSecurityGroup", "GroupId"]}, "FromPort": 8080}),
    );
    t.has_resource_properties(
        "AWS::ServiceDiscovery::PrivateDnsNamespace",
        json!({"Name": "app.internal", "Vpc": {"Ref": "Network"}}),
    );
}

#[test]
fn dev_services_run_one_task_and_a_load_balancer_service_needs_a_port() {
    let t = build(dev(), |s| {
        let vpc = Vpc::new(s, "Network");
        let mut task = TaskDefinition::fargate(s, "Task", FargateTaskOptions::default());
        task.add_container(s, Container::new("w", Image::Uri("example/w:1".into())));
        let cluster = Cluster::new(s, "Cluster", &vpc);
        let service = FargateService::new(s, "W", &cluster, &task, ServiceOptions::default());
        service.auto_scale(s, None, 2);
    });
    t.has_resource_properties("AWS::ECS::Service", json!({"DesiredCount": 1}));
    t.has_resource_properties(
        "AWS::ECS::Cluster",
        json!({"ClusterSettings": [{"Name": "containerInsights", "Value": "disabled"}]}),
    );
    t.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalableTarget",
        json!({"MinCapacity": 1, "MaxCapacity": 2}),
    );
    // Only HTTPS out, for the AWS APIs.
    t.has_resource_properties(
        "AWS::EC2::SecurityGroupEgress",
        json!({"CidrIp": "0.0.0.0/0", "FromPort": 443, "ToPort": 443}),
    );

    let mut stack = Stack::new("svc", dev());
    let vpc = Vpc::new(&mut stack, "Network");
    let lb = ApplicationLoadBalancer::new(&mut stack, "Lb", &vpc, AlbOptions::default());
    let targets = lb.forward_to(&mut stack, "T", &vpc, 80, "/");
    let mut task = TaskDefinition::fargate(&mut stack, "Task", FargateTaskOptions::default());
    task.add_container(&mut stack, Container::new("w", Image::Uri("w".into())));
    let cluster = Cluster::new(&mut stack, "Cluster", &vpc);
    let options = ServiceOptions {
        load_balancer: Some(targets),
        ..ServiceOptions::default()
    };
    let service = FargateService::new(&mut stack, "W", &cluster, &task, options);
    service.auto_scale(&mut stack, Some(3), 2);
    let errors: Vec<String> = stack.errors().iter().map(|e| e.to_string()).collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0].starts_with("svc/W:") && errors[0].contains("port"),
        "{errors:?}"
    );
    assert!(errors[1].contains("max (2) >= min (3)"), "{errors:?}");
}

#[test]
fn repositories_scan_on_push_expire_old_images_and_keep_prod_images() {
    let build_repo = |env| {
        build(env, |s| {
            let repo = Repository::new(s, "Images");
            let mut task = TaskDefinition::fargate(s, "Task", FargateTaskOptions::default());
            task.add_container(
                s,
                Container::new("c", Image::Repository(repo.clone(), "v1".into())),
            );
        })
    };
    let t = build_repo(prod());
    t.has_resource(
        "AWS::ECR::Repository",
        json!({"Properties": {"ImageScanningConfiguration": {"ScanOnPush": true},
               "EncryptionConfiguration": {"EncryptionType": "KMS"},
               "ImageTagMutability": "IMMUTABLE", "EmptyOnDelete": false},
               "DeletionPolicy": "Retain"}),
    );
    let (_, repo) = t.find_resources("AWS::ECR::Repository").remove(0);
    assert!(
        repo.get("Metadata").is_none(),
        "no checkov suppression: {repo}"
    );
    let lifecycle: Json = serde_json::from_str(
        repo["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(lifecycle["rules"][1]["selection"]["countNumber"], 30);
    // The task pulls from that repository, by its ARN.
    let text = serde_json::to_string(&t.find_resources("AWS::IAM::Policy")).unwrap();
    assert!(
        text.contains(r#""Resource":{"Fn::GetAtt":["Images","Arn"]}"#),
        "{text}"
    );
    let t = build_repo(dev());
    t.has_resource(
        "AWS::ECR::Repository",
        json!({"Properties": {"EmptyOnDelete": true}, "DeletionPolicy": "Delete"}),
    );
}

#[test]
fn port_descriptions_name_the_protocol() {
    assert_eq!(Port::MYSQL.describe(), "MySQL 3306");
    assert_eq!(Port::tcp(5080).describe(), "TCP 5080");
}

#[test]
fn a_built_image_is_named_by_digest_in_the_bootstrap_repository() {
    let digest = format!("sha256:{}", "ab".repeat(32));
    let image = stackcraft_core::ImageAsset::new(digest.clone(), "counter/counter", "/x".into());
    let t = build(prod(), |s| {
        let mut task = TaskDefinition::fargate(s, "Task", FargateTaskOptions::default());
        task.add_container(s, Container::new("c", Image::Asset(image.clone())));
    });
    let text = serde_json::to_string(&t.find_resources("AWS::ECS::TaskDefinition")).unwrap();
    assert!(
        text.contains(&format!(
            r#""Image":{{"Fn::Sub":"${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/stackcraft-images-${{AWS::AccountId}}-${{AWS::Region}}@{digest}"}}"#
        )),
        "{text}"
    );
    let policies = serde_json::to_string(&t.find_resources("AWS::IAM::Policy")).unwrap();
    assert!(
        policies.contains(r#"repository/stackcraft-images-${AWS::AccountId}-${AWS::Region}"#),
        "the execution role pulls from the bootstrap repository: {policies}"
    );
}
