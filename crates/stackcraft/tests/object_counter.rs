//! The object-counter blueprint (seed 001) as the shipped stackcraft.toml configures it:
//! exact grants, the event wiring, the Lambda assets, and what prod adds over dev.

mod common;

use serde_json::{json, Value as Json};
use stackcraft::core::assertions::TemplateAssertions;
use stackcraft::core::template::Template;
use stackcraft::core::SynthesizedStack;

fn objects(env: &str) -> SynthesizedStack {
    common::shipped_stack(env, "objects")
}

/// The `objects` stack of configuration `text` (workloads built from this repository).
fn objects_with(env: &str, text: &str) -> Result<SynthesizedStack, stackcraft::Error> {
    Ok(common::synth(text, env)?
        .stack("objects")
        .expect("the config has an objects stack")
        .clone())
}

#[test]
fn an_existing_bucket_is_counted_without_being_managed() {
    let text = common::shipped_config().replacen(
        "prefix = \"uploads/\"",
        "prefix = \"uploads/\"\nbucket_name = \"team-shared-uploads\"",
        1,
    );
    let t = objects_with("dev", &text).unwrap().template;
    t.resource_count_is("AWS::S3::Bucket", 0);
    t.has_resource_properties("AWS::SNS::TopicPolicy", json!({"PolicyDocument": {"Statement": [
        {"Effect": "Deny"},
        {"Principal": {"Service": "s3.amazonaws.com"}, "Condition": {"ArnLike": {"aws:SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:s3:::team-shared-uploads"}}}},
    ]}}));
    t.has_resource_properties(
        "AWS::Lambda::Function",
        json!({"Environment": {"Variables": {"BUCKET_NAME": "team-shared-uploads"}}}),
    );
    let setup =
        t.to_value().to_json()["Outputs"]["NotificationSetup"]["Value"]["Fn::Sub"][0].clone();
    let setup = setup.as_str().unwrap().to_owned();
    assert!(
        setup.starts_with(
            "aws s3api put-bucket-notification-configuration --bucket team-shared-uploads"
        ),
        "{setup}"
    );
    assert!(
        setup.contains(r#""FilterRules":[{"Name":"prefix","Value":"uploads/"}]"#),
        "{setup}"
    );

    let bad = text.replace("team-shared-uploads", "Team_Uploads");
    let err = objects_with("dev", &bad).unwrap_err().to_string();
    assert!(
        err.contains("key `stacks.objects.settings.bucket_name`")
            && err.contains("is not an S3 bucket name"),
        "{err}"
    );
}

