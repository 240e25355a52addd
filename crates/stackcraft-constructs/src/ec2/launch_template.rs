//! `ec2::LaunchTemplate`: IMDSv2 only, encrypted gp3 root volume, detailed monitoring.

use stackcraft_core::template::{Expr, Target};
use stackcraft_core::Stack;
use stackcraft_resources::ec2::launch_template::{
    BlockDeviceMapping, Ebs, HttpEndpoint, HttpTokens, IamInstanceProfile, LaunchTemplateData,
    MetadataOptions, Monitoring, VolumeType,
};
use stackcraft_resources::ec2::{self as l1, LaunchTemplateRef};
use stackcraft_resources::iam as iam_l1;

use super::{SecurityGroup, UserData};
use crate::iam::Role;

/// The latest Amazon Linux 2023 AMI for x86_64, resolved by CloudFormation at deploy.
pub const AMAZON_LINUX_2023: &str =
    "{{resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64}}";

/// What instances launched from the template look like.
#[derive(Clone, Debug)]
pub struct LaunchTemplateOptions {
    pub instance_type: String,
    /// An AMI id or a `{{resolve:ssm:...}}` reference (default: Amazon Linux 2023).
    pub image_id: String,
    /// Root volume size in GiB.
    pub volume_size: u32,
    /// The boot script, if any (encoded here, once).
    pub user_data: Option<UserData>,
}

impl Default for LaunchTemplateOptions {
    fn default() -> Self {
        LaunchTemplateOptions {
            instance_type: "t3.micro".to_owned(),
            image_id: AMAZON_LINUX_2023.to_owned(),
            volume_size: 8,
            user_data: None,
        }
    }
}

/// A launch template handle, with the instance profile of its role.
#[derive(Clone, Debug, PartialEq)]
pub struct LaunchTemplate {
    template: LaunchTemplateRef,
}

impl LaunchTemplate {
    /// A template whose instances act as `role` (through an instance profile made here) in
    /// `groups`. Instance metadata answers IMDSv2 (token) requests only, one hop away, and the
    /// root volume is encrypted.
    pub fn new(
        stack: &mut Stack,
        id: &str,
        role: &Role,
        groups: &[&SecurityGroup],
        options: LaunchTemplateOptions,
    ) -> LaunchTemplate {
        let profile = stack.scope(id, |s| {
            s.add(
                "InstanceProfile",
                iam_l1::InstanceProfile::new(vec![role.name()]),
            )
        });
        let root = BlockDeviceMapping::new().device_name("/dev/xvda").ebs(
            Ebs::new()
                .encrypted(true)
                .delete_on_termination(true)
                .volume_type(VolumeType::Gp3)
                .volume_size(options.volume_size),
        );
        let mut data = LaunchTemplateData::new()
            .image_id(options.image_id.as_str())
            .instance_type(options.instance_type.as_str())
            .iam_instance_profile(IamInstanceProfile::new().arn(profile.arn()))
            .metadata_options(
                MetadataOptions::new()
                    .http_endpoint(HttpEndpoint::Enabled)
                    .http_tokens(HttpTokens::Required)
                    .http_put_response_hop_limit(1),
            )
            .block_device_mappings(vec![root])
            .monitoring(Monitoring::new().enabled(true))
            .ebs_optimized(true)
            .security_group_ids(groups.iter().map(|g| g.id()).collect::<Vec<_>>());
        if let Some(user_data) = options.user_data {
            data = data.user_data(user_data.encoded());
        }
        let template = stack.add(id, l1::LaunchTemplate::new(data));
        LaunchTemplate { template }
    }

    pub fn target(&self) -> &Target {
        self.template.target()
    }

    pub fn id(&self) -> Expr<String> {
        self.template.ref_()
    }

    pub fn latest_version(&self) -> Expr<String> {
        self.template.latest_version_number()
    }
}
