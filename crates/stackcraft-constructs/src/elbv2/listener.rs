//! Listeners of a load balancer: one default action each, and rules (path and host
//! conditions, priorities) that forward, answer or redirect before it.

use stackcraft_core::template::{Expr, Target};
use stackcraft_core::Stack;
use stackcraft_resources::elasticloadbalancingv2::listener::{
    Action as L1Action, FixedResponseConfig, ForwardConfig, RedirectConfig, StatusCode,
    TargetGroupTuple, Type as ActionType,
};
use stackcraft_resources::elasticloadbalancingv2::listener_rule::{
    self as rule_l1, HostHeaderConfig, PathPatternConfig, RuleCondition,
};
use stackcraft_resources::elasticloadbalancingv2::{self as l1, ListenerRef};

use super::TargetGroup;

/// The link from a target group to each listener or rule that forwards to it.
pub(super) const ROUTED_BY: &str = "RoutedBy";
/// The link from a listener to what its default action was set by.
const DEFAULT_SET_BY: &str = "DefaultSetBy";

/// What a listener or rule does with a request. A value: build it, then give it to
/// [`Listener::set_default`] or [`Listener::add_rule`].
// A few actions are built per synth; boxing the target group would only cost readability.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Send to one target group.
    Forward(TargetGroup),
    /// Split between target groups by weight (blue/green, canaries).
    WeightedForward(Vec<(TargetGroup, u8)>),
    /// Answer directly.
    Respond {
        status: u16,
        content_type: String,
        body: String,
    },
    /// Redirect (301) to another host, path or protocol; `None` keeps the request's.
    Redirect {
        protocol: Option<String>,
        host: Option<String>,
        path: Option<String>,
        port: Option<u16>,
    },
}

impl Action {
    /// `404 Not found` as plain text: what a listener answers when nothing matches.
    pub fn not_found() -> Action {
        Action::Respond {
            status: 404,
            content_type: "text/plain".to_owned(),
            body: "Not found".to_owned(),
        }
    }

    fn groups(&self) -> Vec<&TargetGroup> {
        match self {
            Action::Forward(group) => vec![group],
            Action::WeightedForward(groups) => groups.iter().map(|(g, _)| g).collect(),
            _ => Vec::new(),
        }
    }

    pub(super) fn to_l1_action(&self) -> L1Action {
        match self {
            Action::Forward(group) => {
                L1Action::new(ActionType::Forward).target_group_arn(group.arn())
            }
            Action::WeightedForward(groups) => {
                let tuples: Vec<TargetGroupTuple> = groups
                    .iter()
                    .map(|(group, weight)| {
                        TargetGroupTuple::new()
                            .target_group_arn(group.arn())
                            .weight(*weight)
                    })
                    .collect();
                L1Action::new(ActionType::Forward)
                    .forward_config(ForwardConfig::new().target_groups(tuples))
            }
            Action::Respond {
                status,
                content_type,
                body,
            } => L1Action::new(ActionType::FixedResponse).fixed_response_config(
                FixedResponseConfig::new(status.to_string())
                    .content_type(content_type.as_str())
                    .message_body(body.as_str()),
            ),
            Action::Redirect {
                protocol,
                host,
                path,
                port,
            } => {
                let mut config = RedirectConfig::new(StatusCode::Http301);
                if let Some(protocol) = protocol {
                    config = config.protocol(protocol.as_str());
                }
                if let Some(host) = host {
                    config = config.host(host.as_str());
                }
                if let Some(path) = path {
                    config = config.path(path.as_str());
                }
                if let Some(port) = port {
                    config = config.port(port.to_string());
                }
                L1Action::new(ActionType::Redirect).redirect_config(config)
            }
        }
    }
}

/// When a rule applies: every condition of a rule must match.
#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    /// The path matches one of these patterns (`/api/*`, `*.css`).
    Paths(Vec<String>),
    /// The `Host` header matches one of these (`api.example.com`, `*.example.com`).
    Hosts(Vec<String>),
}

impl Condition {
    pub fn paths(patterns: &[&str]) -> Condition {
        Condition::Paths(patterns.iter().map(|p| (*p).to_owned()).collect())
    }

