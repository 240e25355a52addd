//! The web-app, site-certificate and web-pipeline blueprints as the shipped stackcraft.toml
//! configures them: the pipeline's stages and actions in order, each build role's exact
//! permissions, the blue/green wiring, DynamoDB scaling per environment, certificate
//! validation, and the certificate's hand-over from us-east-1 to the app's region.

mod common;

use std::collections::BTreeSet;

use serde_json::{json, Value as Json};
use stackcraft_blueprints::{builtin, Context};
use stackcraft_config::Config;
use stackcraft_core::assertions::TemplateAssertions;
use stackcraft_core::template::Template;
use stackcraft_core::StackSet;

use common::*;

const PROJECT: &str = "stackcraft-demo";

/// Stack `stack` of `config` in `env`, built by `blueprint` with its deployed name, as the
/// CLI builds it (the blueprints name clusters and roles after it).
fn build(config: &Config, blueprint: &str, stack: &str, env: &str) -> Template {
    let environment = config.environment(env).unwrap();
    let mut set = StackSet::new(&config.project.name, environment);
    let blueprint = builtin().into_iter().find(|b| b.name == blueprint).unwrap();
    let mut built = set.new_stack(stack);
    built.set_source_dir(&config.root());
    let ctx = Context {
        config,
        stack,
        env,
        stacks: &set,
    };
    (blueprint.build)(&mut built, &ctx).unwrap();
    assert!(built.errors().is_empty(), "{:?}", built.errors());
    set.add_stack(built);
    set.synth().unwrap().stacks.remove(0).template
}

fn app(env: &str) -> Template {
    build(&shipped(), "web-app", "web", env)
}

fn pipeline() -> Template {
    build(&shipped(), "web-pipeline", "cicd", "tooling")
}

fn resource(t: &Template, id: &str) -> Json {
    all_resources(t)
        .into_iter()
        .find(|(logical, _)| logical == id)
        .unwrap_or_else(|| panic!("no resource {id}"))
        .1
}

