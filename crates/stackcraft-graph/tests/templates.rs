//! The graph of a template written by hand, with no construct paths (as `stackcraft graph`
//! would see any CloudFormation template): tiers from the routes, zones from literal zone
//! names, inline security-group rules, an SQS event source, folding by reference.

use indexmap::IndexMap;
use stackcraft_core::{Assembly, Environment, SynthesizedStack};
use stackcraft_graph::{EdgeKind, Format, Placement, Tier};
use stackcraft_template::Template;

const TEMPLATE: &str = r#"{
  "Resources": {
    "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
    "Igw": {"Type": "AWS::EC2::InternetGateway"},
    "PublicA": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "AvailabilityZone": "eu-west-1a", "CidrBlock": "10.0.0.0/24"}},
    "AppA": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "AvailabilityZone": "eu-west-1a", "CidrBlock": "10.0.1.0/24"}},
    "AppB": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "AvailabilityZone": "eu-west-1b", "CidrBlock": "10.0.2.0/24"}},
    "PublicRoutes": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}},
    "ToInternet": {"Type": "AWS::EC2::Route", "Properties": {"RouteTableId": {"Ref": "PublicRoutes"}, "GatewayId": {"Ref": "Igw"}, "DestinationCidrBlock": "0.0.0.0/0"}},
    "PublicAssoc": {"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {"SubnetId": {"Ref": "PublicA"}, "RouteTableId": {"Ref": "PublicRoutes"}}},
    "Nat": {"Type": "AWS::EC2::NatGateway", "Properties": {"SubnetId": {"Ref": "PublicA"}}},
    "AppRoutes": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}},
    "ToNat": {"Type": "AWS::EC2::Route", "Properties": {"RouteTableId": {"Ref": "AppRoutes"}, "NatGatewayId": {"Ref": "Nat"}, "DestinationCidrBlock": "0.0.0.0/0"}},
    "AppAssocA": {"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {"SubnetId": {"Ref": "AppA"}, "RouteTableId": {"Ref": "AppRoutes"}}},
    "AppAssocB": {"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {"SubnetId": {"Ref": "AppB"}, "RouteTableId": {"Ref": "AppRoutes"}}},
    "Jobs": {"Type": "AWS::SQS::Queue"},
    "WorkerRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}},
    "WorkerPolicy": {"Type": "AWS::IAM::Policy", "Properties": {"Roles": [{"Ref": "WorkerRole"}], "PolicyDocument": {"Statement": [{"Resource": {"Fn::GetAtt": ["Jobs", "Arn"]}}]}}},
    "WorkerSg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"VpcId": {"Ref": "Vpc"}}},
    "Worker": {"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Fn::GetAtt": ["WorkerRole", "Arn"]}, "VpcConfig": {"SubnetIds": [{"Ref": "AppA"}, {"Ref": "AppB"}], "SecurityGroupIds": [{"Ref": "WorkerSg"}]}, "Environment": {"Variables": {"DB": {"Fn::Sub": "${Db.Endpoint.Address}:3306"}}}}},
    "FromJobs": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {"EventSourceArn": {"Fn::GetAtt": ["Jobs", "Arn"]}, "FunctionName": {"Ref": "Worker"}}},
    "DbSg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"VpcId": {"Ref": "Vpc"}, "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "SourceSecurityGroupId": {"Ref": "WorkerSg"}}]}},
    "DbSubnets": {"Type": "AWS::RDS::DBSubnetGroup", "Properties": {"SubnetIds": [{"Ref": "AppA"}, {"Ref": "AppB"}]}},
    "Db": {"Type": "AWS::RDS::DBInstance", "Properties": {"DBSubnetGroupName": {"Ref": "DbSubnets"}, "VPCSecurityGroups": [{"Ref": "DbSg"}]}}
  }
}"#;

fn assembly() -> Assembly {
    Assembly {
        project: "demo".into(),
        environment: Environment::new("dev", "eu-west-1"),
        stacks: vec![SynthesizedStack {
            name: "app".into(),
            deployed_name: "demo-dev-app".into(),
            template: Template::from_json(TEMPLATE).unwrap(),
            dependencies: Vec::new(),
            blueprint: None,
            paths: IndexMap::new(),
            assets: Vec::new(),
            sites: Vec::new(),
            images: Vec::new(),
        }],
    }
}

#[test]
fn a_hand_written_template_is_grouped_folded_and_connected() {
    let g = stackcraft_graph::graph(&assembly());
    let vpc = &g.vpcs[0];
    assert_eq!(
        vpc.zones,
        [
            "Availability Zone eu-west-1a",
            "Availability Zone eu-west-1b"
        ]
    );
    assert_eq!(vpc.tiers(), [Tier::Public, Tier::Private]);
    let at = |path| g.node("app", path).unwrap().placement.clone();
    assert_eq!(
        at("Worker"),
        Placement::Subnets {
            vpc: 0,
            tier: Tier::Private,
            zones: vec![0, 1]
        }
    );
    assert_eq!(
        at("Nat"),
        Placement::Subnets {
            vpc: 0,
            tier: Tier::Public,
            zones: vec![0]
        }
    );
    assert_eq!(at("Jobs"), Placement::Region);

    // Without construct paths, plumbing joins what it names or what names it.
    let owner = |id| g.owner_of("app", id).map(|n| g.nodes[n].path.as_str());
    assert_eq!(owner("WorkerRole"), Some("Worker"));
    assert_eq!(owner("WorkerPolicy"), Some("Worker"));
    assert_eq!(owner("WorkerSg"), Some("Worker"));
    assert_eq!(owner("DbSubnets"), Some("Db"));
    assert_eq!(owner("DbSg"), Some("Db"));
    assert_eq!(owner("AppRoutes"), None);

    let edge = |from, to| {
        let edges = g.edges_between(("app", from), ("app", to));
        assert_eq!(edges.len(), 1, "{from} → {to}: {:?}", g.edges);
        (edges[0].kind, edges[0].label.clone())
    };
    assert_eq!(edge("Jobs", "Worker"), (EdgeKind::Event, None));
    assert_eq!(
        edge("Worker", "Db"),
        (EdgeKind::Network, Some("TCP 5432".into()))
    );
    // The worker's grant on the queue runs against the event's flow: one line, not two.
    assert!(g
        .edges_between(("app", "Worker"), ("app", "Jobs"))
        .is_empty());
    // No internet node: nothing is open to it.
    assert!(g.nodes.iter().all(|n| n.placement != Placement::Internet));
}

#[test]
fn every_format_renders_the_same_bytes_twice() {
    for format in [Format::Svg, Format::Mermaid, Format::Dot] {
        let a = stackcraft_graph::diagram(&assembly(), format);
        assert_eq!(a, stackcraft_graph::diagram(&assembly(), format));
        assert!(a.contains("Worker"));
    }
}