    pub fn hosts(hosts: &[&str]) -> Condition {
        Condition::Hosts(hosts.iter().map(|h| (*h).to_owned()).collect())
    }

    fn to_l1(&self) -> RuleCondition {
        match self {
            Condition::Paths(patterns) => RuleCondition::new()
                .field("path-pattern")
                .path_pattern_config(PathPatternConfig::new().values(patterns.clone())),
            Condition::Hosts(hosts) => RuleCondition::new()
                .field("host-header")
                .host_header_config(HostHeaderConfig::new().values(hosts.clone())),
        }
    }
}

/// A listener handle.
#[derive(Clone, Debug, PartialEq)]
pub struct Listener {
    listener: ListenerRef,
    /// The construct path of the load balancer (rules are created under it).
    lb_path: String,
}

impl Listener {
    pub(super) fn from_ref(listener: ListenerRef, lb_path: &str) -> Listener {
        Listener {
            listener,
            lb_path: lb_path.to_owned(),
        }
    }

    pub fn target(&self) -> &Target {
        self.listener.target()
    }

    pub fn arn(&self) -> Expr<String> {
        self.listener.ref_()
    }

    /// What the listener does when no rule matches. Listeners start answering
    /// [`Action::not_found`]; a listener has one default, so setting a second is an error
    /// naming both (add a rule with a condition instead).
    pub fn set_default(&self, stack: &mut Stack, set_by: &Target, action: Action) {
        if let Some(first) = stack.linked(self.target(), DEFAULT_SET_BY).first().cloned() {
            let name = |stack: &Stack, target: &Target| {
                stack
                    .path_of_target(target)
                    .unwrap_or(&target.logical_id)
                    .to_owned()
            };
            let message = format!(
                "listener {} already has its default action, set by {}; {} cannot be a second default: give it a rule with a path or host condition (Listener::add_rule)",
                self.listener.logical_id(),
                name(stack, &first),
                name(stack, set_by),
            );
            let path = stack
                .path_of_target(self.target())
                .unwrap_or(&self.lb_path)
                .to_owned();
            stack.error(&path, message);
            return;
        }
        stack.link(self.target(), DEFAULT_SET_BY, set_by);
        for group in action.groups() {
            stack.link(group.target(), ROUTED_BY, self.target());
        }
        let actions: Expr<Vec<L1Action>> = vec![action.to_l1_action()].into();
        stack.set_property(self.target(), "DefaultActions", actions);
    }

    /// Sends every request that matches no rule to `group`.
    pub fn forward_by_default(&self, stack: &mut Stack, group: &TargetGroup) {
        self.set_default(stack, group.target(), Action::Forward(group.clone()));
    }

    /// A rule evaluated before the default, lowest `priority` first (1 to 50000, unique per
    /// listener: a second rule at a priority is an error naming both).
    pub fn add_rule(
        &self,
        stack: &mut Stack,
        id: &str,
        priority: u16,
        conditions: &[Condition],
        action: Action,
    ) -> Target {
        let path = format!("{}/{id}", self.lb_path);
        if !(1..=50_000).contains(&priority) || conditions.is_empty() {
            stack.error(
                &path,
                format!("a listener rule needs a priority from 1 to 50000 (got {priority}) and at least one condition"),
            );
        }
        let slot = format!("Priority{priority}");
        let taken = stack.linked(self.target(), &slot).first().cloned();
        let conditions: Vec<RuleCondition> = conditions.iter().map(Condition::to_l1).collect();
        let actions: Expr<Vec<rule_l1::Action>> =
            Expr::<Vec<L1Action>>::from(vec![action.to_l1_action()]).cast();
        let rule = stack
            .add_at(
                &path,
                l1::ListenerRule::new(actions, conditions, priority).listener_arn(self.arn()),
            )
            .target()
            .clone();
        if let Some(taken) = taken {
            let other = stack.path_of_target(&taken).unwrap_or_default().to_owned();
            stack.error(
                &path,
                format!(
                    "priority {priority} of listener {} is already taken by {other}",
                    self.listener.logical_id()
                ),
            );
        }
        stack.link(self.target(), &slot, &rule);
        for group in action.groups() {
            stack.link(group.target(), ROUTED_BY, &rule);
        }
        rule
    }
}
