//! autoscaling, ec2 user data and instances, and ECS on EC2 capacity: groups of launch
//! template instances replaced one at a time, hardened boot scripts, capacity providers with
//! managed scaling, termination protection and draining, and services that run on them.

mod common;

use serde_json::{json, Value as Json};
use stackcraft_constructs::autoscaling::{AutoScalingGroup, AutoScalingGroupOptions, HealthCheck};
use stackcraft_constructs::ec2::{
    Instance, LaunchTemplate, LaunchTemplateOptions, SecurityGroup, SubnetKind, UserData, Volume,
    Vpc,
};
use stackcraft_constructs::ecs::{
    Cluster, Container, Image, Service, ServiceOptions, TaskDefinition, TaskOptions,
    ECS_OPTIMIZED_AMAZON_LINUX_2023,
};
use stackcraft_constructs::elbv2::{
    AlbOptions, ApplicationLoadBalancer, TargetGroup, TargetGroupOptions, Targets,
};
use stackcraft_constructs::iam::Role;
use stackcraft_constructs::units::Memory;
use stackcraft_core::assertions::TemplateAssertions;
use stackcraft_core::{Environment, Stack};

use common::*;

fn template(
    s: &mut Stack,
    role: &Role,
    group: &SecurityGroup,
    user_data: UserData,
) -> LaunchTemplate {
    LaunchTemplate::new(
        s,
        "Template",
        role,
        &[group],
        LaunchTemplateOptions {
            user_data: Some(user_data),
            ..LaunchTemplateOptions::default()
        },
    )
}

fn servers(env: Environment, options: AutoScalingGroupOptions) -> (Stack, AutoScalingGroup) {
    let mut stack = Stack::new("compute", env);
    let vpc = Vpc::new(&mut stack, "Network");
    let role = Role::for_service(&mut stack, "Role", "ec2.amazonaws.com");
    let group = SecurityGroup::new(&mut stack, "Servers", &vpc, "servers");
    let lt = template(&mut stack, &role, &group, UserData::hardened());
    let asg = AutoScalingGroup::new(&mut stack, "Group", &vpc, &lt, options);
    (stack, asg)
}

#[test]
fn user_data_is_a_script_encoded_once() {
    let script = UserData::hardened().line("echo ready");
    let lines: Vec<Json> = script
        .lines()
        .iter()
        .map(|l| serde_json::to_value(l.clone().into_value()).unwrap())
        .collect();
    assert_eq!(lines[0], "#!/bin/bash");
    assert!(lines.iter().any(|l| l
        .as_str()
        .is_some_and(|l| l.contains("dnf-automatic.timer"))));
    assert!(lines
        .iter()
        .any(|l| l.as_str().is_some_and(|l| l.contains("amazon-ssm-agent"))));
    let encoded = serde_json::to_value(script.encoded().into_value()).unwrap();
    assert_eq!(encoded["Fn::Base64"]["Fn::Join"][0], "\n");
    assert_eq!(
        encoded["Fn::Base64"]["Fn::Join"][1]
            .as_array()
            .unwrap()
            .len(),
        lines.len() + 1
    );
}

#[test]
fn a_group_runs_the_latest_template_in_the_private_tier_and_rolls_one_by_one() {
    let (stack, _) = servers(dev(), AutoScalingGroupOptions::default());
    let t = synth(stack);
    t.has_resource(
        "AWS::AutoScaling::AutoScalingGroup",
        json!({
            "Properties": {
                "MinSize": "1", "MaxSize": "2", "DesiredCapacity": "1",
                "HealthCheckType": "EC2", "HealthCheckGracePeriod": 300,
                "NewInstancesProtectedFromScaleIn": false,
                "LaunchTemplate": {"LaunchTemplateId": {"Ref": "Template"},
                                   "Version": {"Fn::GetAtt": ["Template", "LatestVersionNumber"]}},
                "VPCZoneIdentifier": [{"Ref": "NetworkPrivateSubnet1"}, {"Ref": "NetworkPrivateSubnet2"}]
            },
            "UpdatePolicy": {"AutoScalingRollingUpdate": {"MaxBatchSize": 1, "MinInstancesInService": 1}}
        }),
    );
    // Where the environment is highly available: one instance per zone.
    let (stack, _) = servers(prod(), AutoScalingGroupOptions::default());
    synth(stack).has_resource_properties(
        "AWS::AutoScaling::AutoScalingGroup",
        json!({"DesiredCapacity": "3", "MaxSize": "6"}),
    );
}

