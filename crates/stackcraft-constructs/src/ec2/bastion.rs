//! `ec2::BastionHost`: a small instance reached through SSM Session Manager, with no inbound
//! port; SSH from named ranges only when asked.

use stackcraft_core::template::{Expr, Target};
use stackcraft_core::Stack;
use stackcraft_resources::ec2::instance::LaunchTemplateSpecification;
use stackcraft_resources::ec2::{self as l1, InstanceRef};

use super::{
    Connections, HasConnections, LaunchTemplate, LaunchTemplateOptions, Port, SecurityGroup,
    SubnetKind, UserData, Vpc,
};
use crate::iam::Role;

/// Choices for a bastion host.
#[derive(Clone, Debug, Default)]
pub struct BastionOptions {
    /// Instance type (default `t3.nano`).
    pub instance_type: Option<String>,
    /// IPv4 ranges allowed to SSH in. Empty (the default): no inbound rule at all, the host
    /// sits in a private subnet and is reached with `aws ssm start-session`. Non-empty: the
    /// host sits in a public subnet with a public address, port 22 open to these ranges only.
    pub ssh_from: Vec<String>,
}

/// A bastion host handle.
#[derive(Clone, Debug, PartialEq)]
pub struct BastionHost {
    instance: InstanceRef,
    group: SecurityGroup,
    role: Role,
}

impl BastionHost {
    pub fn new(stack: &mut Stack, id: &str, vpc: &Vpc, options: BastionOptions) -> BastionHost {
        let (group, role) = stack.scope(id, |s| {
            let group = SecurityGroup::new(s, "SecurityGroup", vpc, "Bastion host");
            let role = Role::for_service(s, "Role", "ec2.amazonaws.com");
            (group, role)
        });
        role.allow_session_manager(stack);
        // The SSM agent dials out to the Systems Manager endpoints over HTTPS.
        group.connections().allow_to_cidr(
            stack,
            "0.0.0.0/0",
            Port::HTTPS,
            "SSM Session Manager and package repositories",
        );
        let public = !options.ssh_from.is_empty();
        for cidr in &options.ssh_from {
            group
                .connections()
                .allow_from_cidr(stack, cidr, Port::SSH, "operators");
        }
        let template_options = LaunchTemplateOptions {
            instance_type: options
                .instance_type
                .clone()
                .unwrap_or_else(|| "t3.nano".to_owned()),
            user_data: Some(UserData::hardened()),
            ..LaunchTemplateOptions::default()
        };
        // With a public address the group goes on the network interface, not the template.
        let template_groups: &[&SecurityGroup] = if public { &[] } else { &[&group] };
        let template = stack.scope(id, |s| {
            LaunchTemplate::new(
                s,
                "LaunchTemplate",
                &role,
                template_groups,
                template_options,
            )
        });
        let kind = if public {
            SubnetKind::Public
        } else {
            SubnetKind::Private
        };
        let subnet = vpc.subnets(kind)[0].ref_();
        let spec = LaunchTemplateSpecification::new()
            .launch_template_id(template.id())
            .version(template.latest_version());
        let mut instance = l1::Instance::new().launch_template(spec);
        instance = if public {
            instance.network_interfaces(vec![
                stackcraft_resources::ec2::instance::NetworkInterface::new("0")
                    .associate_public_ip_address(true)
                    .subnet_id(subnet)
                    .group_set(vec![group.id()]),
            ])
        } else {
            instance.subnet_id(subnet)
        };
        let instance = stack.add(id, instance);
        if public {
            stack.suppress(
                instance.target(),
                "CKV_AWS_88",
                "SSH was asked for (ssh_from): the bastion needs a public address, and its security group admits port 22 from the configured operator ranges only.",
            );
        }
        BastionHost {
            instance,
            group,
            role,
        }
    }

    pub fn target(&self) -> &Target {
        self.instance.target()
    }

    pub fn instance_id(&self) -> Expr<String> {
        self.instance.ref_()
    }

    pub fn role(&self) -> &Role {
        &self.role
    }
}

impl HasConnections for BastionHost {
    fn connections(&self) -> Connections {
        self.group.connections()
    }
}
