//! A stack written to break the rules: every resource is built the way a hurried engineer
//! might, and `EXPECTED` lists what `stackcraft check` must say about it, by construct path.

use serde_json::json;
use stackcraft::core::template::{Map, Parameter, Policy, Tagging, Value};
use stackcraft::core::{Environment, Stack, SynthesizedStack};

/// Adds a resource of `type_` at `path` (`Scope/Id`) with raw properties.
fn raw(stack: &mut Stack, path: &str, type_: &str, props: serde_json::Value) {
    let (scope, id) = path.rsplit_once('/').expect("a scoped path");
    let properties: Map = match Value::from(props) {
        Value::Map(m) => m,
        _ => panic!("properties are a map"),
    };
    stack.scope(scope, |s| s.add_raw(id, type_, properties, Tagging::None));
}

/// (rule, construct path) of every finding; `true` when the rule is one of protected
/// environments only.
pub const EXPECTED: &[(&str, &str, bool)] = &[
    ("SC-S3-001", "Uploads/Bucket", false),
    ("SC-S3-002", "Uploads/Bucket", false),
    ("SC-S3-003", "Uploads/Bucket", false),
    ("SC-S3-004", "Uploads/Bucket", false),
    ("SC-S3-006", "Uploads/Bucket", false),
    ("SC-S3-007", "Uploads/Bucket", true),
    ("SC-DATA-001", "Uploads/Bucket", true),
    ("SC-S3-005", "Uploads/Policy", false),
    ("SC-VPC-001", "Network/Vpc", true),
    ("SC-EC2-001", "Network/WebSecurityGroup", false),
    ("SC-EC2-001", "Network/SshFromAnywhere", false),
    ("SC-EC2-002", "Server/Instance", false),
    ("SC-EC2-003", "Server/Instance", false),
    ("SC-EBS-002", "Server/Instance", false),
    ("SC-SEC-002", "Server/Instance", false),
    ("SC-EC2-003", "Server/LaunchTemplate", false),
    ("SC-EBS-001", "Disk/Volume", false),
    ("SC-RDS-001", "Database/Instance", false),
    ("SC-RDS-002", "Database/Instance", false),
    ("SC-SEC-003", "Database/Instance", false),
    ("SC-RDS-003", "Database/Instance", true),
    ("SC-DATA-002", "Database/Instance", true),
    ("SC-DATA-001", "Database/Instance", true),
    ("SC-EC-001", "Cache/ReplicationGroup", false),
    ("SC-EC-002", "Cache/ReplicationGroup", false),
    ("SC-SEC-003", "Cache/ReplicationGroup", false),
    ("SC-EC-004", "Cache/ReplicationGroup", true),
    ("SC-DATA-001", "Cache/ReplicationGroup", true),
    ("SC-EC-003", "Cache/Memcached", false),
    ("SC-EFS-001", "Files/FileSystem", false),
    ("SC-DATA-001", "Files/FileSystem", true),
    ("SC-SNS-001", "Events/Topic", false),
    ("SC-SQS-001", "Events/Queue", false),
    ("SC-DDB-001", "Counts/Table", false),
    ("SC-DDB-002", "Counts/Table", true),
    ("SC-DATA-002", "Counts/Table", true),
    ("SC-DATA-001", "Counts/Table", true),
    ("SC-LOGS-001", "App/Logs", false),
    ("SC-LOGS-002", "App/Logs", false),
    ("SC-DATA-001", "App/Logs", true),
    ("SC-IAM-001", "Admin/Role", false),
    ("SC-IAM-002", "Admin/Role", false),
    ("SC-IAM-003", "Admin/Role", false),
    ("SC-IAM-004", "Admin/Role", false),
    ("SC-IAM-005", "Admin/Role", false),
    ("SC-IAM-005", "Admin/PublicRole", false),
    ("SC-SEC-004", "App/Secret", false),
    ("SC-SEC-005", "App/Secret", false),
    ("SC-DATA-001", "App/Secret", true),
    ("SC-LAMBDA-001", "App/Function", false),
    ("SC-LAMBDA-002", "App/Function", false),
    ("SC-LAMBDA-003", "App/Function", false),
    ("SC-SEC-001", "App/Function", false),
    ("SC-ECS-001", "App/Task", false),
    ("SC-ECS-002", "App/Task", false),
    ("SC-ECS-003", "App/Task", false),
    ("SC-ECS-004", "App/Task", false),
    ("SC-SEC-001", "App/Task", false),
    ("SC-ELB-001", "Balancer/LoadBalancer", false),
    ("SC-ELB-002", "Balancer/HttpListener", false),
    ("SC-ELB-003", "Balancer/HttpsListener", false),
    ("SC-CF-001", "Cdn/Distribution", false),
    ("SC-CF-002", "Cdn/Distribution", false),
    ("SC-CF-003", "Cdn/Distribution", false),
    ("SC-CF-004", "Cdn/Distribution", false),
    ("SC-CF-005", "Cdn/Distribution", false),
    ("SC-APIGW-001", "Api/Stage", false),
    ("SC-APIGW-002", "Api/Stage", false),
    ("SC-APIGW-003", "Api/PostItems", false),
];

