//! EC2 networking: `Vpc`, `SecurityGroup` with its connections model, `LaunchTemplate` and
//! `BastionHost`.

mod bastion;
mod launch_template;
mod security_group;
mod vpc;

pub use bastion::{BastionHost, BastionOptions};
pub use launch_template::{LaunchTemplate, LaunchTemplateOptions, AMAZON_LINUX_2023};
pub use security_group::{Connections, HasConnections, Port, SecurityGroup};
pub use vpc::{plan_subnets, SubnetKind, Vpc, VpcOptions, MAX_AZS};
