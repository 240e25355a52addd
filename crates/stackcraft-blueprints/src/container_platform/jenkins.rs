//! The Jenkins server: one instance in the app tier of the first zone, its home on a data
//! volume that outlives the instance, allowed to push the apps' images and roll their
//! services — nothing else.

use stackcraft_constructs::ec2::{
    HasConnections, Instance, LaunchTemplate, LaunchTemplateOptions, Port, SecurityGroup,
    SubnetKind, UserData, Volume, Vpc,
};
use stackcraft_constructs::ecr::Repository;
use stackcraft_constructs::ecs::Service;
use stackcraft_constructs::iam::Role;
use stackcraft_constructs::units::Memory;
use stackcraft_core::template::{sub_with, Expr};
use stackcraft_core::Stack;

/// The port Jenkins serves its web interface on.
pub(super) const JENKINS_PORT: u16 = 8080;
/// The zone (0-based) Jenkins and its volume live in.
const ZONE: usize = 0;

/// The server's handles.
pub(super) struct Jenkins {
    pub instance: Instance,
    pub group: SecurityGroup,
    pub role: Role,
}

impl Jenkins {
    pub fn new(
        stack: &mut Stack,
        id: &str,
        vpc: &Vpc,
        instance_type: &str,
        volume: Memory,
    ) -> Jenkins {
        let (group, role, data) = stack.scope(id, |s| {
            let group = SecurityGroup::new(s, "SecurityGroup", vpc, "Jenkins server");
            let role = Role::for_service(s, "Role", "ec2.amazonaws.com");
            let data = Volume::new(s, "Data", ZONE, volume);
            (group, role, data)
        });
        role.allow_session_manager(stack);
        group.connections().allow_to_cidr(
            stack,
            "0.0.0.0/0",
            Port::HTTPS,
            "AWS APIs, package and plugin repositories",
        );
        let template = stack.scope(id, |s| {
            LaunchTemplate::new(
                s,
                "LaunchTemplate",
                &role,
                &[&group],
                LaunchTemplateOptions {
                    instance_type: instance_type.to_owned(),
                    volume_size: 20,
                    user_data: Some(boot_script(data.id())),
                    ..LaunchTemplateOptions::default()
                },
            )
        });
        let instance = stack.scope(id, |s| {
            Instance::new(s, "Server", vpc, &template, SubnetKind::Private, ZONE)
        });
        instance.attach(stack, "DataAttachment", &data, "/dev/sdf");
        Jenkins {
            instance,
            group,
            role,
        }
    }

    /// Push to exactly these repositories and roll exactly these services.
    pub fn allow_deploy(
        &self,
        stack: &mut Stack,
        repositories: &[Repository],
        services: &[Service],
    ) {
        for repository in repositories {
            repository.grant_push(stack, &self.role);
        }
        for service in services {
            service.grant_update(stack, &self.role);
        }
    }
}

impl HasConnections for Jenkins {
    fn connections(&self) -> stackcraft_constructs::ec2::Connections {
        self.group.connections()
    }
}

/// Hardened, then: the data volume (found by its id) formatted once and mounted as Jenkins'
/// home, Jenkins LTS from its repository, Docker to build images.
fn boot_script(volume_id: Expr<String>) -> UserData {
    UserData::hardened()
        .line(sub_with(
            "DEVICE=/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_$(echo ${Volume} | tr -d -)",
            [("Volume", volume_id)],
        ))
        .line("until [ -e \"$DEVICE\" ]; do sleep 5; done")
        .line("blkid \"$DEVICE\" || mkfs.xfs \"$DEVICE\"")
        .line("mkdir -p /var/lib/jenkins")
        .line("echo \"$DEVICE /var/lib/jenkins xfs defaults,nofail 0 2\" >> /etc/fstab")
        .line("mount -a")
        .line("dnf install -y java-21-amazon-corretto-headless docker git")
        .line("curl -fsSL -o /etc/yum.repos.d/jenkins.repo https://pkg.jenkins.io/redhat-stable/jenkins.repo")
        .line("rpm --import https://pkg.jenkins.io/redhat-stable/jenkins.io-2023.key")
        .line("dnf install -y jenkins")
        .line("usermod -aG docker jenkins")
        .line("chown -R jenkins:jenkins /var/lib/jenkins")
        .line("systemctl enable --now docker jenkins")
}
