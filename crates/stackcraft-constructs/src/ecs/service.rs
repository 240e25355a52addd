//! `ecs::Service` on Fargate or on a cluster's EC2 capacity: private subnets, no public
//! address, its own security group,
//! deployment circuit breaker with rollback, optional load balancer and Cloud Map
//! registration, and target-tracking autoscaling.

use std::time::Duration;

use stackcraft_core::template::{join, Expr, Target};
use stackcraft_core::Stack;
use stackcraft_resources::applicationautoscaling::scalable_target::{
    ScalableDimension, ServiceNamespace,
};
use stackcraft_resources::applicationautoscaling::scaling_policy::{
    CustomizedMetricSpecification, MetricDimension, PredefinedMetricSpecification,
    PredefinedMetricSpecificationPredefinedMetricType as Predefined, Statistic,
    TargetTrackingMetric, TargetTrackingMetricDataQuery, TargetTrackingMetricDimension,
    TargetTrackingMetricStat, TargetTrackingScalingPolicyConfiguration,
};
use stackcraft_resources::ecs::service::{
    AssignPublicIp, AwsVpcConfiguration, CapacityProviderStrategyItem, DeploymentCircuitBreaker,
    DeploymentConfiguration, LaunchType, LoadBalancer, NetworkConfiguration, PropagateTags,
    ServiceRegistry,
};
use stackcraft_resources::ecs::{self as l1, ServiceRef};

use super::{BlueGreen, CapacityProvider, Cluster, TaskDefinition};
use crate::appscaling::ScalableTarget;
use crate::cloudwatch::{Alarm, AlarmOptions, Metric, Stat, Threshold};
use crate::ec2::{Connections, HasConnections, Port, SecurityGroup, SubnetKind};
use crate::elbv2::TargetGroup;
use crate::iam::{Grantee, PolicyStatement};
use crate::servicediscovery::DiscoveryService;
use crate::sns::Topic;
use crate::units::whole_seconds;

/// Choices for a service.
#[derive(Clone, Debug, Default)]
pub struct ServiceOptions {
    /// Tasks kept running (default: one per availability zone where the environment is
    /// highly available, one otherwise).
    pub desired_count: Option<u32>,
    /// Register the serving container with a load balancer target.
    pub load_balancer: Option<TargetGroup>,
    /// Register tasks in Cloud Map.
    pub discovery: Option<DiscoveryService>,
    /// How long the load balancer's health checks are ignored after a task starts (default 60 s).
    pub health_check_grace: Option<Duration>,
    /// Subnets the tasks run in (default: private).
    pub subnets: Option<SubnetKind>,
    /// Run on this EC2 capacity of the cluster ([`Cluster::add_capacity`]) instead of
    /// Fargate (default: Fargate).
    pub capacity: Option<CapacityProvider>,
    /// Deploy blue/green between `load_balancer` and a second target group (default:
    /// rolling, with the circuit breaker's rollback).
    pub blue_green: Option<BlueGreen>,
}

/// A service on Fargate: the name blueprints of Fargate services use.
pub type FargateService = Service;

/// A service handle.
#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    service: ServiceRef,
    cluster: Cluster,
    group: SecurityGroup,
    path: String,
    desired_count: u32,
}

