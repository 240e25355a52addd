//! What each CloudFormation resource type is in a diagram: a node with a service's look,
//! plumbing folded into its owner, or part of the network that groups the nodes.

/// The look of a node: its service's name, colour and icon.
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Service {
    /// What the node's second line says (`Application Load Balancer`).
    pub title: &'static str,
    pub category: Category,
    pub icon: Icon,
}

/// AWS's service categories, each with its colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Category {
    Compute,
    Containers,
    Storage,
    Database,
    Networking,
    Integration,
    Security,
    Management,
    DeveloperTools,
    External,
    Other,
}

impl Category {
    /// Fill colour of the category's icon badge.
    pub fn color(self) -> &'static str {
        match self {
            Category::Compute => "#ED7100",
            Category::Containers => "#D45B07",
            Category::Storage => "#3F8624",
            Category::Database => "#3B48CC",
            Category::Networking => "#8C4FFF",
            Category::Integration => "#E7157B",
            Category::Security => "#DD344C",
            Category::Management => "#B0084D",
            Category::DeveloperTools => "#C925D1",
            Category::External => "#232F3E",
            Category::Other => "#5A6B86",
        }
    }
}

/// The self-drawn glyph on a node's badge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Icon {
    Function,
    Container,
    Server,
    Bucket,
    Database,
    Cache,
    Table,
    Queue,
    Topic,
    LoadBalancer,
    Globe,
    Api,
    Gateway,
    Endpoint,
    Dns,
    Key,
    Lock,
    Person,
    Alarm,
    Chart,
    Logs,
    Registry,
    Users,
    Pipeline,
    Build,
    Cube,
}

/// How a resource type appears.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Always a node.
    Node(&'static Service),
    /// A node unless a construct it belongs to is one (a role or a key of its own, say).
    Standalone(&'static Service),
    /// Never a node: folded into its owner (by construct path, else what it names or what
    /// names it).
    Plumbing,
    /// The VPC: a group.
    Vpc,
    /// A subnet: a group.
    Subnet,
    /// Not drawn, and not an owner: logical containers (ECS clusters, namespaces) and the
    /// routing inside a VPC (drawn as its subnet tiers).
    Hidden,
}

/// What a resource's references mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refs {
    /// `A` names `B`: `A` uses `B`.
    Uses,
    /// A resource policy or monitoring: names principals, alarms and metrics, not data flow.
    Ignored,
    /// An event source mapping: the property names the source and the target.
    Event {
        source: &'static str,
        target: &'static str,
    },
}

macro_rules! service {
    ($name:ident, $title:expr, $category:ident, $icon:ident) => {
        pub static $name: Service = Service {
            title: $title,
            category: Category::$category,
            icon: Icon::$icon,
        };
    };
}

service!(FUNCTION, "Lambda function", Compute, Function);
service!(ECS_SERVICE, "ECS service", Containers, Container);
service!(TASK_DEFINITION, "ECS task definition", Containers, Cube);
service!(INSTANCE, "EC2 instance", Compute, Server);
service!(AUTO_SCALING_GROUP, "Auto Scaling group", Compute, Server);
service!(REPOSITORY, "ECR repository", Containers, Registry);
service!(BUCKET, "S3 bucket", Storage, Bucket);
service!(FILE_SYSTEM, "EFS file system", Storage, Database);
service!(RDS, "RDS database", Database, Database);
service!(AURORA, "Aurora cluster", Database, Database);
service!(CACHE, "ElastiCache", Database, Cache);
service!(TABLE, "DynamoDB table", Database, Table);
service!(LOAD_BALANCER, "Load balancer", Networking, LoadBalancer);
service!(DISTRIBUTION, "CloudFront distribution", Networking, Globe);
service!(REST_API, "API Gateway REST API", Networking, Api);
service!(HTTP_API, "API Gateway HTTP API", Networking, Api);
service!(NAT_GATEWAY, "NAT gateway", Networking, Gateway);
service!(INTERNET_GATEWAY, "Internet gateway", Networking, Gateway);
service!(VPC_ENDPOINT, "VPC endpoint", Networking, Endpoint);
service!(DNS_RECORD, "Route 53 record", Networking, Dns);
service!(HOSTED_ZONE, "Route 53 hosted zone", Networking, Dns);
service!(TOPIC, "SNS topic", Integration, Topic);
service!(QUEUE, "SQS queue", Integration, Queue);
service!(EVENT_RULE, "EventBridge rule", Integration, Topic);
service!(STATE_MACHINE, "Step Functions", Integration, Cube);
service!(ROLE, "IAM role", Security, Person);
service!(KMS_KEY, "KMS key", Security, Key);
service!(SECRET, "Secrets Manager secret", Security, Lock);
service!(CERTIFICATE, "ACM certificate", Security, Lock);
service!(WEB_ACL, "WAF web ACL", Security, Lock);
service!(USER_POOL, "Cognito user pool", Security, Person);
service!(ALARM, "CloudWatch alarm", Management, Alarm);
service!(DASHBOARD, "CloudWatch dashboard", Management, Chart);
service!(LOG_GROUP, "CloudWatch log group", Management, Logs);
service!(PARAMETER, "SSM parameter", Management, Key);
service!(PIPELINE, "CodePipeline pipeline", DeveloperTools, Pipeline);
service!(BUILD_PROJECT, "CodeBuild project", DeveloperTools, Build);
service!(OTHER, "AWS resource", Other, Cube);
// The people and systems on the internet: the node public entry points are reached from.
service!(INTERNET, "Users on the internet", External, Users);

