//! The rules of the construct API (see the crate docs), each with the trap it closes: `ha`
//! and `protected` decide different defaults, a listener has one default action, referenced
//! resources cannot change their owner's stack, children are found by handle, one metric
//! serves alarms, scaling and dashboards.

use serde_json::{json, Value as Json};
use stackcraft_constructs::cloudwatch::{
    Alarm, AlarmOptions, Dashboard, Graph, Metric, Stat, Threshold,
};
use stackcraft_constructs::dynamodb::{Key, Table, TableReference};
use stackcraft_constructs::ec2::Vpc;
use stackcraft_constructs::elbv2::{
    Action, AlbOptions, ApplicationLoadBalancer, Condition, TargetGroup, TargetGroupOptions,
};
use stackcraft_constructs::iam::Role;
use stackcraft_constructs::rds::{Database, DatabaseOptions};
use stackcraft_constructs::s3::{Bucket, BucketReference};
use stackcraft_core::assertions::TemplateAssertions;
use stackcraft_core::template::Template;
use stackcraft_core::{Environment, Stack, StackSet};

fn synth(stack: Stack) -> Template {
    assert!(stack.errors().is_empty(), "{:?}", stack.errors());
    let mut app = StackSet::new("test", stack.env().clone());
    app.add_stack(stack);
    app.synth().expect("synthesizes").stacks.remove(0).template
}

fn data_stack(env: Environment) -> Template {
    let mut stack = Stack::new("data", env);
    let vpc = Vpc::new(&mut stack, "Network");
    Database::mysql(&mut stack, "Db", &vpc, DatabaseOptions::default());
    Table::new(&mut stack, "Items", Key::string("id"));
    Bucket::new(&mut stack, "Uploads");
    synth(stack)
}

fn db(t: &Template) -> Json {
    t.find_resources("AWS::RDS::DBInstance").remove(0).1
}

#[test]
fn a_protected_dev_environment_keeps_its_data_on_one_copy() {
    let env = Environment {
        protected: true,
        ..Environment::new("dev", "eu-central-1")
    };
    let t = data_stack(env);
    let db = db(&t);
    assert_eq!(db["Properties"]["DeletionProtection"], json!(true));
    assert_eq!(
        db["Properties"]["MultiAZ"],
        json!(false),
        "not highly available"
    );
    assert_eq!(db["DeletionPolicy"], json!("Snapshot"));
    assert_eq!(db["Properties"]["BackupRetentionPeriod"], json!(14));
    t.has_resource_properties(
        "AWS::DynamoDB::Table",
        json!({"DeletionProtectionEnabled": true,
               "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true}}),
    );
    t.has_resource("AWS::S3::Bucket", json!({"DeletionPolicy": "Retain"}));
    // One NAT gateway: more copies follow `ha`, not `protected`.
    t.resource_count_is("AWS::EC2::NatGateway", 1);
}

#[test]
fn a_highly_available_disposable_environment_has_copies_and_no_protection() {
    let env = Environment {
        ha: true,
        az_count: 3,
        ..Environment::new("load", "eu-central-1")
    };
    let t = data_stack(env);
    let db = db(&t);
    assert_eq!(db["Properties"]["MultiAZ"], json!(true));
    assert_eq!(db["Properties"]["DeletionProtection"], json!(false));
    assert_eq!(db["DeletionPolicy"], json!("Delete"));
    t.resource_count_is("AWS::EC2::NatGateway", 3);
    t.has_resource("AWS::S3::Bucket", json!({"DeletionPolicy": "Delete"}));
}

fn lb_stack(build: impl FnOnce(&mut Stack, &Vpc, &ApplicationLoadBalancer)) -> Stack {
    let mut stack = Stack::new("web", Environment::new("dev", "eu-central-1"));
    let vpc = Vpc::new(&mut stack, "Network");
    let lb = ApplicationLoadBalancer::new(&mut stack, "Lb", &vpc, AlbOptions::default());
    build(&mut stack, &vpc, &lb);
    stack
}

#[test]
fn a_second_default_action_is_an_error_naming_both_target_groups() {
    let stack = lb_stack(|s, vpc, lb| {
        lb.forward_to(s, "Api", vpc, 8080, "/health");
        lb.forward_to(s, "Admin", vpc, 8081, "/health");
    });
    let errors = stack.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].path, "web/Lb/HttpListener");
    assert!(
        errors[0].message.contains("Lb/Api"),
        "{}",
        errors[0].message
    );
    assert!(
        errors[0].message.contains("Lb/Admin"),
        "{}",
        errors[0].message
    );
}

