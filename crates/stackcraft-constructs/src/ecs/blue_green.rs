//! ECS native blue/green deployments (2025): a new revision starts in the idle target group,
//! the test listener's rule sends test traffic to it, then the production rule shifts every
//! request at once; both colours run for the bake time, and a failed health check or a
//! firing alarm rolls back to the old colour. ECS moves the listener rules' weights itself,
//! through a role it assumes.

use std::time::Duration;

use stackcraft_core::template::{Expr, Target};
use stackcraft_core::Stack;
use stackcraft_resources::ecs::service::{
    AdvancedConfiguration, DeploymentAlarms, DeploymentConfiguration, Strategy,
};

use crate::cloudwatch::Alarm;
use crate::elbv2::TargetGroup;
use crate::iam::{PolicyStatement, Role};

/// The second colour of a service behind a load balancer (`ServiceOptions::load_balancer` is
/// the first). Both rules must forward to both groups by weight
/// (`elbv2::Action::WeightedForward`, all weight on the first).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct BlueGreen {
    /// The other colour's target group.
    pub alternate: TargetGroup,
    /// The listener rule that carries production traffic.
    pub production_rule: Target,
    /// The listener rule that carries test traffic to the new colour before the switch.
    pub test_rule: Option<Target>,
    /// How long both colours run after production traffic moved (default 5 minutes): the
    /// window in which an alarm still rolls back at once.
    pub bake_time: Duration,
    /// Alarms that roll a deployment back while they fire.
    pub rollback_alarms: Vec<Alarm>,
}

impl BlueGreen {
    pub fn new(alternate: &TargetGroup, production_rule: &Target) -> BlueGreen {
        BlueGreen {
            alternate: alternate.clone(),
            production_rule: production_rule.clone(),
            test_rule: None,
            bake_time: Duration::from_secs(300),
            rollback_alarms: Vec::new(),
        }
    }

    pub fn test_rule(mut self, rule: &Target) -> Self {
        self.test_rule = Some(rule.clone());
        self
    }

    pub fn bake_time(mut self, bake_time: Duration) -> Self {
        self.bake_time = bake_time;
        self
    }

    pub fn rollback_on(mut self, alarm: &Alarm) -> Self {
        self.rollback_alarms.push(alarm.clone());
        self
    }

    /// The deployment strategy, bake time and alarms on top of `deployment`.
    pub(super) fn deployment(
        &self,
        deployment: DeploymentConfiguration,
    ) -> DeploymentConfiguration {
        let minutes = i64::try_from(self.bake_time.as_secs().div_ceil(60)).unwrap_or(i64::MAX);
        let mut deployment = deployment
            .strategy(Strategy::BlueGreen)
            .bake_time_in_minutes(minutes);
        if !self.rollback_alarms.is_empty() {
            let names: Vec<Expr<String>> = self.rollback_alarms.iter().map(Alarm::name).collect();
            deployment = deployment.alarms(DeploymentAlarms::new(names, true, true));
        }
        deployment
    }

    /// The load balancer's advanced configuration, with the role ECS moves traffic with
    /// (created at `<service path>/BlueGreenRole`): it may change exactly these rules and
    /// register targets in exactly these groups.
    pub(super) fn advanced(
        &self,
        stack: &mut Stack,
        service_path: &str,
        primary: &TargetGroup,
    ) -> AdvancedConfiguration {
        let role = stack.scope(service_path, |s| {
            Role::for_service(s, "BlueGreenRole", "ecs.amazonaws.com")
        });
        let mut rules: Vec<Expr<String>> = vec![rule_arn(&self.production_rule)];
        if let Some(test) = &self.test_rule {
            rules.push(rule_arn(test));
        }
        role.add_to_policy(
            stack,
            PolicyStatement::allow()
                .sid("ShiftTraffic")
                .actions(&["elasticloadbalancing:ModifyRule"])
                .resources(rules),
        );
        role.add_to_policy(
            stack,
            PolicyStatement::allow()
                .sid("RegisterTasks")
                .actions(&[
                    "elasticloadbalancing:DeregisterTargets",
                    "elasticloadbalancing:RegisterTargets",
                ])
                .resources([primary.arn(), self.alternate.arn()]),
        );
        role.add_to_policy(
            stack,
            PolicyStatement::allow()
                .sid("ReadLoadBalancer")
                .actions(&[
                    "elasticloadbalancing:DescribeListeners",
                    "elasticloadbalancing:DescribeRules",
                    "elasticloadbalancing:DescribeTargetGroups",
                    "elasticloadbalancing:DescribeTargetHealth",
                ])
                .resource("*"),
        );
        let mut advanced = AdvancedConfiguration::new(self.alternate.arn())
            .production_listener_rule(rule_arn(&self.production_rule))
            .role_arn(role.arn());
        if let Some(test) = &self.test_rule {
            advanced = advanced.test_listener_rule(rule_arn(test));
        }
        advanced
    }
}

/// A listener rule's ARN (its `Ref`).
fn rule_arn(rule: &Target) -> Expr<String> {
    stackcraft_core::template::ref_to(rule)
}