#[test]
fn a_group_registers_in_instance_target_groups_and_scales_on_cpu_and_requests() {
    let mut stack = Stack::new("compute", dev());
    let vpc = Vpc::new(&mut stack, "Network");
    let lb = ApplicationLoadBalancer::new(&mut stack, "Lb", &vpc, AlbOptions::default());
    let targets = TargetGroup::new(
        &mut stack,
        &lb,
        "Web",
        &vpc,
        TargetGroupOptions {
            targets: Targets::Instance,
            ..TargetGroupOptions::new(80, "/")
        },
    );
    lb.listener().forward_by_default(&mut stack, &targets);
    let role = Role::for_service(&mut stack, "Role", "ec2.amazonaws.com");
    let group = SecurityGroup::new(&mut stack, "Servers", &vpc, "servers");
    let lt = template(&mut stack, &role, &group, UserData::new());
    let asg = AutoScalingGroup::new(
        &mut stack,
        "Group",
        &vpc,
        &lt,
        AutoScalingGroupOptions {
            health_check: HealthCheck::Elb,
            target_groups: vec![targets.clone()],
            ..AutoScalingGroupOptions::default()
        },
    );
    asg.scale_on_cpu(&mut stack, 50);
    asg.scale_on_request_count(&mut stack, &targets, 1000);
    assert!(stack.errors().is_empty(), "{:?}", stack.errors());
    let t = synth(stack);
    t.has_resource_properties(
        "AWS::AutoScaling::AutoScalingGroup",
        json!({"HealthCheckType": "ELB", "TargetGroupARNs": [{"Ref": "LbWeb"}]}),
    );
    t.has_resource_properties(
        "AWS::AutoScaling::ScalingPolicy",
        json!({"TargetTrackingConfiguration": {"TargetValue": 50.0,
               "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"}}}),
    );
    t.has_resource_properties(
        "AWS::AutoScaling::ScalingPolicy",
        json!({"TargetTrackingConfiguration": {"TargetValue": 1000.0,
               "PredefinedMetricSpecification": {"PredefinedMetricType": "ALBRequestCountPerTarget"}}}),
    );

    // IP target groups cannot take instances.
    let mut stack = Stack::new("compute", dev());
    let vpc = Vpc::new(&mut stack, "Network");
    let lb = ApplicationLoadBalancer::new(&mut stack, "Lb", &vpc, AlbOptions::default());
    let ip = TargetGroup::new(
        &mut stack,
        &lb,
        "Ip",
        &vpc,
        TargetGroupOptions::new(80, "/"),
    );
    let role = Role::for_service(&mut stack, "Role", "ec2.amazonaws.com");
    let group = SecurityGroup::new(&mut stack, "Servers", &vpc, "servers");
    let lt = template(&mut stack, &role, &group, UserData::new());
    AutoScalingGroup::new(
        &mut stack,
        "Group",
        &vpc,
        &lt,
        AutoScalingGroupOptions {
            target_groups: vec![ip],
            ..AutoScalingGroupOptions::default()
        },
    );
    let errors = format!("{:?}", stack.errors());
    assert!(
        errors.contains("Group") && errors.contains("Targets::Instance"),
        "{errors}"
    );
}