fn all_resources(t: &Template) -> Vec<(String, Json)> {
    let json: Json = serde_json::from_str(&stackcraft_core::Format::Json.render(t)).unwrap();
    json["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Every statement of the policies attached to role `role` (by logical id): its actions and
/// resources, as JSON.
fn statements_of(t: &Template, role: &str) -> Vec<(BTreeSet<String>, Json)> {
    let mut out = Vec::new();
    for (_, policy) in all_resources(t)
        .into_iter()
        .filter(|(_, r)| r["Type"] == "AWS::IAM::Policy")
    {
        if !policy["Properties"]["Roles"]
            .as_array()
            .unwrap()
            .contains(&json!({"Ref": role}))
        {
            continue;
        }
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
            .as_array()
            .unwrap()
        {
            let actions = match &statement["Action"] {
                Json::String(a) => BTreeSet::from([a.clone()]),
                Json::Array(list) => list
                    .iter()
                    .map(|a| a.as_str().unwrap().to_owned())
                    .collect(),
                other => panic!("{other}"),
            };
            out.push((actions, statement["Resource"].clone()));
        }
    }
    out
}

fn every_action(statements: &[(BTreeSet<String>, Json)]) -> BTreeSet<String> {
    statements.iter().flat_map(|(a, _)| a.clone()).collect()
}

/// An action's name, category and provider.
type ActionKind = (String, String, String);

#[test]
fn the_pipeline_runs_source_build_test_approval_prod_in_order() {
    let t = pipeline();
    let (_, pipeline) = all_resources(&t)
        .into_iter()
        .find(|(_, r)| r["Type"] == "AWS::CodePipeline::Pipeline")
        .unwrap();
    let p = &pipeline["Properties"];
    assert_eq!(p["PipelineType"], "V2");
    assert_eq!(p["ArtifactStore"]["EncryptionKey"]["Type"], "KMS");
    let stages: Vec<(String, Vec<ActionKind>)> = p["Stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let actions = s["Actions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| {
                    (
                        a["Name"].as_str().unwrap().to_owned(),
                        a["ActionTypeId"]["Category"].as_str().unwrap().to_owned(),
                        a["ActionTypeId"]["Provider"].as_str().unwrap().to_owned(),
                    )
                })
                .collect();
            (s["Name"].as_str().unwrap().to_owned(), actions)
        })
        .collect();
    let action = |n: &str, c: &str, p: &str| (n.to_owned(), c.to_owned(), p.to_owned());
    let deploy = vec![
        action("DeployApi", "Deploy", "ECS"),
        action("PublishSite", "Build", "CodeBuild"),
    ];
    assert_eq!(
        stages,
        vec![
            (
                "Source".to_owned(),
                vec![action("GitHub", "Source", "CodeStarSourceConnection")]
            ),
            (
                "Build".to_owned(),
                vec![action("Api", "Build", "CodeBuild")]
            ),
            ("Test".to_owned(), deploy.clone()),
            (
                "Approval".to_owned(),
                vec![action("Approve", "Approval", "Manual")]
            ),
            ("Prod".to_owned(), deploy),
        ]
    );
    // The approval mails its topic; a failed deployment stage rolls back.
    let stage = |name: &str| {
        p["Stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["Name"] == name)
            .unwrap()
            .clone()
    };
    assert!(stage("Approval")["Actions"][0]["Configuration"]["NotificationArn"].is_object());
    for name in ["Test", "Prod"] {
        let s = stage(name);
        assert_eq!(s["OnFailure"]["Result"], "ROLLBACK", "{name}");
        let deploy = &s["Actions"][0];
        let env = name.to_lowercase();
        assert_eq!(
            deploy["Configuration"]["ClusterName"],
            format!("{PROJECT}-{env}-web")
        );
        assert_eq!(deploy["Configuration"]["ServiceName"], "api");
        let role = deploy["RoleArn"]["Fn::Sub"][0].as_str().unwrap();
        assert!(
            role.ends_with(&format!(":role/{PROJECT}-{env}-web-deploy")),
            "{role}"
        );
        assert_eq!(s["Actions"][1]["RunOrder"], 2, "the page follows the API");
        assert!(s["Actions"][1]["Configuration"]["EnvironmentVariables"]
            .as_str()
            .unwrap()
            .contains(&name.to_uppercase()));
    }
    // Pushes to the branch start it.
    assert_eq!(
        p["Triggers"][0]["GitConfiguration"]["Push"][0]["Branches"]["Includes"],
        json!(["main"])
    );
    // The connection comes from Parameter Store.
    let json: Json = serde_json::from_str(&stackcraft_core::Format::Json.render(&t)).unwrap();
    assert_eq!(
        json["Parameters"]["ConnectionArn"]["Default"],
        "/tooling/github-connection-arn"
    );
    for output in ["PipelineName", "ApprovalUrl"] {
        assert!(json["Outputs"][output].is_object(), "{output}");
    }
}

#[test]
fn each_build_role_may_do_exactly_its_step() {
    let t = pipeline();
    let repository = json!({"Fn::GetAtt": ["Images", "Arn"]});
    let backend = statements_of(&t, "BuildApiRole");
    let push: BTreeSet<String> = stackcraft_constructs::ecr::PUSH_ACTIONS
        .iter()
        .map(|a| (*a).to_owned())
        .collect();
    assert!(
        backend.contains(&(push, repository)),
        "pushes only to its repository: {backend:?}"
    );
    let frontend = statements_of(&t, "PublishSiteRole");
    for (actions, resource) in backend.iter().chain(&frontend) {
        let writes_s3 = actions
            .iter()
            .any(|a| a.starts_with("s3:Put") || a.starts_with("s3:Delete"));
        if writes_s3 {
            assert_eq!(
                resource,
                &json!([{"Fn::GetAtt": ["PipelineArtifacts", "Arn"]}, {"Fn::Sub": ["${Bucket}/*", {"Bucket": {"Fn::GetAtt": ["PipelineArtifacts", "Arn"]}}]}]),
                "writes only artifacts"
            );
        }
        assert!(
            !actions
                .iter()
                .any(|a| a.starts_with("ecr:") && a != "ecr:GetAuthorizationToken")
                || resource == &json!({"Fn::GetAtt": ["Images", "Arn"]})
        );
    }
    assert!(
        every_action(&frontend)
            .iter()
            .all(|a| !a.starts_with("ecr:")),
        "the page's build pushes no image"
    );
    let assume: Vec<&Json> = frontend
        .iter()
        .filter(|(a, _)| a.contains("sts:AssumeRole"))
        .map(|(_, r)| r)
        .collect();
    assert_eq!(assume.len(), 1);
    let roles = assume[0].to_string();
    assert!(
        roles.contains(&format!("{PROJECT}-test-web-publish"))
            && roles.contains(&format!("{PROJECT}-prod-web-publish")),
        "{roles}"
    );
    assert!(
        !every_action(&frontend).contains("sts:AssumeRole") || !roles.contains("deploy"),
        "it cannot deploy"
    );

    // On the app's side, the publish role writes its own site bucket and nothing else.
    let app = app("test");
    let publish = statements_of(&app, "SitePublishRole");
    let writes: Vec<&Json> = publish
        .iter()
        .filter(|(a, _)| a.contains("s3:PutObject"))
        .map(|(_, r)| r)
        .collect();
    assert_eq!(
        writes,
        [&json!({"Fn::Sub": ["${Bucket}/*", {"Bucket": {"Fn::GetAtt": ["SiteBucket", "Arn"]}}]})]
    );
    assert_eq!(
        every_action(&publish),
        [
            "cloudfront:CreateInvalidation",
            "kms:Decrypt",
            "kms:DescribeKey",
            "s3:DeleteObject",
            "s3:GetObject",
            "s3:GetObjectVersion",
            "s3:ListBucket",
            "s3:PutObject",
            "ssm:GetParameter"
        ]
        .into_iter()
        .map(str::to_owned)
        .collect()
    );
    let deploy = every_action(&statements_of(&app, "PipelineDeployRole"));
    assert!(deploy.contains("ecs:UpdateService") && deploy.contains("iam:PassRole"));
    assert!(
        !deploy.iter().any(|a| a.starts_with("s3:Put")),
        "{deploy:?}"
    );
}

#[test]
fn the_service_deploys_blue_green_between_two_target_groups() {
    let t = app("test");
    t.resource_count_is("AWS::ElasticLoadBalancingV2::TargetGroup", 2);
    let listeners: BTreeSet<u64> = all_resources(&t)
        .into_iter()
        .filter(|(_, r)| r["Type"] == "AWS::ElasticLoadBalancingV2::Listener")
        .map(|(_, r)| r["Properties"]["Port"].as_u64().unwrap())
        .collect();
    assert_eq!(
        listeners,
        BTreeSet::from([80, 9443]),
        "the main listener and the test listener"
    );
    let weights = json!({"TargetGroups": [
        {"TargetGroupArn": {"Ref": "LoadBalancerBlueTargets"}, "Weight": 100},
        {"TargetGroupArn": {"Ref": "LoadBalancerGreenTargets"}, "Weight": 0}]});
    for rule in ["LoadBalancerProductionRule", "LoadBalancerTestRule"] {
        assert_eq!(
            resource(&t, rule)["Properties"]["Actions"][0]["ForwardConfig"],
            weights,
            "{rule}"
        );
    }
    assert_eq!(
        resource(&t, "LoadBalancerTestRule")["Properties"]["ListenerArn"],
        json!({"Ref": "LoadBalancerTestListener"})
    );
    let service = resource(&t, "Api")["Properties"].clone();
    assert_eq!(service["DeploymentConfiguration"]["Strategy"], "BLUE_GREEN");
    assert_eq!(
        service["DeploymentConfiguration"]["Alarms"],
        json!({"AlarmNames": [{"Ref": "ApiErrorsAlarm"}], "Enable": true, "Rollback": true})
    );
    let lb = &service["LoadBalancers"][0];
    assert_eq!(
        lb["TargetGroupArn"],
        json!({"Ref": "LoadBalancerBlueTargets"})
    );
    assert_eq!(
        lb["AdvancedConfiguration"],
        json!({
            "AlternateTargetGroupArn": {"Ref": "LoadBalancerGreenTargets"},
            "ProductionListenerRule": {"Ref": "LoadBalancerProductionRule"},
            "RoleArn": {"Fn::GetAtt": ["ApiBlueGreenRole", "Arn"]},
            "TestListenerRule": {"Ref": "LoadBalancerTestRule"},
        })
    );
    assert_eq!(service["ServiceName"], "api");
    assert_eq!(
        resource(&t, "Cluster")["Properties"]["ClusterName"],
        format!("{PROJECT}-test-web")
    );
    // ECS may move exactly these two rules.
    let shift = statements_of(&t, "ApiBlueGreenRole");
    assert!(shift.contains(&(
        BTreeSet::from(["elasticloadbalancing:ModifyRule".to_owned()]),
        json!([{"Ref": "LoadBalancerProductionRule"}, {"Ref": "LoadBalancerTestRule"}])
    )));
    // The tasks scale on CPU and on requests.
    let policies: BTreeSet<String> = all_resources(&t)
        .into_iter()
        .filter(|(_, r)| r["Type"] == "AWS::ApplicationAutoScaling::ScalingPolicy")
        .map(|(_, r)| r["Properties"]["PolicyName"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        policies.contains("CpuScaling") && policies.contains("RequestScaling"),
        "{policies:?}"
    );
    // Requests are counted in both groups (the traffic is in green after a deployment) and
    // divided by both groups' healthy targets.
    let requests = all_resources(&t)
        .into_iter()
        .find(|(_, r)| r["Properties"]["PolicyName"] == "RequestScaling")
        .unwrap()
        .1;
    let spec = &requests["Properties"]["TargetTrackingScalingPolicyConfiguration"];
    let queries = spec["CustomizedMetricSpecification"]["Metrics"]
        .as_array()
        .unwrap();
    let counted: BTreeSet<(String, String)> = queries
        .iter()
        .filter(|q| q["MetricStat"].is_object())
        .map(|q| {
            let metric = &q["MetricStat"]["Metric"];
            let group = metric["Dimensions"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["Name"] == "TargetGroup")
                .unwrap()["Value"]["Fn::GetAtt"][0]
                .as_str()
                .unwrap()
                .to_owned();
            (metric["MetricName"].as_str().unwrap().to_owned(), group)
        })
        .collect();
    let expected: BTreeSet<(String, String)> = ["RequestCount", "HealthyHostCount"]
        .iter()
        .flat_map(|m| {
            ["LoadBalancerBlueTargets", "LoadBalancerGreenTargets"]
                .map(|g| (m.to_string(), g.to_owned()))
        })
        .collect();
    assert_eq!(counted, expected);
    let returned: Vec<&Json> = queries.iter().filter(|q| q["ReturnData"] == true).collect();
    assert_eq!(returned.len(), 1, "one expression is the policy's metric");
    assert_eq!(
        returned[0]["Expression"],
        "(FILL(requests0, 0) + FILL(requests1, 0)) / (FILL(healthy0, 0) + FILL(healthy1, 0))"
    );
    // The table's name reaches the task through Parameter Store, not in plaintext.
    let task = resource(&t, "ApiTask");
    let container = &task["Properties"]["ContainerDefinitions"][0];
    assert!(container["Environment"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["Name"] != "ITEMS_TABLE"));
    assert_eq!(container["Secrets"][0]["Name"], "ITEMS_TABLE");
}

/// Bounds of the table's scalable targets: dimension → (min, max).
fn table_scaling(t: &Template) -> Vec<(String, u64, u64)> {
    all_resources(t)
        .into_iter()
        .filter(|(_, r)| {
            r["Type"] == "AWS::ApplicationAutoScaling::ScalableTarget"
                && r["Properties"]["ServiceNamespace"] == "dynamodb"
        })
        .map(|(_, r)| {
            let p = &r["Properties"];
            (
                p["ScalableDimension"].as_str().unwrap().to_owned(),
                p["MinCapacity"].as_u64().unwrap(),
                p["MaxCapacity"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn the_table_scales_reads_and_writes_per_environment_and_prod_keeps_it() {
    let read = "dynamodb:table:ReadCapacityUnits".to_owned();
    let write = "dynamodb:table:WriteCapacityUnits".to_owned();
    let test = app("test");
    assert_eq!(
        table_scaling(&test),
        [(read.clone(), 2, 20), (write.clone(), 2, 10)]
    );
    let table = resource(&test, "Items");
    assert_eq!(table["Properties"]["BillingMode"], "PROVISIONED");
    assert_eq!(
        table["Properties"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"],
        false
    );
    let prod = app("prod");
    assert_eq!(table_scaling(&prod), [(read, 5, 200), (write, 5, 100)]);
    let table = resource(&prod, "Items");
    assert_eq!(
        table["Properties"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"],
        true
    );
    assert_eq!(table["Properties"]["DeletionProtectionEnabled"], true);
    assert_eq!(table["DeletionPolicy"], "Retain");
    // Prod spreads over three zones.
    prod.resource_count_is("AWS::EC2::Subnet", 9);

    let on_demand = std::fs::read_to_string(repo_root().join("stackcraft.toml"))
        .unwrap()
        .replace(
            "table = { capacity = \"provisioned\"",
            "table = { capacity = \"on-demand\"",
        );
    let config = Config::parse(&on_demand, &repo_root().join("stackcraft.toml")).unwrap();
    let t = build(&config, "web-app", "web", "prod");
    assert!(table_scaling(&t).is_empty());
    assert_eq!(
        resource(&t, "Items")["Properties"]["BillingMode"],
        "PAY_PER_REQUEST"
    );
}

#[test]
fn certificates_are_validated_through_dns_and_the_site_s_comes_from_us_east_1() {
    let zone = "Z0123456789EXAMPLEZONE";
    let edge = build(
        &shipped(),
        "site-certificate",
        "web-certificate",
        "prod-edge",
    );
    let certificate = resource(&edge, "SiteCertificate")["Properties"].clone();
    assert_eq!(certificate["ValidationMethod"], "DNS");
    assert_eq!(
        certificate["DomainValidationOptions"],
        json!([{"DomainName": "items.example.com", "HostedZoneId": zone}])
    );
    let parameter = format!("/stackcraft/{PROJECT}/prod/site-certificate/arn");
    let published = resource(&edge, "SiteCertificateParameter")["Properties"].clone();
    assert_eq!(published["Name"], parameter);
    assert_eq!(published["Value"], json!({"Ref": "SiteCertificate"}));

    let prod = app("prod");
    let api = resource(&prod, "LoadBalancerCertificate")["Properties"].clone();
    assert_eq!(
        api["DomainValidationOptions"],
        json!([{"DomainName": "api.items.example.com", "HostedZoneId": zone}])
    );
    // The hand-over: read in us-east-1 at deploy time, given to the distribution.
    let read = resource(&prod, "SiteCertificate");
    assert_eq!(read["Type"], "Custom::CrossRegionParameter");
    assert_eq!(read["Properties"]["Name"], parameter);
    assert_eq!(read["Properties"]["Region"], "us-east-1");
    let distribution = resource(&prod, "SiteDistribution");
    assert_eq!(
        distribution["Properties"]["DistributionConfig"]["ViewerCertificate"]["AcmCertificateArn"],
        json!({"Fn::GetAtt": ["SiteCertificate", "Value"]})
    );
    let reader = statements_of(&prod, "SiteCertificateReaderRole");
    let get = reader
        .iter()
        .find(|(a, _)| a.contains("ssm:GetParameter"))
        .unwrap();
    assert_eq!(
        get.1,
        json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:ssm:us-east-1:${{AWS::AccountId}}:parameter{parameter}")})
    );
    // Test has no domain: no certificate, no reader.
    let test = app("test");
    assert!(all_resources(&test)
        .iter()
        .all(|(_, r)| r["Type"] != "Custom::CrossRegionParameter"
            && r["Type"] != "AWS::CertificateManager::Certificate"));
}

#[test]
fn a_certificate_outside_us_east_1_and_a_missing_connection_are_errors_naming_the_setting() {
    let text = std::fs::read_to_string(repo_root().join("stackcraft.toml")).unwrap();
    let moved = text.replace("region = \"us-east-1\"", "region = \"eu-west-1\"");
    let config = Config::parse(&moved, &repo_root().join("stackcraft.toml")).unwrap();
    let set = StackSet::new(PROJECT, config.environment("prod-edge").unwrap());
    let mut stack = set.new_stack("web-certificate");
    let ctx = Context {
        config: &config,
        stack: "web-certificate",
        env: "prod-edge",
        stacks: &set,
    };
    let blueprint = builtin()
        .into_iter()
        .find(|b| b.name == "site-certificate")
        .unwrap();
    let error = (blueprint.build)(&mut stack, &ctx).unwrap_err().to_string();
    assert!(
        error.contains("stacks.web-certificate.settings.domain") && error.contains("us-east-1"),
        "{error}"
    );

    let unconnected = text.replace(
        "connection_parameter = \"/tooling/github-connection-arn\"\n",
        "",
    );
    let config = Config::parse(&unconnected, &repo_root().join("stackcraft.toml")).unwrap();
    let set = StackSet::new(PROJECT, config.environment("tooling").unwrap());
    let mut stack = set.new_stack("cicd");
    let ctx = Context {
        config: &config,
        stack: "cicd",
        env: "tooling",
        stacks: &set,
    };
    let blueprint = builtin()
        .into_iter()
        .find(|b| b.name == "web-pipeline")
        .unwrap();
    let error = (blueprint.build)(&mut stack, &ctx).unwrap_err().to_string();
    assert!(error.contains("connection_arn"), "{error}");
}