impl Service {
    pub fn new(
        stack: &mut Stack,
        id: &str,
        cluster: &Cluster,
        task: &TaskDefinition,
        options: ServiceOptions,
    ) -> Service {
        let env = stack.env().clone();
        let path = stack.path_of(id);
        let vpc = cluster.vpc().clone();
        let group = stack.scope(id, |s| {
            SecurityGroup::new(s, "SecurityGroup", &vpc, &format!("Service {id}"))
        });
        // Image pulls, secrets and log delivery go to AWS APIs through the NAT gateway.
        group.connections().allow_to_cidr(
            stack,
            "0.0.0.0/0",
            Port::HTTPS,
            "AWS APIs (ECR, Secrets Manager, CloudWatch Logs)",
        );
        let desired = options
            .desired_count
            .unwrap_or(if env.is_highly_available() {
                u32::from(env.az_count)
            } else {
                1
            });
        let subnets = vpc.subnet_ids(options.subnets.unwrap_or(SubnetKind::Private));
        let mut deployment = DeploymentConfiguration::new()
            .maximum_percent(200)
            .minimum_healthy_percent(100)
            .deployment_circuit_breaker(DeploymentCircuitBreaker::new(true, true));
        if let Some(blue_green) = &options.blue_green {
            deployment = blue_green.deployment(deployment);
        }
        let mut service = l1::Service::new()
            .cluster(cluster.name())
            .task_definition(task.arn())
            .desired_count(desired)
            .propagate_tags(PropagateTags::Service)
            .enable_ecs_managed_tags(true)
            .enable_execute_command(false)
            .deployment_configuration(deployment)
            .network_configuration(
                NetworkConfiguration::new().awsvpc_configuration(
                    AwsVpcConfiguration::new()
                        .assign_public_ip(AssignPublicIp::Disabled)
                        .subnets(subnets)
                        .security_groups(vec![group.id()]),
                ),
            );
        service = match &options.capacity {
            None => service
                .launch_type(LaunchType::Fargate)
                .platform_version("LATEST"),
            Some(capacity) => {
                service.capacity_provider_strategy(vec![CapacityProviderStrategyItem::new()
                    .capacity_provider(capacity.name())
                    .base(0)
                    .weight(1)])
            }
        };
        if let Some(target) = &options.load_balancer {
            match task.serving_container() {
                Some((container, port)) => {
                    let mut load_balancer = LoadBalancer::new()
                        .container_name(container)
                        .container_port(port)
                        .target_group_arn(target.arn());
                    if let Some(blue_green) = &options.blue_green {
                        load_balancer = load_balancer
                            .advanced_configuration(blue_green.advanced(stack, id, target));
                    }
                    service = service
                        .load_balancers(vec![load_balancer])
                        .health_check_grace_period_seconds(whole_seconds(
                            options
                                .health_check_grace
                                .unwrap_or(Duration::from_secs(60)),
                        ));
                }
                None => stack.error(
                    &path,
                    "a service behind a load balancer needs a container with a port".to_owned(),
                ),
            }
        }
        if let Some(discovery) = &options.discovery {
            service = service
                .service_registries(vec![ServiceRegistry::new().registry_arn(discovery.arn())]);
        }
        let service = stack.add(id, service);
        if let Some(capacity) = &options.capacity {
            // The provider must be the cluster's before a service can name it.
            stack.add_dependency(service.target(), capacity.association());
        }
        let this = Service {
            service,
            cluster: cluster.clone(),
            group,
            path,
            desired_count: desired,
        };
        if let Some(target) = &options.load_balancer {
            // The target groups must belong to a listener before tasks register in them.
            // (The blue/green rules are named by the service already.)
            let blue_green = options.blue_green.as_ref();
            let named = |route: &Target| {
                blue_green.is_some_and(|b| {
                    &b.production_rule == route || b.test_rule.as_ref() == Some(route)
                })
            };
            let alternate = blue_green.map(|b| &b.alternate);
            for group in std::iter::once(target).chain(alternate) {
                for listener in group.routes(stack).iter().filter(|r| !named(r)) {
                    stack.add_dependency(this.target(), listener);
                }
            }
            let port = task.serving_container().map_or(target.port(), |(_, p)| p);
            this.connections()
                .allow_from(stack, target.load_balancer(), Port::tcp(port));
        }
        this
    }

    pub fn target(&self) -> &Target {
        self.service.target()
    }

    /// The service ARN (`Ref`).
    pub fn arn(&self) -> Expr<String> {
        self.service.ref_()
    }