#[test]
fn rules_route_by_path_and_host_before_the_default() {
    let mut admin_group = None;
    let stack = lb_stack(|s, vpc, lb| {
        let shop = lb.forward_to(s, "Shop", vpc, 80, "/health_check.php");
        let admin = TargetGroup::new(s, lb, "Admin", vpc, TargetGroupOptions::new(80, "/"));
        let listener = lb.listener();
        listener.add_rule(
            s,
            "AdminRule",
            10,
            &[
                Condition::paths(&["/admin/*"]),
                Condition::hosts(&["shop.example.com"]),
            ],
            Action::Forward(admin.clone()),
        );
        listener.add_rule(
            s,
            "CanaryRule",
            20,
            &[Condition::paths(&["/beta/*"])],
            Action::WeightedForward(vec![(shop.clone(), 90), (admin.clone(), 10)]),
        );
        listener.add_rule(
            s,
            "Gone",
            30,
            &[Condition::paths(&["/old/*"])],
            Action::Respond {
                status: 410,
                content_type: "text/plain".into(),
                body: "Gone".into(),
            },
        );
        admin_group = Some(admin);
    });
    let routes = admin_group.unwrap().routes(&stack);
    let t = synth(stack);
    t.resource_count_is("AWS::ElasticLoadBalancingV2::ListenerRule", 3);
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        json!({
            "Priority": 10,
            "ListenerArn": {"Ref": "LbHttpListener"},
            "Conditions": [
                {"Field": "path-pattern", "PathPatternConfig": {"Values": ["/admin/*"]}},
                {"Field": "host-header", "HostHeaderConfig": {"Values": ["shop.example.com"]}}
            ],
            "Actions": [{"Type": "forward", "TargetGroupArn": {"Ref": "LbAdmin"}}]
        }),
    );
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        json!({"Priority": 20, "Actions": [{"Type": "forward", "ForwardConfig": {"TargetGroups": [
            {"TargetGroupArn": {"Ref": "LbShop"}, "Weight": 90},
            {"TargetGroupArn": {"Ref": "LbAdmin"}, "Weight": 10}]}}]}),
    );
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        json!({"Priority": 30, "Actions": [{"Type": "fixed-response",
            "FixedResponseConfig": {"StatusCode": "410", "MessageBody": "Gone"}}]}),
    );
    // The default still forwards to the shop.
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        json!({"DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "LbShop"}}]}),
    );
    // What registers admin targets waits for the listener and both rules routing to it.
    let ids: Vec<&str> = routes.iter().map(|r| r.logical_id.as_str()).collect();
    assert_eq!(ids, ["LbHttpListener", "LbAdminRule", "LbCanaryRule"]);
}

#[test]
fn a_second_rule_at_one_priority_is_an_error_naming_both() {
    let stack = lb_stack(|s, vpc, lb| {
        let group = lb.forward_to(s, "Shop", vpc, 80, "/");
        let listener = lb.listener();
        for id in ["First", "Second"] {
            let paths = [Condition::paths(&[&format!("/{id}/*")])];
            listener.add_rule(s, id, 5, &paths, Action::Forward(group.clone()));
        }
    });
    let errors = stack.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].path, "web/Lb/Second");
    assert!(
        errors[0].message.contains("Lb/First"),
        "{}",
        errors[0].message
    );
}