/// The role of a resource type. Types not listed are standalone nodes with a generic look, so
/// any template draws.
pub fn role(type_name: &str) -> Role {
    use Role::*;
    match type_name {
        "AWS::Lambda::Function" | "AWS::Serverless::Function" => Node(&FUNCTION),
        "AWS::ECS::Service" => Node(&ECS_SERVICE),
        "AWS::EC2::Instance" => Node(&INSTANCE),
        "AWS::AutoScaling::AutoScalingGroup" => Node(&AUTO_SCALING_GROUP),
        "AWS::S3::Bucket" => Node(&BUCKET),
        "AWS::EFS::FileSystem" => Node(&FILE_SYSTEM),
        "AWS::RDS::DBInstance" => Node(&RDS),
        "AWS::RDS::DBCluster" => Node(&AURORA),
        "AWS::ElastiCache::ReplicationGroup" | "AWS::ElastiCache::CacheCluster" => Node(&CACHE),
        "AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable" => Node(&TABLE),
        "AWS::ElasticLoadBalancingV2::LoadBalancer" => Node(&LOAD_BALANCER),
        "AWS::CloudFront::Distribution" => Node(&DISTRIBUTION),
        "AWS::ApiGateway::RestApi" => Node(&REST_API),
        "AWS::ApiGatewayV2::Api" => Node(&HTTP_API),
        "AWS::EC2::NatGateway" => Node(&NAT_GATEWAY),
        "AWS::EC2::InternetGateway" => Node(&INTERNET_GATEWAY),
        "AWS::EC2::VPCEndpoint" => Node(&VPC_ENDPOINT),
        "AWS::Route53::RecordSet" => Node(&DNS_RECORD),
        "AWS::Route53::HostedZone" => Node(&HOSTED_ZONE),
        "AWS::SNS::Topic" => Node(&TOPIC),
        "AWS::SQS::Queue" => Node(&QUEUE),
        "AWS::Events::Rule" => Node(&EVENT_RULE),
        "AWS::StepFunctions::StateMachine" => Node(&STATE_MACHINE),
        "AWS::WAFv2::WebACL" => Node(&WEB_ACL),
        "AWS::Cognito::UserPool" => Node(&USER_POOL),
        "AWS::CodePipeline::Pipeline" => Node(&PIPELINE),
        "AWS::CodeBuild::Project" => Node(&BUILD_PROJECT),

        "AWS::ECS::TaskDefinition" => Standalone(&TASK_DEFINITION),
        "AWS::ECR::Repository" => Standalone(&REPOSITORY),
        "AWS::IAM::Role" => Standalone(&ROLE),
        "AWS::KMS::Key" => Standalone(&KMS_KEY),
        "AWS::SecretsManager::Secret" => Standalone(&SECRET),
        "AWS::CertificateManager::Certificate" => Standalone(&CERTIFICATE),
        "AWS::CloudWatch::Alarm" | "AWS::CloudWatch::CompositeAlarm" => Standalone(&ALARM),
        "AWS::CloudWatch::Dashboard" => Standalone(&DASHBOARD),
        "AWS::Logs::LogGroup" => Standalone(&LOG_GROUP),
        "AWS::SSM::Parameter" => Standalone(&PARAMETER),

        "AWS::EC2::VPC" => Vpc,
        "AWS::EC2::Subnet" => Subnet,
        "AWS::ECS::Cluster"
        | "AWS::EC2::RouteTable"
        | "AWS::EC2::Route"
        | "AWS::EC2::SubnetRouteTableAssociation"
        | "AWS::EC2::VPCGatewayAttachment"
        | "AWS::EC2::FlowLog"
        | "AWS::ServiceDiscovery::PrivateDnsNamespace"
        | "AWS::ServiceDiscovery::PublicDnsNamespace"
        | "AWS::ServiceDiscovery::HttpNamespace" => Hidden,

        t if is_plumbing(t) => Plumbing,
        _ => Standalone(&OTHER),
    }
}