#[test]
fn ec2_capacity_is_managed_by_ecs_and_services_run_on_it() {
    let mut stack = Stack::new("compute", dev());
    let vpc = Vpc::new(&mut stack, "Network");
    let cluster = Cluster::new(&mut stack, "Cluster", &vpc);
    let role = cluster.instance_role(&mut stack, "InstanceRole");
    let group = SecurityGroup::new(&mut stack, "Servers", &vpc, "servers");
    let lt = LaunchTemplate::new(
        &mut stack,
        "Template",
        &role,
        &[&group],
        LaunchTemplateOptions {
            image_id: ECS_OPTIMIZED_AMAZON_LINUX_2023.to_owned(),
            user_data: Some(cluster.instance_user_data()),
            ..LaunchTemplateOptions::default()
        },
    );
    let mut capacity = Vec::new();
    for id in ["Small", "Large"] {
        let asg = AutoScalingGroup::new(
            &mut stack,
            &format!("{id}Servers"),
            &vpc,
            &lt,
            AutoScalingGroupOptions {
                protect_from_scale_in: true,
                ..AutoScalingGroupOptions::default()
            },
        );
        capacity.push(cluster.add_capacity(&mut stack, &format!("{id}Capacity"), &asg));
    }
    let mut task = TaskDefinition::ec2(&mut stack, "Task", TaskOptions::default());
    task.add_container(
        &mut stack,
        Container::new("web", Image::Uri("public.ecr.aws/nginx/nginx:1".to_owned())).port(8080),
    );
    Service::new(
        &mut stack,
        "Web",
        &cluster,
        &task,
        ServiceOptions {
            capacity: Some(capacity[1].clone()),
            ..ServiceOptions::default()
        },
    );
    assert!(stack.errors().is_empty(), "{:?}", stack.errors());
    let t = synth(stack);
    t.resource_count_is("AWS::ECS::CapacityProvider", 2);
    t.has_resource_properties(
        "AWS::ECS::CapacityProvider",
        json!({"AutoScalingGroupProvider": {
            "AutoScalingGroupArn": {"Ref": "SmallServers"},
            "ManagedScaling": {"Status": "ENABLED", "TargetCapacity": 100},
            "ManagedTerminationProtection": "ENABLED", "ManagedDraining": "ENABLED"}}),
    );
    // One association names every provider; the first is the default.
    t.resource_count_is("AWS::ECS::ClusterCapacityProviderAssociations", 1);
    t.has_resource_properties(
        "AWS::ECS::ClusterCapacityProviderAssociations",
        json!({"Cluster": {"Ref": "Cluster"},
               "CapacityProviders": [{"Ref": "SmallCapacity"}, {"Ref": "LargeCapacity"}],
               "DefaultCapacityProviderStrategy": [{"CapacityProvider": {"Ref": "SmallCapacity"}, "Base": 0, "Weight": 1}]}),
    );
    t.has_resource(
        "AWS::ECS::Service",
        json!({"Properties": {"CapacityProviderStrategy": [{"CapacityProvider": {"Ref": "LargeCapacity"}}]},
               "DependsOn": "ClusterCapacityProviders"}),
    );
    let service = &t.find_resources("AWS::ECS::Service")[0].1["Properties"];
    assert!(service.get("LaunchType").is_none() && service.get("PlatformVersion").is_none());
    t.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        json!({"RequiresCompatibilities": ["EC2"], "NetworkMode": "awsvpc"}),
    );
    t.has_resource_properties(
        "AWS::IAM::Role",
        json!({"ManagedPolicyArns": [
            {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"},
            {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"}]}),
    );
    let script = t.find_resources("AWS::EC2::LaunchTemplate")[0].1["Properties"]
        ["LaunchTemplateData"]["UserData"]
        .to_string();
    assert!(script.contains("ECS_CLUSTER=${Cluster}"), "{script}");
}

#[test]
fn capacity_without_scale_in_protection_is_an_error_naming_it() {
    let (mut stack, asg) = servers(dev(), AutoScalingGroupOptions::default());
    let vpc = Vpc::with(
        &mut stack,
        "Other",
        stackcraft_constructs::ec2::VpcOptions {
            cidr: Some("10.1.0.0/16".to_owned()),
            ..Default::default()
        },
    );
    let cluster = Cluster::new(&mut stack, "Cluster", &vpc);
    cluster.add_capacity(&mut stack, "Capacity", &asg);
    let errors = format!("{:?}", stack.errors());
    assert!(
        errors.contains("Capacity") && errors.contains("protect_from_scale_in"),
        "{errors}"
    );
}

#[test]
fn an_instance_keeps_its_data_volume_where_protected() {
    for (env, policy) in [(dev(), "Delete"), (prod(), "Snapshot")] {
        let mut stack = Stack::new("compute", env);
        let vpc = Vpc::new(&mut stack, "Network");
        let role = Role::for_service(&mut stack, "Role", "ec2.amazonaws.com");
        let group = SecurityGroup::new(&mut stack, "Servers", &vpc, "servers");
        let lt = template(&mut stack, &role, &group, UserData::hardened());
        let data = Volume::new(&mut stack, "Data", 0, Memory::gib(50));
        let server = Instance::new(&mut stack, "Server", &vpc, &lt, SubnetKind::Private, 0);
        server.attach(&mut stack, "Attachment", &data, "/dev/sdf");
        let t = synth(stack);
        t.has_resource(
            "AWS::EC2::Volume",
            json!({"Properties": {"Encrypted": true, "Size": 50, "VolumeType": "gp3",
                   "AvailabilityZone": {"Fn::Select": [0, {"Fn::GetAZs": ""}]}},
                   "DeletionPolicy": policy}),
        );
        t.has_resource_properties(
            "AWS::EC2::Instance",
            json!({"SubnetId": {"Ref": "NetworkPrivateSubnet1"}}),
        );
        t.has_resource_properties(
            "AWS::EC2::VolumeAttachment",
            json!({"InstanceId": {"Ref": "Server"}, "VolumeId": {"Ref": "Data"}, "Device": "/dev/sdf"}),
        );
    }
}