/// The statements of the default policy of the role of function `function`.
fn policy_statements(t: &Template, function: &str) -> Vec<Json> {
    let policy =
        t.to_value().to_json()["Resources"][format!("{function}ServiceRoleDefaultPolicy")].clone();
    policy["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn dynamodb_statements(t: &Template, function: &str) -> Vec<Json> {
    policy_statements(t, function)
        .into_iter()
        .filter(|s| s["Action"].to_string().contains("dynamodb:"))
        .collect()
}

#[test]
fn each_function_holds_exactly_the_table_actions_it_uses_on_exactly_that_table() {
    let t = objects("dev").template;
    let table = json!({"Fn::GetAtt": ["Counts", "Arn"]});
    assert_eq!(
        dynamodb_statements(&t, "Counter"),
        [
            json!({"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], "Resource": table})
        ]
    );
    assert_eq!(
        dynamodb_statements(&t, "Reader"),
        [
            json!({"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query"], "Resource": table})
        ]
    );
}

#[test]
fn no_policy_grants_a_wildcard_action() {
    for env in ["dev", "prod"] {
        let t = objects(env).template;
        for (id, policy) in t.find_resources("AWS::IAM::Policy") {
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]
                .as_array()
                .unwrap()
            {
                let actions = match &statement["Action"] {
                    Json::String(a) => vec![a.clone()],
                    Json::Array(a) => a.iter().map(|a| a.as_str().unwrap().to_owned()).collect(),
                    other => panic!("{other}"),
                };
                assert!(
                    actions
                        .iter()
                        .all(|a| !a.contains('*') || a.ends_with("GenerateDataKey*")),
                    "{id}: {actions:?}"
                );
            }
        }
    }
}

#[test]
fn s3_events_flow_through_an_encrypted_topic_to_the_counter() {
    let t = objects("dev").template;
    let filter = json!({"S3Key": {"Rules": [{"Name": "prefix", "Value": "uploads/"}]}});
    t.has_resource_properties(
        "AWS::S3::Bucket",
        json!({"NotificationConfiguration": {"TopicConfigurations": [
            {"Event": "s3:ObjectCreated:*", "Topic": {"Ref": "ObjectEvents"}, "Filter": filter},
            {"Event": "s3:ObjectRemoved:*", "Topic": {"Ref": "ObjectEvents"}, "Filter": filter},
        ]}}),
    );
    // The bucket is created after the policy that lets it publish (S3 checks it).
    t.has_resource(
        "AWS::S3::Bucket",
        json!({"DependsOn": "ObjectEventsPolicy"}),
    );
    // Only this bucket of this account may publish; the name is known before deploy.
    let bucket_arn = json!({"Fn::Sub": ["arn:${AWS::Partition}:s3:::${Name}", {"Name": {"Fn::Sub": "stackcraft-demo-dev-objects-objects-${AWS::AccountId}-eu-central-1"}}]});
    t.has_resource_properties("AWS::SNS::TopicPolicy", json!({"PolicyDocument": {"Statement": [
        {"Effect": "Deny", "Action": "sns:Publish"},
        {"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sns:Publish",
         "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}, "ArnLike": {"aws:SourceArn": bucket_arn}}},
    ]}}));
    t.has_resource_properties(
        "AWS::SNS::Topic",
        json!({"KmsMasterKeyId": {"Fn::GetAtt": ["ObjectEventsKey", "Arn"]}}),
    );
    t.has_resource_properties("AWS::KMS::Key", json!({"EnableKeyRotation": true}));
    t.has_resource_properties("AWS::SNS::Subscription", json!({"Protocol": "lambda", "TopicArn": {"Ref": "ObjectEvents"}, "Endpoint": {"Fn::GetAtt": ["Counter", "Arn"]}}));
    t.has_resource_properties(
        "AWS::Lambda::Permission",
        json!({"Principal": "sns.amazonaws.com", "SourceArn": {"Ref": "ObjectEvents"}}),
    );
}

#[test]
fn functions_run_the_rust_assets_listed_in_the_manifest() {
    let stack = objects("dev");
    assert_eq!(stack.assets.len(), 2, "counter and reader zips");
    for asset in &stack.assets {
        assert_eq!(asset.hash.len(), 64);
        assert!(asset.source.exists());
        stack.template.has_resource_properties("AWS::Lambda::Function", json!({
            "Runtime": "provided.al2023",
            "Handler": "bootstrap",
            "Architectures": ["x86_64"],
            "Code": {"S3Bucket": {"Fn::Sub": "stackcraft-assets-${AWS::AccountId}-${AWS::Region}"}, "S3Key": asset.object_key},
        }));
    }
    // Each function logs to its own group, as JSON, and may write nowhere else.
    stack.template.has_resource_properties(
        "AWS::Lambda::Function",
        json!({"LoggingConfig": {"LogGroup": {"Ref": "CounterLogs"}, "LogFormat": "JSON"}}),
    );
    let logs: Vec<Json> = policy_statements(&stack.template, "Counter")
        .into_iter()
        .filter(|s| s["Action"].to_string().contains("logs:"))
        .collect();
    assert_eq!(
        logs,
        [
            json!({"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": {"Fn::GetAtt": ["CounterLogs", "Arn"]}})
        ]
    );
}

#[test]
fn the_api_serves_get_count_and_its_url_is_an_output() {
    let t = objects("prod").template;
    t.resource_count_is("AWS::ApiGateway::Method", 2);
    t.has_resource_properties(
        "AWS::ApiGateway::Resource",
        json!({"PathPart": "{prefix+}"}),
    );
    t.has_resource_properties("AWS::ApiGateway::Method", json!({"HttpMethod": "GET", "Integration": {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST"}}));
    t.has_resource_properties(
        "AWS::ApiGateway::Stage",
        json!({
            "StageName": "prod", "TracingEnabled": true,
            "AccessLogSetting": {"DestinationArn": {"Fn::GetAtt": ["ApiAccessLogs", "Arn"]}},
            "MethodSettings": [{"ThrottlingRateLimit": 100.0, "ThrottlingBurstLimit": 200}],
        }),
    );
    t.has_output("ApiUrl", json!({"Value": {"Fn::Sub": ["https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/prod/", {"Api": {"Ref": "Api"}}]}}));
    assert!(t.outputs.contains_key("CountUrl"));
}

#[test]
fn prod_adds_versioning_access_logs_recovery_protection_and_alarms() {
    let dev = objects("dev").template;
    let prod = objects("prod").template;

    dev.resource_count_is("AWS::S3::Bucket", 1);
    prod.resource_count_is("AWS::S3::Bucket", 2);
    prod.has_resource_properties("AWS::S3::Bucket", json!({"VersioningConfiguration": {"Status": "Enabled"}, "LoggingConfiguration": {"DestinationBucketName": {"Ref": "ObjectsAccessLogs"}}}));
    dev.lacks_resource_properties(
        "AWS::S3::Bucket",
        json!({"VersioningConfiguration": {"Status": "Enabled"}}),
    );

    prod.has_resource("AWS::DynamoDB::Table", json!({"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain", "Properties": {"PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true}, "DeletionProtectionEnabled": true}}));
    dev.has_resource("AWS::DynamoDB::Table", json!({"DeletionPolicy": "Delete", "Properties": {"PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": false}}}));

    prod.has_resource_properties("AWS::Logs::LogGroup", json!({"RetentionInDays": 365}));
    dev.has_resource_properties("AWS::Logs::LogGroup", json!({"RetentionInDays": 14}));

    dev.resource_count_is("AWS::CloudWatch::Alarm", 0);
    prod.resource_count_is("AWS::CloudWatch::Alarm", 4);
    prod.has_resource_properties("AWS::CloudWatch::Alarm", json!({"Namespace": "AWS/ApiGateway", "MetricName": "5XXError", "AlarmActions": [{"Ref": "Alarms"}]}));
    prod.has_resource_properties(
        "AWS::SNS::Subscription",
        json!({"Protocol": "email", "Endpoint": "ops@example.com"}),
    );
    prod.has_resource_properties(
        "AWS::Lambda::Function",
        json!({"ReservedConcurrentExecutions": 50}),
    );
}
