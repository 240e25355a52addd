//! `elbv2::TargetGroup`: where listeners forward to — IP targets (Fargate tasks) or instances,
//! health-checked over HTTP.

use std::time::Duration;

use stackcraft_core::template::{join, Expr, Target};
use stackcraft_core::Stack;
use stackcraft_resources::elasticloadbalancingv2::target_group::{
    Matcher, Protocol as TgProtocol, TargetGroupAttribute, TargetType,
};
use stackcraft_resources::elasticloadbalancingv2::{self as l1, TargetGroupRef};

use super::ApplicationLoadBalancer;
use crate::cloudwatch::{Alarm, AlarmOptions, Metric, Stat, Threshold};
use crate::ec2::Vpc;
use crate::sns::Topic;

/// What a target group registers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Targets {
    /// Task or container IP addresses (Fargate, `awsvpc` tasks).
    #[default]
    Ip,
    /// EC2 instances (an Auto Scaling group registers them).
    Instance,
}

/// How a target group reaches and checks its targets.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetGroupOptions {
    /// The targets' port.
    pub port: u16,
    /// `GET` of this path must answer 200 for a target to receive traffic.
    pub health_path: String,
    pub targets: Targets,
    /// Time given to in-flight requests of a target being removed.
    pub deregistration_delay: Duration,
}

impl TargetGroupOptions {
    /// IP targets on `port`, checked at `health_path`, 30 s to drain.
    pub fn new(port: u16, health_path: &str) -> TargetGroupOptions {
        TargetGroupOptions {
            port,
            health_path: health_path.to_owned(),
            targets: Targets::Ip,
            deregistration_delay: Duration::from_secs(30),
        }
    }
}

/// A target group of a load balancer.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetGroup {
    group: TargetGroupRef,
    port: u16,
    targets: Targets,
    // Boxed: a target group is passed around by value (actions, service options).
    lb: Box<ApplicationLoadBalancer>,
}

impl TargetGroup {
    /// A target group of `lb`, created under the load balancer's construct path. Nothing is
    /// routed to it until a listener forwards to it ([`super::Listener::forward`]).
    pub fn new(
        stack: &mut Stack,
        lb: &ApplicationLoadBalancer,
        id: &str,
        vpc: &Vpc,
        options: TargetGroupOptions,
    ) -> TargetGroup {
        let target_type = match options.targets {
            Targets::Ip => TargetType::Ip,
            Targets::Instance => TargetType::Instance,
        };
        let group = l1::TargetGroup::new()
            .target_type(target_type)
            .protocol(TgProtocol::Http)
            .port(options.port)
            .vpc_id(vpc.id())
            .health_check_enabled(true)
            .health_check_path(options.health_path.as_str())
            .health_check_interval_seconds(15)
            .health_check_timeout_seconds(5)
            .healthy_threshold_count(2)
            .unhealthy_threshold_count(3)
            .matcher(Matcher::new().http_code("200"))
            .target_group_attributes(vec![TargetGroupAttribute::new()
                .key("deregistration_delay.timeout_seconds")
                .value(options.deregistration_delay.as_secs().to_string())]);
        let group = stack.add_at(&format!("{}/{id}", lb.path()), group);
        TargetGroup {
            group,
            port: options.port,
            targets: options.targets,
            lb: Box::new(lb.clone()),
        }
    }

    pub fn target(&self) -> &Target {
        self.group.target()
    }

    pub fn arn(&self) -> Expr<String> {
        self.group.ref_()
    }

    /// The target group's name (`TargetGroupName`), which deployment controllers take.
    pub fn name(&self) -> Expr<String> {
        self.group.target_group_name()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// What the group registers: IP addresses or instances.
    pub fn targets(&self) -> Targets {
        self.targets
    }

    pub fn load_balancer(&self) -> &ApplicationLoadBalancer {
        &self.lb
    }

    /// The listeners and rules that forward to this group: what a service registering
    /// targets, or a scaling policy naming the group, must wait for.
    pub fn routes(&self, stack: &Stack) -> Vec<Target> {
        let mut routes = self.lb.listeners().to_vec();
        for route in stack.linked(self.target(), super::listener::ROUTED_BY) {
            if !routes.contains(route) {
                routes.push(route.clone());
            }
        }
        routes
    }

    /// Alarm to `topic` when a target has been unhealthy for 10 minutes.
    pub fn add_alarms(&self, stack: &mut Stack, topic: &Topic) {
        let metric = self.metric("UnHealthyHostCount").stat(Stat::Maximum);
        let path = format!("{}/{}", self.lb.path(), self.group.logical_id());
        stack.scope(&path, |s| {
            Alarm::new(
                s,
                "UnhealthyAlarm",
                &metric,
                AlarmOptions {
                    description: "Targets of the load balancer unhealthy for 10 minutes".to_owned(),
                    threshold: Threshold::Above(0.0),
                    periods: 2,
                    notify: Some(topic.clone()),
                },
            );
        });
    }

    /// A metric of this group (`AWS/ApplicationELB`, by load balancer and target group).
    pub fn metric(&self, name: &str) -> Metric {
        Metric::new("AWS/ApplicationELB", name)
            .dimension("LoadBalancer", self.lb.full_name())
            .dimension("TargetGroup", self.full_name())
    }

    /// `targetgroup/<name>/<id>`: the `TargetGroup` dimension of its CloudWatch metrics.
    pub fn full_name(&self) -> Expr<String> {
        self.group.target_group_full_name()
    }

    /// `app/<lb>/<id>/targetgroup/<tg>/<id>`: the resource label of the
    /// `ALBRequestCountPerTarget` scaling metric.
    pub fn resource_label(&self) -> Expr<String> {
        join("/", vec![self.lb.full_name(), self.full_name()])
    }
}
