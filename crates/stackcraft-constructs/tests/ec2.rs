//! ec2: the VPC's tiers, zones, NAT gateways, endpoints and flow logs per environment; security
//! groups that allow nothing until an edge is added, and edges written on both sides; launch
//! templates and the bastion host.

mod common;

use serde_json::{json, Value as Json};
use stackcraft_constructs::ec2::{
    BastionHost, BastionOptions, HasConnections, LaunchTemplate, LaunchTemplateOptions, Port,
    SecurityGroup, SubnetKind, Vpc, VpcOptions,
};
use stackcraft_constructs::iam::Role;
use stackcraft_core::assertions::TemplateAssertions;
use stackcraft_core::template::Template;
use stackcraft_core::{Environment, Stack};

use common::*;

fn build(env: Environment, f: impl FnOnce(&mut Stack)) -> Template {
    let mut stack = Stack::new("net", env);
    f(&mut stack);
    synth(stack)
}

fn routes_to(template: &Template, key: &str) -> usize {
    template
        .find_resources("AWS::EC2::Route")
        .iter()
        .filter(|(_, r)| r["Properties"].get(key).is_some())
        .count()
}

#[test]
fn dev_vpc_spans_two_zones_with_one_nat_gateway_and_no_flow_logs() {
    let t = build(dev(), |s| {
        Vpc::new(s, "Network");
    });
    t.resource_count_is("AWS::EC2::Subnet", 6);
    t.resource_count_is("AWS::EC2::NatGateway", 1);
    t.resource_count_is("AWS::EC2::FlowLog", 0);
    // Both private subnets route out through the one gateway; isolated ones have no route.
    assert_eq!(routes_to(&t, "NatGatewayId"), 2);
    assert_eq!(routes_to(&t, "GatewayId"), 2);
    t.has_resource_properties(
        "AWS::EC2::Subnet",
        json!({"CidrBlock": "10.0.0.0/19", "MapPublicIpOnLaunch": false,
               "AvailabilityZone": {"Fn::Select": [0, {"Fn::GetAZs": ""}]}}),
    );
    t.lacks_resource_properties("AWS::EC2::Subnet", json!({"MapPublicIpOnLaunch": true}));
}

#[test]
fn prod_vpc_spans_three_zones_with_a_nat_gateway_each_and_flow_logs() {
    let t = build(prod(), |s| {
        Vpc::new(s, "Network");
    });
    t.resource_count_is("AWS::EC2::Subnet", 9);
    t.resource_count_is("AWS::EC2::NatGateway", 3);
    t.resource_count_is("AWS::EC2::EIP", 3);
    t.has_resource_properties(
        "AWS::EC2::FlowLog",
        json!({"ResourceType": "VPC", "TrafficType": "ALL", "LogDestinationType": "cloud-watch-logs"}),
    );
    t.has_resource(
        "AWS::Logs::LogGroup",
        json!({"Properties": {"RetentionInDays": 365}, "DeletionPolicy": "Retain"}),
    );
    // Each private subnet uses the gateway of its own zone.
    let nat_refs: Vec<Json> = t
        .find_resources("AWS::EC2::Route")
        .into_iter()
        .filter_map(|(_, r)| r["Properties"].get("NatGatewayId").cloned())
        .collect();
    assert_eq!(nat_refs.len(), 3);
    for n in 1..=3 {
        let gateway = json!({"Ref": format!("NetworkPublicSubnet{n}NatGateway")});
        assert!(nat_refs.contains(&gateway), "{gateway} in {nat_refs:?}");
    }
}

#[test]
fn nat_gateways_and_zones_are_configurable_and_validated() {
    let t = build(prod(), |s| {
        Vpc::with(
            s,
            "Network",
            VpcOptions {
                nat_gateways: Some(0),
                az_count: Some(2),
                ..VpcOptions::default()
            },
        );
    });
    t.resource_count_is("AWS::EC2::NatGateway", 0);
    assert_eq!(routes_to(&t, "NatGatewayId"), 0);
    t.resource_count_is("AWS::EC2::Subnet", 6);

    let mut stack = Stack::new("net", dev());
    Vpc::with(
        &mut stack,
        "Network",
        VpcOptions {
            nat_gateways: Some(3),
            ..VpcOptions::default()
        },
    );
    Vpc::with(
        &mut stack,
        "Other",
        VpcOptions {
            cidr: Some("10.0.0.0/8".into()),
            ..VpcOptions::default()
        },
    );
    let errors: Vec<String> = stack.errors().iter().map(|e| e.to_string()).collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0].contains("net/Network") && errors[0].contains("NAT"),
        "{errors:?}"
    );
    assert!(
        errors[1].contains("net/Other") && errors[1].contains("/8"),
        "{errors:?}"
    );
}

#[test]
fn gateway_endpoints_serve_private_and_isolated_route_tables() {
    let t = build(dev(), |s| {
        Vpc::new(s, "Network");
    });
    let endpoints = t.find_resources("AWS::EC2::VPCEndpoint");
    assert_eq!(endpoints.len(), 2);
    for (_, e) in endpoints {
        assert_eq!(e["Properties"]["VpcEndpointType"], "Gateway");
        assert_eq!(
            e["Properties"]["RouteTableIds"].as_array().unwrap().len(),
            4
        );
    }
}