    /// Start a new deployment of this service (`ecs:UpdateService`, e.g. to roll out a newly
    /// pushed `latest` image) and watch it (`ecs:DescribeServices`); nothing else.
    pub fn grant_update(&self, stack: &mut Stack, grantee: &impl Grantee) {
        let statement = PolicyStatement::allow()
            .actions(&["ecs:DescribeServices", "ecs:UpdateService"])
            .resource(self.arn());
        grantee.grant_role().add_to_policy(stack, statement);
    }

    /// The service name (`Fn::GetAtt Name`): the `ServiceName` dimension of its metrics.
    pub fn name(&self) -> Expr<String> {
        self.service.name()
    }

    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// A metric of the service (`AWS/ECS`, by cluster and service), averaged.
    pub fn metric(&self, name: &str) -> Metric {
        Metric::new("AWS/ECS", name)
            .dimension("ClusterName", self.cluster.name())
            .dimension("ServiceName", self.name())
            .stat(Stat::Average)
    }

    /// Alarms to `topic`: CPU or memory above 85% for 15 minutes (autoscaling should have
    /// kept them lower: it is at its maximum, or the tasks are too small).
    pub fn add_alarms(&self, stack: &mut Stack, topic: &Topic) {
        stack.scope(&self.path, |s| {
            for (id, metric, what) in [
                ("CpuAlarm", "CPUUtilization", "CPU"),
                ("MemoryAlarm", "MemoryUtilization", "memory"),
            ] {
                Alarm::new(
                    s,
                    id,
                    &self.metric(metric),
                    AlarmOptions {
                        description: format!("Service {what} above 85% for 15 minutes"),
                        threshold: Threshold::Above(85.0),
                        periods: 3,
                        notify: Some(topic.clone()),
                    },
                );
            }
        });
    }

    /// Scales the task count between `min` (default: the desired count, one per zone in
    /// prod) and `max`; add the policies on the result.
    pub fn auto_scale(&self, stack: &mut Stack, min: Option<u32>, max: u32) -> Scaling {
        let min = min.unwrap_or(self.desired_count);
        let resource_id = join(
            "/",
            vec![Expr::from("service"), self.cluster.name(), self.name()],
        );
        let scalable = ScalableTarget::new(
            stack,
            &format!("{}/Scaling", self.path),
            &self.path,
            (
                ServiceNamespace::Ecs,
                ScalableDimension::EcsServiceDesiredCount,
                resource_id,
            ),
            min,
            max,
        );
        Scaling { scalable }
    }
}

/// One metric of a target-tracking metric-math expression, not itself the policy's metric.
fn metric_query(id: &str, metric: &Metric) -> TargetTrackingMetricDataQuery {
    let dimensions: Vec<TargetTrackingMetricDimension> = metric
        .dimensions
        .iter()
        .map(|(name, value)| {
            TargetTrackingMetricDimension::new()
                .name(name.as_str())
                .value(value.clone())
        })
        .collect();
    let stat = TargetTrackingMetric::new()
        .namespace(metric.namespace.as_str())
        .metric_name(metric.name.as_str())
        .dimensions(dimensions);
    TargetTrackingMetricDataQuery::new()
        .id(id)
        .metric_stat(
            TargetTrackingMetricStat::new()
                .metric(stat)
                .stat(metric.statistic.as_str()),
        )
        .return_data(false)
}

impl HasConnections for Service {
    fn connections(&self) -> Connections {
        self.group.connections()
    }
}

/// The scalable task count of a service, with target-tracking policies.
#[derive(Clone, Debug, PartialEq)]
pub struct Scaling {
    scalable: ScalableTarget,
}

impl Scaling {
    pub fn target(&self) -> &Target {
        self.scalable.target()
    }

    /// Keeps average CPU utilization near `percent`.
    pub fn on_cpu(&self, stack: &mut Stack, percent: u32) {
        let metric =
            PredefinedMetricSpecification::new(Predefined::EcsServiceAverageCpuUtilization);
        self.track(
            stack,
            "CpuScaling",
            TargetTrackingScalingPolicyConfiguration::new(percent)
                .predefined_metric_specification(metric),
        );
    }