/// Builds the insecure stack.
pub fn insecure(stack: &mut Stack) {
    raw(
        stack,
        "Uploads/Bucket",
        "AWS::S3::Bucket",
        json!({ "AccessControl": "PublicRead" }),
    );
    raw(
        stack,
        "Uploads/Policy",
        "AWS::S3::BucketPolicy",
        json!({
            "Bucket": { "Ref": "UploadsBucket" },
            "PolicyDocument": { "Version": "2012-10-17", "Statement": [{
                "Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                "Resource": { "Fn::Sub": "${UploadsBucket.Arn}/*" } }] }
        }),
    );

    raw(
        stack,
        "Network/Vpc",
        "AWS::EC2::VPC",
        json!({ "CidrBlock": "10.0.0.0/16" }),
    );
    raw(
        stack,
        "Network/WebSecurityGroup",
        "AWS::EC2::SecurityGroup",
        json!({
            "GroupDescription": "web servers", "VpcId": { "Ref": "NetworkVpc" },
            "SecurityGroupIngress": [
                { "IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "CidrIp": "0.0.0.0/0" },
                { "IpProtocol": "-1", "CidrIpv6": "::/0" }
            ]
        }),
    );
    raw(
        stack,
        "Network/SshFromAnywhere",
        "AWS::EC2::SecurityGroupIngress",
        json!({
            "GroupId": { "Fn::GetAtt": ["NetworkWebSecurityGroup", "GroupId"] },
            "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"
        }),
    );
    // A load balancer's 443 from the internet is fine: no finding on this group.
    raw(
        stack,
        "Balancer/SecurityGroup",
        "AWS::EC2::SecurityGroup",
        json!({
            "GroupDescription": "load balancer", "VpcId": { "Ref": "NetworkVpc" },
            "SecurityGroupIngress": [
                { "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0" }
            ]
        }),
    );

    raw(
        stack,
        "Server/LaunchTemplate",
        "AWS::EC2::LaunchTemplate",
        json!({
            "LaunchTemplateData": { "InstanceType": "t3.micro",
                "MetadataOptions": { "HttpTokens": "optional" } }
        }),
    );
    raw(
        stack,
        "Server/Instance",
        "AWS::EC2::Instance",
        json!({
            "ImageId": "ami-12345678", "InstanceType": "t3.micro",
            "NetworkInterfaces": [{ "DeviceIndex": "0", "AssociatePublicIpAddress": true,
                "SubnetId": "subnet-12345678" }],
            "BlockDeviceMappings": [{ "DeviceName": "/dev/xvda",
                "Ebs": { "VolumeSize": 20, "Encrypted": false } }],
            "UserData": { "Fn::Base64": { "Fn::Sub":
                "#!/bin/bash\nexport DB_PASSWORD=hunter2hunter2\n/opt/app/start --region ${AWS::Region}\n" } }
        }),
    );
    raw(
        stack,
        "Disk/Volume",
        "AWS::EC2::Volume",
        json!({
            "AvailabilityZone": "eu-central-1a", "Size": 10, "Encrypted": false
        }),
    );

    raw(
        stack,
        "Database/Instance",
        "AWS::RDS::DBInstance",
        json!({
            "Engine": "mysql", "DBInstanceClass": "db.t3.micro", "AllocatedStorage": "20",
            "MasterUsername": "admin", "MasterUserPassword": "correct-horse-battery",
            "PubliclyAccessible": true, "StorageEncrypted": false, "BackupRetentionPeriod": 1
        }),
    );
    stack.parameter::<String>("CacheAuthToken", Parameter::new("String"));
    raw(
        stack,
        "Cache/ReplicationGroup",
        "AWS::ElastiCache::ReplicationGroup",
        json!({
            "ReplicationGroupDescription": "cache", "Engine": "redis",
            "CacheNodeType": "cache.t3.micro", "NumCacheClusters": 1,
            "AuthToken": { "Ref": "CacheAuthToken" }, "SnapshotRetentionLimit": 0
        }),
    );
    raw(
        stack,
        "Cache/Memcached",
        "AWS::ElastiCache::CacheCluster",
        json!({
            "Engine": "memcached", "CacheNodeType": "cache.t3.micro", "NumCacheNodes": 1
        }),
    );
    raw(
        stack,
        "Files/FileSystem",
        "AWS::EFS::FileSystem",
        json!({ "PerformanceMode": "generalPurpose" }),
    );
    raw(
        stack,
        "Events/Topic",
        "AWS::SNS::Topic",
        json!({ "DisplayName": "events" }),
    );
    raw(
        stack,
        "Events/Queue",
        "AWS::SQS::Queue",
        json!({ "SqsManagedSseEnabled": false }),
    );
    raw(
        stack,
        "Counts/Table",
        "AWS::DynamoDB::Table",
        json!({
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{ "AttributeName": "pk", "AttributeType": "S" }],
            "KeySchema": [{ "AttributeName": "pk", "KeyType": "HASH" }]
        }),
    );
    raw(stack, "App/Logs", "AWS::Logs::LogGroup", json!({}));

    raw(
        stack,
        "Admin/Role",
        "AWS::IAM::Role",
        json!({
            "AssumeRolePolicyDocument": { "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111122223333:root" },
                "Action": "sts:AssumeRole" }] },
            "ManagedPolicyArns": [
                "arn:aws:iam::aws:policy/AdministratorAccess",
                { "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonS3ReadOnlyAccess" }
            ],
            "Policies": [{ "PolicyName": "everything", "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{ "Effect": "Allow", "Action": ["s3:*", "dynamodb:GetItem"], "Resource": "*" }] } }]
        }),
    );
    raw(
        stack,
        "Admin/PublicRole",
        "AWS::IAM::Role",
        json!({
            "AssumeRolePolicyDocument": { "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": { "AWS": "*" }, "Action": "sts:AssumeRole" }] }
        }),
    );
    // Same-account trust with a service: no finding.
    raw(
        stack,
        "App/ServiceRole",
        "AWS::IAM::Role",
        json!({
            "AssumeRolePolicyDocument": { "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": { "Service": "lambda.amazonaws.com" },
                "Action": "sts:AssumeRole" }] }
        }),
    );
    raw(
        stack,
        "App/Secret",
        "AWS::SecretsManager::Secret",
        json!({
            "GenerateSecretString": { "PasswordLength": 32 }
        }),
    );
    raw(
        stack,
        "App/Function",
        "AWS::Lambda::Function",
        json!({
            "Runtime": "python3.7", "Handler": "index.handler",
            "Role": { "Fn::GetAtt": ["AppServiceRole", "Arn"] },
            "Code": { "ZipFile": "def handler(event, context):\n    return 'ok'\n" },
            "Environment": { "Variables": { "TABLE": "counts", "DB_PASSWORD": "hunter2hunter2" } }
        }),
    );
    raw(
        stack,
        "App/Task",
        "AWS::ECS::TaskDefinition",
        json!({
            "RequiresCompatibilities": ["FARGATE"], "NetworkMode": "awsvpc", "Cpu": "256", "Memory": "512",
            "ContainerDefinitions": [{ "Name": "app", "Image": "nginx:latest", "Privileged": true,
                "Environment": [{ "Name": "API_TOKEN", "Value": "tok-0123456789abcdef" }] }]
        }),
    );

    raw(
        stack,
        "Balancer/LoadBalancer",
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        json!({
            "Scheme": "internet-facing", "Subnets": ["subnet-1", "subnet-2"],
            "SecurityGroups": [{ "Fn::GetAtt": ["BalancerSecurityGroup", "GroupId"] }]
        }),
    );
    raw(
        stack,
        "Balancer/HttpListener",
        "AWS::ElasticLoadBalancingV2::Listener",
        json!({
            "LoadBalancerArn": { "Ref": "BalancerLoadBalancer" }, "Port": 80, "Protocol": "HTTP",
            "DefaultActions": [{ "Type": "fixed-response",
                "FixedResponseConfig": { "StatusCode": "200" } }]
        }),
    );
    raw(
        stack,
        "Balancer/HttpsListener",
        "AWS::ElasticLoadBalancingV2::Listener",
        json!({
            "LoadBalancerArn": { "Ref": "BalancerLoadBalancer" }, "Port": 443, "Protocol": "HTTPS",
            "SslPolicy": "ELBSecurityPolicy-2016-08",
            "Certificates": [{ "CertificateArn": "arn:aws:acm:eu-central-1:111122223333:certificate/x" }],
            "DefaultActions": [{ "Type": "fixed-response",
                "FixedResponseConfig": { "StatusCode": "200" } }]
        }),
    );

    raw(
        stack,
        "Cdn/Distribution",
        "AWS::CloudFront::Distribution",
        json!({
            "DistributionConfig": { "Enabled": true,
                "DefaultCacheBehavior": { "TargetOriginId": "bucket", "ViewerProtocolPolicy": "allow-all",
                    "ForwardedValues": { "QueryString": false } },
                "Origins": [
                    { "Id": "bucket", "DomainName": { "Fn::GetAtt": ["UploadsBucket", "RegionalDomainName"] },
                      "S3OriginConfig": {} },
                    { "Id": "app", "DomainName": "app.example.com",
                      "CustomOriginConfig": { "OriginProtocolPolicy": "http-only" } }
                ],
                "ViewerCertificate": { "CloudFrontDefaultCertificate": true } }
        }),
    );

    raw(
        stack,
        "Api/RestApi",
        "AWS::ApiGateway::RestApi",
        json!({ "Name": "items" }),
    );
    raw(
        stack,
        "Api/PostItems",
        "AWS::ApiGateway::Method",
        json!({
            "RestApiId": { "Ref": "ApiRestApi" },
            "ResourceId": { "Fn::GetAtt": ["ApiRestApi", "RootResourceId"] },
            "HttpMethod": "POST", "AuthorizationType": "NONE", "Integration": { "Type": "MOCK" }
        }),
    );
    // A read-only method needs no authorization: no finding.
    raw(
        stack,
        "Api/GetItems",
        "AWS::ApiGateway::Method",
        json!({
            "RestApiId": { "Ref": "ApiRestApi" },
            "ResourceId": { "Fn::GetAtt": ["ApiRestApi", "RootResourceId"] },
            "HttpMethod": "GET", "AuthorizationType": "NONE", "Integration": { "Type": "MOCK" }
        }),
    );
    raw(
        stack,
        "Api/Deployment",
        "AWS::ApiGateway::Deployment",
        json!({
            "RestApiId": { "Ref": "ApiRestApi" }
        }),
    );
    raw(
        stack,
        "Api/Stage",
        "AWS::ApiGateway::Stage",
        json!({
            "RestApiId": { "Ref": "ApiRestApi" }, "DeploymentId": { "Ref": "ApiDeployment" },
            "StageName": "prod"
        }),
    );
    let logs = stack.lookup("App/Logs").expect("created above");
    stack.set_removal_policy(&logs, Policy::Delete);
}

/// The insecure stack synthesized for `env`.
pub fn synthesized(env: Environment) -> SynthesizedStack {
    let mut app = stackcraft::core::StackSet::new("insecure", env);
    insecure(app.stack("insecure"));
    let assembly = app.synth().expect("the insecure stack synthesizes");
    assembly.stacks.into_iter().next().expect("one stack")
}
