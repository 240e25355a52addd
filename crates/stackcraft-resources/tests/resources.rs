//! Run with `cargo test -p stackcraft-resources --features all` (or at least
//! `--features s3,lambda,ec2,iam,sqs`).
#![cfg(all(
    feature = "s3",
    feature = "lambda",
    feature = "ec2",
    feature = "iam",
    feature = "sqs"
))]

use serde_json::json;
use stackcraft_resources::{ec2, iam, lambda, s3, sqs};
use stackcraft_template::{get_att, sub, Expr, Map, ResourceType, Tagging, Target, Value};

/// The properties as JSON text, so that key order is compared too.
fn props<R: ResourceType>(resource: R) -> String {
    let map: Map = resource.into_properties();
    serde_json::to_string(&Value::Map(map).to_json()).unwrap()
}

fn text(v: serde_json::Value) -> String {
    serde_json::to_string(&v).unwrap()
}

#[test]
fn bucket_with_nested_types_and_enums() {
    let bucket = s3::Bucket::new()
        .versioning_configuration(s3::bucket::VersioningConfiguration::new(
            s3::bucket::VersioningConfigurationStatus::Enabled,
        ))
        .bucket_name("my-bucket")
        .bucket_encryption(s3::bucket::BucketEncryption::new(vec![
            s3::bucket::ServerSideEncryptionRule::new()
                .bucket_key_enabled(true)
                .server_side_encryption_by_default(
                    s3::bucket::ServerSideEncryptionByDefault::new(
                        s3::bucket::SseAlgorithm::AwsKms,
                    )
                    .kms_master_key_id(get_att::<String>(&Target::local("Key"), "Arn")),
                ),
        ]))
        .tags(vec![s3::bucket::Tag::new("team", sub("${AWS::StackName}"))])
        .object_lock_enabled(true);
    // Written in schema order, whatever the order of the setter calls.
    assert_eq!(
        props(bucket),
        text(json!({
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [{
                    "BucketKeyEnabled": true,
                    "ServerSideEncryptionByDefault": {
                        "KMSMasterKeyID": {"Fn::GetAtt": ["Key", "Arn"]},
                        "SSEAlgorithm": "aws:kms"
                    }
                }]
            },
            "BucketName": "my-bucket",
            "ObjectLockEnabled": true,
            "Tags": [{"Key": "team", "Value": {"Fn::Sub": "${AWS::StackName}"}}],
            "VersioningConfiguration": {"Status": "Enabled"}
        }))
    );
    assert_eq!(props(s3::Bucket::default()), "{}");
}

#[test]
fn unknown_enum_values_are_written_as_is() {
    let bucket =
        s3::Bucket::new().versioning_configuration(s3::bucket::VersioningConfiguration::new(
            s3::bucket::VersioningConfigurationStatus::Unknown("x".into()),
        ));
    assert_eq!(
        props(bucket),
        text(json!({"VersioningConfiguration": {"Status": "x"}}))
    );
    assert_eq!(s3::bucket::SseAlgorithm::Aes256.as_str(), "AES256");
    assert_eq!(s3::bucket::SseAlgorithm::Unknown("y".into()).as_str(), "y");
}

#[test]
fn function_with_required_properties() {
    let role = iam::RoleRef::from(Target::local("Role"));
    let function = lambda::Function::new(
        lambda::function::Code::new().zip_file("exports.handler = async () => {};"),
        role.arn(),
    )
    .runtime(lambda::function::Runtime::Nodejs20X)
    .handler("index.handler")
    .memory_size(256)
    .architectures(vec![lambda::function::Architecture::Arm64])
    .environment(
        lambda::function::Environment::new().variables(
            [(
                "QUEUE".to_owned(),
                sqs::QueueRef::from(Target::local("Q")).queue_url().cast(),
            )]
            .into_iter()
            .collect::<indexmap::IndexMap<_, _>>(),
        ),
    );
    assert_eq!(
        props(function),
        text(json!({
            "Architectures": ["arm64"],
            "Code": {"ZipFile": "exports.handler = async () => {};"},
            "Environment": {"Variables": {"QUEUE": {"Fn::GetAtt": ["Q", "QueueUrl"]}}},
            "Handler": "index.handler",
            "MemorySize": 256,
            "Role": {"Fn::GetAtt": ["Role", "Arn"]},
            "Runtime": "nodejs20.x"
        }))
    );
}

#[test]
fn security_group_with_rules() {
    let sg = ec2::SecurityGroup::new("web servers")
        .vpc_id(stackcraft_template::ref_::<String>("Vpc"))
        .security_group_ingress(vec![ec2::security_group::Ingress::new("tcp")
            .from_port(443)
            .to_port(443)
            .cidr_ip("0.0.0.0/0")]);
    assert_eq!(
        props(sg),
        text(json!({
            "GroupDescription": "web servers",
            "SecurityGroupIngress": [{
                "CidrIp": "0.0.0.0/0",
                "FromPort": 443,
                "IpProtocol": "tcp",
                "ToPort": 443
            }],
            "VpcId": {"Ref": "Vpc"}
        }))
    );
}

#[test]
fn handles_build_ref_and_get_att() {
    let bucket = s3::BucketRef::from(Target::local("B"));
    assert_eq!(bucket.logical_id(), "B");
    assert_eq!(bucket.target(), &Target::local("B"));
    assert_eq!(
        bucket.arn().into_value().to_json(),
        json!({"Fn::GetAtt": ["B", "Arn"]})
    );
    assert_eq!(bucket.ref_().into_value().to_json(), json!({"Ref": "B"}));
    let arn: Expr<String> = bucket.arn();
    // A handle's attribute is accepted where the property's type matches.
    let _ = iam::Policy::new(json!({"Version": "2012-10-17"}), "p").roles(vec![arn]);
    let sg = ec2::SecurityGroupRef::from(Target::local("Sg"));
    assert_eq!(
        sg.group_id().into_value().to_json(),
        json!({"Fn::GetAtt": ["Sg", "GroupId"]})
    );
}

#[test]
fn resource_type_constants() {
    assert_eq!(s3::Bucket::TYPE_NAME, "AWS::S3::Bucket");
    assert_eq!(s3::Bucket::TAGGING, Tagging::List);
    assert_eq!(
        s3::Bucket::CREATE_ONLY,
        &["BucketName", "BucketNamePrefix", "BucketNamespace"]
    );
    assert_eq!(lambda::Function::TYPE_NAME, "AWS::Lambda::Function");
    assert_eq!(
        ec2::SecurityGroup::CREATE_ONLY,
        &["GroupDescription", "GroupName", "VpcId"]
    );
    assert_eq!(sqs::Queue::TAGGING, Tagging::List);
    assert_eq!(iam::Policy::TAGGING, Tagging::None);
    assert_eq!(ec2::Vpc::TYPE_NAME, "AWS::EC2::VPC");
}

#[test]
fn resource_type_list() {
    let all = stackcraft_resources::RESOURCE_TYPES;
    // Every AWS:: type of the pinned cfn-lint 1.58.0 schemas (us-east-1).
    assert_eq!(all.len(), 1853, "{} resource types", all.len());
    assert!(all.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
    for t in [
        "AWS::S3::Bucket",
        "AWS::Lambda::Function",
        "AWS::EC2::SecurityGroup",
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "AWS::CertificateManager::Certificate",
    ] {
        assert!(all.contains(&t), "{t}");
    }
    assert!(s3::RESOURCE_TYPES.contains(&"AWS::S3::BucketPolicy"));
}