    /// Keeps the load balancer's requests per task near `requests` (per minute).
    pub fn on_request_count(&self, stack: &mut Stack, target: &TargetGroup, requests: u32) {
        let metric = PredefinedMetricSpecification::new(Predefined::AlbRequestCountPerTarget)
            .resource_label(target.resource_label());
        let config = TargetTrackingScalingPolicyConfiguration::new(requests)
            .predefined_metric_specification(metric);
        self.track_requests(stack, &[target], config);
    }

    /// Keeps the requests per healthy target near `requests` (per minute) across `groups`:
    /// the blue and green groups a blue/green service moves its traffic between. The
    /// predefined `ALBRequestCountPerTarget` names one group, and after a deployment the
    /// traffic is in the other; this metric sums the groups' request counts and divides them
    /// by the groups' healthy targets (a group without data counts 0), so it follows the
    /// traffic wherever it is. (Two policies, one per group, would not do: the idle group has
    /// no data, and with no data its policy never agrees to scale in.)
    pub fn on_request_count_across(
        &self,
        stack: &mut Stack,
        groups: &[&TargetGroup],
        requests: u32,
    ) {
        let mut queries = Vec::new();
        let (mut counted, mut healthy) = (Vec::new(), Vec::new());
        for (i, group) in groups.iter().enumerate() {
            let (count_id, healthy_id) = (format!("requests{i}"), format!("healthy{i}"));
            let count = group.metric("RequestCount").stat(Stat::Sum);
            let targets = group.metric("HealthyHostCount").stat(Stat::Average);
            queries.push(metric_query(&count_id, &count));
            queries.push(metric_query(&healthy_id, &targets));
            counted.push(format!("FILL({count_id}, 0)"));
            healthy.push(format!("FILL({healthy_id}, 0)"));
        }
        queries.push(
            TargetTrackingMetricDataQuery::new()
                .id("requestsPerTarget")
                .label("Requests per healthy target")
                .expression(format!(
                    "({}) / ({})",
                    counted.join(" + "),
                    healthy.join(" + ")
                ))
                .return_data(true),
        );
        let config = TargetTrackingScalingPolicyConfiguration::new(requests)
            .customized_metric_specification(CustomizedMetricSpecification::new().metrics(queries));
        self.track_requests(stack, groups, config);
    }

    /// The `RequestScaling` policy, after every listener and rule that routes to `groups`
    /// (its metric names them, and a group must be behind a listener first).
    fn track_requests(
        &self,
        stack: &mut Stack,
        groups: &[&TargetGroup],
        config: TargetTrackingScalingPolicyConfiguration,
    ) {
        let policy = self.track(stack, "RequestScaling", config);
        for group in groups {
            for route in &group.routes(stack) {
                stack.add_dependency(&policy, route);
            }
        }
    }

    /// Keeps `metric` near `value` per task (e.g. queue depth per worker), aggregated with the
    /// metric's statistic over its period.
    pub fn on_metric(&self, stack: &mut Stack, id: &str, metric: &Metric, value: u32) {
        let dimensions: Vec<MetricDimension> = metric
            .dimensions
            .iter()
            .map(|(name, value)| MetricDimension::new(name.as_str(), value.clone()))
            .collect();
        let statistic = match metric.statistic {
            Stat::Sum => Statistic::Sum,
            Stat::Average => Statistic::Average,
            Stat::Maximum => Statistic::Maximum,
            Stat::Minimum => Statistic::Minimum,
        };
        let spec = CustomizedMetricSpecification::new()
            .namespace(metric.namespace.as_str())
            .metric_name(metric.name.as_str())
            .dimensions(dimensions)
            .statistic(statistic);
        self.track(
            stack,
            id,
            TargetTrackingScalingPolicyConfiguration::new(value)
                .customized_metric_specification(spec),
        );
    }

    fn track(
        &self,
        stack: &mut Stack,
        id: &str,
        config: TargetTrackingScalingPolicyConfiguration,
    ) -> Target {
        self.scalable.track(stack, id, config)
    }
}