#[test]
fn a_test_listener_for_blue_green_gets_its_own_default() {
    let stack = lb_stack(|s, vpc, lb| {
        let blue = lb.forward_to(s, "Blue", vpc, 80, "/");
        let green = TargetGroup::new(s, lb, "Green", vpc, TargetGroupOptions::new(80, "/"));
        let test = lb.add_listener(s, "TestListener", 8080);
        test.forward_by_default(s, &green);
        let _ = blue;
    });
    let t = synth(stack);
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        json!({"Port": 8080, "Protocol": "HTTP",
               "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "LbGreen"}}]}),
    );
}

#[test]
fn grants_on_a_referenced_bucket_and_table_change_only_the_consumer_role() {
    let env = Environment::new("dev", "eu-central-1");
    let mut app = StackSet::new("test", env.clone());
    let mut data = Stack::new("data", env.clone());
    let bucket = Bucket::new(&mut data, "Uploads");
    let table = Table::new(&mut data, "Items", Key::string("id"));
    let (bucket_target, table_target) = (bucket.target().clone(), table.target().clone());
    app.add_stack(data);
    let mut consumer = Stack::new("consumer", env);
    let role = Role::for_service(&mut consumer, "Worker", "lambda.amazonaws.com");
    BucketReference::from_target(bucket_target).grant_read(&mut consumer, &role, "*");
    TableReference::from_target(table_target).grant_read(&mut consumer, &role);
    app.add_stack(consumer);
    let assembly = app.synth().expect("synthesizes");
    let consumer = &assembly.stacks[1].template;
    // Only the role and its policy: no second bucket policy replacing the owner's.
    let all = consumer.to_value().to_json();
    let types: Vec<&str> = all["Resources"]
        .as_object()
        .unwrap()
        .values()
        .map(|r| r["Type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["AWS::IAM::Role", "AWS::IAM::Policy"]);
    let owner = &assembly.stacks[0].template;
    owner.resource_count_is("AWS::S3::BucketPolicy", 1);
}

#[test]
fn a_roles_default_policy_is_found_by_its_handle() {
    let mut stack = Stack::new("svc", Environment::new("dev", "eu-central-1"));
    // A pinned logical id: the policy is still the one child of this role.
    stack.pin_logical_id("Worker", "KeptRole");
    let role = Role::for_service(&mut stack, "Worker", "lambda.amazonaws.com");
    assert!(role.default_policy(&stack).is_none());
    let table = Table::new(&mut stack, "Items", Key::string("id"));
    table.grant_read(&mut stack, &role);
    table.grant_write(&mut stack, &role);
    let policy = role
        .default_policy(&stack)
        .expect("created on the first grant");
    assert_eq!(policy.logical_id, "WorkerDefaultPolicy");
    let t = synth(stack);
    t.resource_count_is("AWS::IAM::Policy", 1);
}

#[test]
fn one_metric_serves_alarms_scaling_and_dashboards() {
    let mut stack = Stack::new("ops", Environment::new("dev", "eu-central-1"));
    let depth = Metric::new("App", "QueueDepth")
        .dimension("Queue", "counts")
        .stat(Stat::Maximum)
        .period(std::time::Duration::from_secs(60));
    Alarm::new(
        &mut stack,
        "Backlog",
        &depth,
        AlarmOptions {
            description: "Backlog".into(),
            threshold: Threshold::Above(1000.0),
            periods: 3,
            notify: None,
        },
    );
    Dashboard::new(
        &mut stack,
        "Board",
        &[Graph::new("Queue \"depth\"", vec![depth])],
    );
    let t = synth(stack);
    t.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        json!({"Namespace": "App", "MetricName": "QueueDepth", "Statistic": "Maximum",
               "Period": 60, "EvaluationPeriods": 3, "Threshold": 1000.0,
               "Dimensions": [{"Name": "Queue", "Value": "counts"}]}),
    );
    let (_, board) = t.find_resources("AWS::CloudWatch::Dashboard").remove(0);
    let parts = board["Properties"]["DashboardBody"]["Fn::Join"][1]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().map_or("eu-central-1".to_owned(), str::to_owned))
        .collect::<String>();
    let body: Json = serde_json::from_str(&parts).expect("the dashboard body is JSON");
    assert_eq!(
        body["widgets"][0]["properties"]["metrics"][0],
        json!(["App", "QueueDepth", "Queue", "counts", {"stat": "Maximum", "period": 60}])
    );
    assert_eq!(
        body["widgets"][0]["properties"]["title"],
        json!("Queue \"depth\"")
    );
}
