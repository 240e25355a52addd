//! Application Auto Scaling: a scalable dimension of any service (an ECS service's task
//! count, a DynamoDB table's read or write capacity) between a minimum and a maximum, with
//! target-tracking policies. The services' constructs build on it (`ecs::Service::auto_scale`,
//! `dynamodb::Capacity::Provisioned`).

use stackcraft_core::template::{Expr, Target};
use stackcraft_core::Stack;
use stackcraft_resources::applicationautoscaling::scalable_target::{
    ScalableDimension, ServiceNamespace,
};
use stackcraft_resources::applicationautoscaling::scaling_policy::{
    PolicyType, PredefinedMetricSpecification,
    PredefinedMetricSpecificationPredefinedMetricType as Predefined,
    TargetTrackingScalingPolicyConfiguration,
};
use stackcraft_resources::applicationautoscaling::{self as l1, ScalableTargetRef};

/// Seconds between scaling out again, and before scaling in.
pub const SCALE_OUT_COOLDOWN: u32 = 60;
pub const SCALE_IN_COOLDOWN: u32 = 300;

/// One scalable dimension with its bounds.
#[derive(Clone, Debug, PartialEq)]
pub struct ScalableTarget {
    target: ScalableTargetRef,
    path: String,
}

impl ScalableTarget {
    /// `dimension` of the resource `resource_id` (`service/<cluster>/<service>`,
    /// `table/<name>`) between `min` and `max`, created at construct path `path`; `max <
    /// min` is an error of `error_path`.
    pub fn new(
        stack: &mut Stack,
        path: &str,
        error_path: &str,
        scaled: (ServiceNamespace, ScalableDimension, Expr<String>),
        min: u32,
        max: u32,
    ) -> ScalableTarget {
        if max < min {
            stack.error(
                error_path,
                format!("autoscaling needs max ({max}) >= min ({min})"),
            );
        }
        let (namespace, dimension, resource_id) = scaled;
        let scalable = l1::ScalableTarget::new(max, min, resource_id, dimension, namespace);
        let target = stack.add_at(path, scalable);
        ScalableTarget {
            target,
            path: path.to_owned(),
        }
    }

    pub fn target(&self) -> &Target {
        self.target.target()
    }

    /// The construct path policies are created under.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Keeps a predefined metric near `value` (a percentage of utilization, requests per
    /// target, ...).
    pub fn track_predefined(
        &self,
        stack: &mut Stack,
        id: &str,
        metric: PredefinedMetricSpecification,
        value: u32,
    ) -> Target {
        self.track(
            stack,
            id,
            TargetTrackingScalingPolicyConfiguration::new(value)
                .predefined_metric_specification(metric),
        )
    }

    /// A target-tracking policy `id` with the standard cooldowns.
    pub fn track(
        &self,
        stack: &mut Stack,
        id: &str,
        config: TargetTrackingScalingPolicyConfiguration,
    ) -> Target {
        // Policy names are unique per scalable target, so the construct id is enough.
        let policy = l1::ScalingPolicy::new(id, PolicyType::TargetTrackingScaling)
            .scaling_target_id(self.target.ref_())
            .target_tracking_scaling_policy_configuration(
                config
                    .scale_out_cooldown(SCALE_OUT_COOLDOWN)
                    .scale_in_cooldown(SCALE_IN_COOLDOWN),
            );
        stack
            .add_at(&format!("{}/{id}", self.path), policy)
            .target()
            .clone()
    }
}

/// A predefined metric, for [`ScalableTarget::track_predefined`].
pub fn predefined(metric: Predefined) -> PredefinedMetricSpecification {
    PredefinedMetricSpecification::new(metric)
}