#[test]
fn a_security_group_allows_nothing_until_an_edge_is_added_on_both_sides() {
    let t = build(dev(), |s| {
        let vpc = Vpc::new(s, "Network");
        let web = s.scope("Web", |s| {
            SecurityGroup::new(s, "SecurityGroup", &vpc, "web")
        });
        let db = s.scope("Db", |s| SecurityGroup::new(s, "SecurityGroup", &vpc, "db"));
        db.connections().allow_from(s, &web, Port::MYSQL);
        // Asking twice adds nothing.
        web.connections().allow_to(s, &db, Port::MYSQL);
    });
    for (_, group) in t.find_resources("AWS::EC2::SecurityGroup") {
        assert_eq!(
            group["Properties"]["SecurityGroupEgress"],
            json!([{"IpProtocol": "icmp", "CidrIp": "255.255.255.255/32", "Description": "Disallow all traffic", "FromPort": 252, "ToPort": 86}])
        );
        assert!(group["Properties"].get("SecurityGroupIngress").is_none());
    }
    t.resource_count_is("AWS::EC2::SecurityGroupIngress", 1);
    t.resource_count_is("AWS::EC2::SecurityGroupEgress", 1);
    t.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        json!({"GroupId": {"Fn::GetAtt": ["DbSecurityGroup", "GroupId"]},
               "SourceSecurityGroupId": {"Fn::GetAtt": ["WebSecurityGroup", "GroupId"]},
               "IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306,
               "Description": "MySQL 3306 from Web"}),
    );
    t.has_resource_properties(
        "AWS::EC2::SecurityGroupEgress",
        json!({"GroupId": {"Fn::GetAtt": ["WebSecurityGroup", "GroupId"]},
               "DestinationSecurityGroupId": {"Fn::GetAtt": ["DbSecurityGroup", "GroupId"]},
               "FromPort": 3306, "ToPort": 3306, "Description": "MySQL 3306 to Db"}),
    );
}

#[test]
fn launch_templates_require_imdsv2_and_encrypt_volumes() {
    let t = build(dev(), |s| {
        let vpc = Vpc::new(s, "Network");
        let group = SecurityGroup::new(s, "Group", &vpc, "instances");
        let role = Role::for_service(s, "Role", "ec2.amazonaws.com");
        LaunchTemplate::new(
            s,
            "Template",
            &role,
            &[&group],
            LaunchTemplateOptions::default(),
        );
    });
    t.has_resource_properties(
        "AWS::EC2::LaunchTemplate",
        json!({"LaunchTemplateData": {
            "MetadataOptions": {"HttpTokens": "required", "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 1},
            "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": true, "VolumeType": "gp3"}}],
            "Monitoring": {"Enabled": true}
        }}),
    );
    t.resource_count_is("AWS::IAM::InstanceProfile", 1);
}

#[test]
fn a_bastion_has_no_inbound_port_unless_ssh_is_asked_for_from_named_ranges() {
    let t = build(dev(), |s| {
        let vpc = Vpc::new(s, "Network");
        let bastion = BastionHost::new(s, "Bastion", &vpc, BastionOptions::default());
        assert_eq!(bastion.connections().security_group().name(), "Bastion");
    });
    t.resource_count_is("AWS::EC2::SecurityGroupIngress", 0);
    t.has_resource_properties(
        "AWS::EC2::Instance",
        json!({"SubnetId": {"Ref": "NetworkPrivateSubnet1"}}),
    );
    t.has_resource_properties(
        "AWS::IAM::Role",
        json!({"ManagedPolicyArns": [{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"}]}),
    );

    let t = build(dev(), |s| {
        let vpc = Vpc::new(s, "Network");
        BastionHost::new(
            s,
            "Bastion",
            &vpc,
            BastionOptions {
                ssh_from: vec!["203.0.113.0/24".into()],
                ..BastionOptions::default()
            },
        );
    });
    let ingress = t.find_resources("AWS::EC2::SecurityGroupIngress");
    assert_eq!(ingress.len(), 1);
    assert_eq!(ingress[0].1["Properties"]["CidrIp"], "203.0.113.0/24");
    assert_eq!(ingress[0].1["Properties"]["FromPort"], 22);
    t.has_resource_properties(
        "AWS::EC2::Instance",
        json!({"NetworkInterfaces": [{"AssociatePublicIpAddress": true, "SubnetId": {"Ref": "NetworkPublicSubnet1"}}]}),
    );
}

#[test]
fn subnet_ids_list_one_subnet_per_zone_of_a_tier() {
    let mut stack = Stack::new("net", prod());
    let vpc = Vpc::new(&mut stack, "Network");
    assert_eq!(vpc.az_count(), 3);
    assert_eq!(vpc.nat_gateway_count(), 3);
    assert_eq!(
        vpc.subnet_ids(SubnetKind::Isolated).value().to_json(),
        json!([{"Ref": "NetworkIsolatedSubnet1"}, {"Ref": "NetworkIsolatedSubnet2"}, {"Ref": "NetworkIsolatedSubnet3"}])
    );
}
