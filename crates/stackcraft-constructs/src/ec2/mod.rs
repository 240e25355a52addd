//! EC2 networking: `Vpc`, `SecurityGroup` with its connections model, `LaunchTemplate` and
//! `BastionHost`.

mod bastion;
mod instance;
mod launch_template;
pub mod prefix_list;
mod security_group;
mod user_data;
mod vpc;

pub use bastion::{BastionHost, BastionOptions};
pub use instance::{Instance, Volume};
pub use launch_template::{LaunchTemplate, LaunchTemplateOptions, AMAZON_LINUX_2023};
pub use security_group::{Connections, HasConnections, Port, SecurityGroup};
pub use user_data::UserData;
pub use vpc::{plan_subnets, SubnetKind, Vpc, VpcOptions, MAX_AZS};
