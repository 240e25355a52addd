//! `ec2::Instance`: one server from a [`LaunchTemplate`] in one zone's subnet of a tier, with
//! no public address, and data volumes that outlive it.

use stackcraft_core::template::{get_azs, select, Expr, Target};
use stackcraft_core::Stack;
use stackcraft_resources::ec2::instance::LaunchTemplateSpecification;
use stackcraft_resources::ec2::{self as l1, InstanceRef, VolumeRef};

use super::{LaunchTemplate, SubnetKind, Vpc};
use crate::units::Memory;

/// An instance handle.
#[derive(Clone, Debug, PartialEq)]
pub struct Instance {
    instance: InstanceRef,
    path: String,
}

/// An EBS volume handle: encrypted gp3, in one zone.
#[derive(Clone, Debug, PartialEq)]
pub struct Volume {
    volume: VolumeRef,
}

impl Volume {
    /// An encrypted gp3 volume of `size` in zone `zone` (0-based, the order of the VPC's
    /// subnets), kept (snapshot) when deleted or replaced where the environment is protected.
    pub fn new(stack: &mut Stack, id: &str, zone: usize, size: Memory) -> Volume {
        let policy = stack.env().snapshot_policy();
        let volume = l1::Volume::new()
            .availability_zone(select(zone, get_azs("")))
            .encrypted(true)
            .volume_type("gp3")
            .size(i64::from(size.as_gib().max(1)));
        let volume = stack.add(id, volume);
        stack.set_removal_policy(volume.target(), policy);
        Volume { volume }
    }

    pub fn target(&self) -> &Target {
        self.volume.target()
    }

    /// The volume id (`vol-...`).
    pub fn id(&self) -> Expr<String> {
        self.volume.ref_()
    }
}

impl Instance {
    /// An instance of `template`'s latest version in zone `zone`'s subnet of tier `kind`.
    pub fn new(
        stack: &mut Stack,
        id: &str,
        vpc: &Vpc,
        template: &LaunchTemplate,
        kind: SubnetKind,
        zone: usize,
    ) -> Instance {
        let path = stack.path_of(id);
        let subnets = vpc.subnets(kind);
        let subnet = subnets[zone % subnets.len()].ref_();
        let spec = LaunchTemplateSpecification::new()
            .launch_template_id(template.id())
            .version(template.latest_version());
        let instance = stack.add(
            id,
            l1::Instance::new().launch_template(spec).subnet_id(subnet),
        );
        Instance { instance, path }
    }

    pub fn target(&self) -> &Target {
        self.instance.target()
    }

    /// The instance id (`Ref`).
    pub fn id(&self) -> Expr<String> {
        self.instance.ref_()
    }

    /// The instance's private IPv4 address.
    pub fn private_ip(&self) -> Expr<String> {
        self.instance.private_ip()
    }

    /// Attaches `volume` (of the instance's zone) as `device` (e.g. `/dev/sdf`); the boot
    /// script finds it by its id ([`Volume::id`]).
    pub fn attach(&self, stack: &mut Stack, id: &str, volume: &Volume, device: &str) {
        stack.add_at(
            &format!("{}/{id}", self.path),
            l1::VolumeAttachment::new(self.id(), volume.id()).device(device),
        );
    }
}
