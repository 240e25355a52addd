//! `autoscaling::AutoScalingGroup`: instances of an [`ec2::LaunchTemplate`] (its latest
//! version) in one subnet tier, replaced one by one when the template changes, registered in
//! target groups, scaled by target tracking.
//!
//! [`ec2::LaunchTemplate`]: crate::ec2::LaunchTemplate

use std::time::Duration;

use serde_json::json;
use stackcraft_core::template::{Expr, Target, Value};
use stackcraft_core::Stack;
use stackcraft_resources::autoscaling::auto_scaling_group::{
    LaunchTemplateSpecification, MetricsCollection,
};
use stackcraft_resources::autoscaling::scaling_policy::{
    PolicyType, PredefinedMetricSpecification,
    PredefinedMetricSpecificationPredefinedMetricType as Predefined, TargetTrackingConfiguration,
};
use stackcraft_resources::autoscaling::{self as l1, AutoScalingGroupRef};

use crate::ec2::{LaunchTemplate, SubnetKind, Vpc};
use crate::elbv2::{TargetGroup, Targets};
use crate::units::whole_seconds;

/// How the group decides that an instance is unhealthy and replaces it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HealthCheck {
    /// The instance's EC2 status checks.
    #[default]
    Ec2,
    /// The load balancer's health checks of its target groups (and the EC2 checks).
    Elb,
}

/// Choices for an Auto Scaling group.
#[derive(Clone, Debug)]
pub struct AutoScalingGroupOptions {
    /// The tier the instances run in (default: private).
    pub subnets: SubnetKind,
    /// Instances at least (default 1).
    pub min: u32,
    /// Instances at most (default: twice the desired count).
    pub max: Option<u32>,
    /// Instances at creation (default: one per zone where the environment is highly
    /// available, `min` otherwise). Leave it to the scaling policies afterwards.
    pub desired: Option<u32>,
    pub health_check: HealthCheck,
    /// How long health checks are ignored after an instance starts (default 300 s).
    pub health_check_grace: Duration,
    /// Target groups (of instance targets) the instances are registered in.
    pub target_groups: Vec<TargetGroup>,
    /// New instances are protected from scale-in: what ECS managed termination protection
    /// needs of its capacity (default: no).
    pub protect_from_scale_in: bool,
}

impl Default for AutoScalingGroupOptions {
    fn default() -> Self {
        AutoScalingGroupOptions {
            subnets: SubnetKind::Private,
            min: 1,
            max: None,
            desired: None,
            health_check: HealthCheck::Ec2,
            health_check_grace: Duration::from_secs(300),
            target_groups: Vec::new(),
            protect_from_scale_in: false,
        }
    }
}

/// An Auto Scaling group handle.
#[derive(Clone, Debug, PartialEq)]
pub struct AutoScalingGroup {
    group: AutoScalingGroupRef,
    path: String,
    protected_from_scale_in: bool,
}

impl AutoScalingGroup {
    pub fn new(
        stack: &mut Stack,
        id: &str,
        vpc: &Vpc,
        template: &LaunchTemplate,
        options: AutoScalingGroupOptions,
    ) -> AutoScalingGroup {
        let env = stack.env().clone();
        let path = stack.path_of(id);
        let desired = options.desired.unwrap_or(if env.is_highly_available() {
            u32::from(env.az_count).max(options.min)
        } else {
            options.min
        });
        let max = options.max.unwrap_or(desired * 2).max(1);
        if options.min > desired || desired > max {
            stack.error(
                &path,
                format!(
                    "an Auto Scaling group needs min <= desired <= max, not {} <= {desired} <= {max}",
                    options.min
                ),
            );
        }
        for group in &options.target_groups {
            if group.targets() != Targets::Instance {
                stack.error(
                    &path,
                    "an Auto Scaling group registers instances: its target groups need Targets::Instance".to_owned(),
                );
            }
        }
        let health = match options.health_check {
            HealthCheck::Ec2 => "EC2",
            HealthCheck::Elb => "ELB",
        };
        let mut group = l1::AutoScalingGroup::new(max.to_string(), options.min.to_string())
            .desired_capacity(desired.to_string())
            .launch_template(
                LaunchTemplateSpecification::new(template.latest_version())
                    .launch_template_id(template.id()),
            )
            .vpc_zone_identifier(vpc.subnet_ids(options.subnets))
            .health_check_type(health)
            .health_check_grace_period(whole_seconds(options.health_check_grace))
            .new_instances_protected_from_scale_in(options.protect_from_scale_in)
            .metrics_collection(vec![MetricsCollection::new("1Minute")]);
        if !options.target_groups.is_empty() {
            let arns: Vec<Expr<String>> = options.target_groups.iter().map(|g| g.arn()).collect();
            group = group.target_group_arns(arns);
        }
        let group = stack.add(id, group);
        // A changed launch template replaces the instances one at a time, keeping the
        // group's minimum in service.
        let in_service = options.min.min(max.saturating_sub(1));
        let policy: Value = json!({
            "AutoScalingRollingUpdate": {
                "MaxBatchSize": 1,
                "MinInstancesInService": in_service,
                "PauseTime": "PT5M",
                "SuspendProcesses": ["AlarmNotification", "AZRebalance", "ScheduledActions"]
            }
        })
        .into();
        stack.resource_mut(group.target()).update_policy = Some(policy);
        for target_group in &options.target_groups {
            for route in target_group.routes(stack) {
                stack.add_dependency(group.target(), &route);
            }
        }
        AutoScalingGroup {
            group,
            path,
            protected_from_scale_in: options.protect_from_scale_in,
        }
    }

    pub fn target(&self) -> &Target {
        self.group.target()
    }

    /// The group's name (`Ref`).
    pub fn name(&self) -> Expr<String> {
        self.group.ref_()
    }

    pub fn arn(&self) -> Expr<String> {
        self.group.auto_scaling_group_arn()
    }

    /// Whether new instances start protected from scale-in.
    pub fn is_protected_from_scale_in(&self) -> bool {
        self.protected_from_scale_in
    }

    /// Keeps the group's average CPU utilization near `percent`.
    pub fn scale_on_cpu(&self, stack: &mut Stack, percent: u32) -> Target {
        let metric = PredefinedMetricSpecification::new(Predefined::AsgAverageCpuUtilization);
        self.track(stack, "CpuScaling", percent, metric)
    }

    /// Keeps the load balancer's requests per instance near `requests` (per minute).
    pub fn scale_on_request_count(
        &self,
        stack: &mut Stack,
        target: &TargetGroup,
        requests: u32,
    ) -> Target {
        let metric = PredefinedMetricSpecification::new(Predefined::AlbRequestCountPerTarget)
            .resource_label(target.resource_label());
        let policy = self.track(stack, "RequestScaling", requests, metric);
        for route in target.routes(stack) {
            stack.add_dependency(&policy, &route);
        }
        policy
    }

    fn track(
        &self,
        stack: &mut Stack,
        id: &str,
        value: u32,
        metric: PredefinedMetricSpecification,
    ) -> Target {
        let policy = l1::ScalingPolicy::new(self.name())
            .policy_type(PolicyType::TargetTrackingScaling)
            .estimated_instance_warmup(300)
            .target_tracking_configuration(
                TargetTrackingConfiguration::new(f64::from(value))
                    .predefined_metric_specification(metric),
            );
        stack
            .add_at(&format!("{}/{id}", self.path), policy)
            .target()
            .clone()
    }
}