/// Types that only configure, connect or permit something else.
fn is_plumbing(type_name: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "AWS::ApiGateway::",
        "AWS::ApiGatewayV2::",
        "AWS::ApplicationAutoScaling::",
        "AWS::ElasticLoadBalancingV2::",
        "AWS::ServiceDiscovery::",
        "AWS::CloudFront::",
        "AWS::IAM::",
        "AWS::KMS::",
        "AWS::Lambda::",
    ];
    const TYPES: &[&str] = &[
        "AWS::EC2::EIP",
        "AWS::EC2::SecurityGroup",
        "AWS::EC2::SecurityGroupIngress",
        "AWS::EC2::SecurityGroupEgress",
        "AWS::EC2::NetworkAcl",
        "AWS::EC2::NetworkAclEntry",
        "AWS::EC2::SubnetNetworkAclAssociation",
        "AWS::EC2::LaunchTemplate",
        "AWS::EFS::MountTarget",
        "AWS::RDS::DBSubnetGroup",
        "AWS::RDS::DBParameterGroup",
        "AWS::RDS::DBClusterParameterGroup",
        "AWS::ElastiCache::SubnetGroup",
        "AWS::ElastiCache::ParameterGroup",
        "AWS::S3::BucketPolicy",
        "AWS::SNS::TopicPolicy",
        "AWS::SNS::Subscription",
        "AWS::SQS::QueuePolicy",
        "AWS::SecretsManager::SecretTargetAttachment",
        "AWS::SecretsManager::RotationSchedule",
        "AWS::SecretsManager::ResourcePolicy",
        "AWS::Logs::SubscriptionFilter",
        "AWS::Logs::MetricFilter",
        "AWS::Route53::RecordSetGroup",
        "AWS::WAFv2::WebACLAssociation",
        "AWS::CertificateManager::Account",
    ];
    TYPES.contains(&type_name) || PREFIXES.iter().any(|p| type_name.starts_with(p))
}

/// What the references of a resource type mean.
pub fn refs(type_name: &str) -> Refs {
    match type_name {
        "AWS::SNS::Subscription" => Refs::Event {
            source: "TopicArn",
            target: "Endpoint",
        },
        "AWS::Lambda::Permission" => Refs::Event {
            source: "SourceArn",
            target: "FunctionName",
        },
        "AWS::Lambda::EventSourceMapping" => Refs::Event {
            source: "EventSourceArn",
            target: "FunctionName",
        },
        "AWS::S3::BucketPolicy"
        | "AWS::SNS::TopicPolicy"
        | "AWS::SQS::QueuePolicy"
        | "AWS::KMS::Key"
        | "AWS::SecretsManager::ResourcePolicy"
        | "AWS::CloudWatch::Alarm"
        | "AWS::CloudWatch::CompositeAlarm"
        | "AWS::CloudWatch::Dashboard"
        | "AWS::ApplicationAutoScaling::ScalingPolicy"
        | "AWS::ApplicationAutoScaling::ScalableTarget"
        | "AWS::EC2::SecurityGroupIngress"
        | "AWS::EC2::SecurityGroupEgress"
        | "AWS::SecretsManager::SecretTargetAttachment"
        | "AWS::ServiceDiscovery::Service"
        | "AWS::EC2::VPCEndpoint" => Refs::Ignored,
        _ => Refs::Uses,
    }
}

/// Properties whose references are event deliveries from the resource to the target.
pub const EVENT_PROPERTIES: &[&str] = &["NotificationConfiguration", "Targets"];

/// Types a reference to which points the other way: the load balancer sends to the service
/// that registers in its target group.
pub const REVERSED_TARGETS: &[&str] = &["AWS::ElasticLoadBalancingV2::TargetGroup"];

/// Services drawn outside every region.
pub fn is_global(service: &Service) -> bool {
    std::ptr::eq(service, &DISTRIBUTION)
        || std::ptr::eq(service, &DNS_RECORD)
        || std::ptr::eq(service, &HOSTED_ZONE)
}

/// Services the internet reaches directly when they exist.
pub fn is_public_entry(service: &Service) -> bool {
    std::ptr::eq(service, &DISTRIBUTION)
        || std::ptr::eq(service, &REST_API)
        || std::ptr::eq(service, &HTTP_API)
}
