//! `ecs::Cluster`: Container Insights where the environment is highly available.

use stackcraft_core::template::{Expr, Target};
use stackcraft_core::Stack;
use stackcraft_resources::ecs::cluster::ClusterSettings;
use stackcraft_resources::ecs::{self as l1, ClusterRef};

use crate::ec2::Vpc;

/// A cluster handle; it remembers the VPC its services run in.
#[derive(Clone, Debug, PartialEq)]
pub struct Cluster {
    cluster: ClusterRef,
    vpc: Vpc,
}

impl Cluster {
    /// A Fargate cluster for services in `vpc`; Container Insights where the environment is highly available.
    pub fn new(stack: &mut Stack, id: &str, vpc: &Vpc) -> Cluster {
        let insights = stack.env().is_highly_available();
        Self::with_insights(stack, id, vpc, insights)
    }

    pub fn with_insights(stack: &mut Stack, id: &str, vpc: &Vpc, insights: bool) -> Cluster {
        let value = if insights { "enabled" } else { "disabled" };
        let cluster = stack.add(
            id,
            l1::Cluster::new().cluster_settings(vec![ClusterSettings::new()
                .name("containerInsights")
                .value(value)]),
        );
        Cluster {
            cluster,
            vpc: vpc.clone(),
        }
    }

    pub fn target(&self) -> &Target {
        self.cluster.target()
    }

    /// The cluster name (`Ref`).
    pub fn name(&self) -> Expr<String> {
        self.cluster.ref_()
    }

    pub fn arn(&self) -> Expr<String> {
        self.cluster.arn()
    }

    pub fn vpc(&self) -> &Vpc {
        &self.vpc
    }
}
