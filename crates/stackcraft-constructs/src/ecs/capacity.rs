//! EC2 capacity for a cluster: container instances of an Auto Scaling group, given to the
//! cluster as a capacity provider that ECS scales (managed scaling), keeps from terminating
//! while tasks run on it (managed termination protection) and drains before termination.

use stackcraft_core::template::{Expr, Target, Value};
use stackcraft_core::Stack;
use stackcraft_resources::ecs::capacity_provider::{
    AutoScalingGroupProvider, ManagedDraining, ManagedScaling, ManagedTerminationProtection, Status,
};
use stackcraft_resources::ecs::cluster_capacity_provider_associations::CapacityProviderStrategy;
use stackcraft_resources::ecs::{self as l1, CapacityProviderRef};

use super::Cluster;
use crate::autoscaling::AutoScalingGroup;
use crate::ec2::UserData;
use crate::iam::Role;

/// The ECS-optimized Amazon Linux 2023 AMI for x86_64, resolved by CloudFormation at deploy
/// from the public SSM parameter.
pub const ECS_OPTIMIZED_AMAZON_LINUX_2023: &str =
    "{{resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id}}";

/// The link from a cluster to its capacity providers' association.
const ASSOCIATIONS: &str = "CapacityProviders";

/// A capacity provider of a cluster: what a service's capacity provider strategy names.
#[derive(Clone, Debug, PartialEq)]
pub struct CapacityProvider {
    provider: CapacityProviderRef,
    /// The cluster's association, which a service must wait for.
    association: Target,
}

impl CapacityProvider {
    pub fn target(&self) -> &Target {
        self.provider.target()
    }

    /// The provider's name (`Ref`).
    pub fn name(&self) -> Expr<String> {
        self.provider.ref_()
    }

    /// The cluster's capacity provider associations, which name this provider.
    pub fn association(&self) -> &Target {
        &self.association
    }
}

impl Cluster {
    /// The role of this cluster's container instances: the ECS agent's permissions and the
    /// SSM agent's (Session Manager, patching), nothing else.
    pub fn instance_role(&self, stack: &mut Stack, id: &str) -> Role {
        let role = Role::for_service(stack, id, "ec2.amazonaws.com");
        role.add_managed_policy(stack, "service-role/AmazonEC2ContainerServiceforEC2Role");
        role.allow_session_manager(stack);
        role
    }

    /// The boot script of this cluster's container instances: hardened (security updates,
    /// SSM agent), joined to the cluster, task IAM roles and ENI trunking on.
    pub fn instance_user_data(&self) -> UserData {
        UserData::hardened()
            .line(stackcraft_core::template::sub_with(
                "echo ECS_CLUSTER=${Cluster} >> /etc/ecs/ecs.config",
                [("Cluster", self.name())],
            ))
            .line("echo ECS_ENABLE_TASK_IAM_ROLE=true >> /etc/ecs/ecs.config")
            .line("echo ECS_ENABLE_SPOT_INSTANCE_DRAINING=true >> /etc/ecs/ecs.config")
            .line("echo ECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM=ec2_instance >> /etc/ecs/ecs.config")
    }

    /// Gives the instances of `group` to the cluster as a capacity provider with managed
    /// scaling (to 100% use), managed termination protection and managed draining. The first
    /// provider added is the cluster's default. `group` must protect new instances from
    /// scale-in (`protect_from_scale_in`), which managed termination protection relies on.
    pub fn add_capacity(
        &self,
        stack: &mut Stack,
        id: &str,
        group: &AutoScalingGroup,
    ) -> CapacityProvider {
        let path = stack.path_of(id);
        if !group.is_protected_from_scale_in() {
            stack.error(
                &path,
                "ECS managed termination protection needs an Auto Scaling group whose new instances are protected from scale-in (AutoScalingGroupOptions::protect_from_scale_in)".to_owned(),
            );
        }
        let provider = l1::CapacityProvider::new().auto_scaling_group_provider(
            AutoScalingGroupProvider::new(group.name())
                .managed_scaling(
                    ManagedScaling::new()
                        .status(Status::Enabled)
                        .target_capacity(100)
                        .instance_warmup_period(300),
                )
                .managed_termination_protection(ManagedTerminationProtection::Enabled)
                .managed_draining(ManagedDraining::Enabled),
        );
        let provider = stack.add(id, provider);
        let strategy = CapacityProviderStrategy::new(provider.ref_())
            .base(0)
            .weight(1);
        let association = stack.child_or_add(self.target(), ASSOCIATIONS, || {
            l1::ClusterCapacityProviderAssociations::new(self.name(), vec![strategy])
                .capacity_providers(Vec::<Expr<String>>::new())
        });
        let resource = stack.resource_mut(&association);
        if let Some(Value::List(providers)) = resource.properties.get_mut("CapacityProviders") {
            providers.push(provider.ref_().into_value());
        }
        CapacityProvider {
            provider,
            association,
        }
    }
}
