//! `efs::FileSystem`: an encrypted, elastic-throughput file system with a mount target in each
//! zone's isolated subnet, a policy that refuses clients without TLS, backups where the
//! environment is protected, and access points that pin a directory and a POSIX user.

use serde_json::json;
use stackcraft_core::template::{sub_with, Expr, Target};
use stackcraft_core::Stack;
use stackcraft_resources::efs::access_point::{CreationInfo, PosixUser, RootDirectory};
use stackcraft_resources::efs::file_system::{BackupPolicy, Status, ThroughputMode};
use stackcraft_resources::efs::{self as l1, AccessPointRef, FileSystemRef};

use crate::ec2::{Connections, HasConnections, SecurityGroup, SubnetKind, Vpc};
use crate::iam::{Grantee, PolicyStatement};

/// Choices that differ from the environment's defaults.
#[derive(Clone, Debug, Default)]
pub struct FileSystemOptions {
    /// Daily AWS Backup of the file system (default: protected environments).
    pub backups: Option<bool>,
}

/// A file system handle.
#[derive(Clone, Debug, PartialEq)]
pub struct FileSystem {
    fs: FileSystemRef,
    group: SecurityGroup,
    path: String,
    /// Mount targets: clients mount once they exist.
    mount_targets: Vec<Target>,
}

/// An access point handle: a directory of the file system, entered as one POSIX user.
#[derive(Clone, Debug, PartialEq)]
pub struct AccessPoint {
    point: AccessPointRef,
    fs: FileSystem,
}

impl FileSystem {
    pub fn new(stack: &mut Stack, id: &str, vpc: &Vpc, options: FileSystemOptions) -> FileSystem {
        let env = stack.env().clone();
        let path = stack.path_of(id);
        let group = stack.scope(id, |s| {
            SecurityGroup::new(s, "SecurityGroup", vpc, &format!("File system {id}"))
        });
        let backups = options.backups.unwrap_or(env.is_protected());
        // Clients without TLS are refused, whatever their IAM permissions.
        let tls_only = json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "DenyWithoutTls",
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}}
            }]
        });
        let fs = l1::FileSystem::new()
            .encrypted(true)
            .throughput_mode(ThroughputMode::Elastic)
            .backup_policy(BackupPolicy::new(if backups {
                Status::Enabled
            } else {
                Status::Disabled
            }))
            .file_system_policy(tls_only);
        let fs = stack.add(id, fs);
        stack.set_removal_policy(fs.target(), env.removal_policy());
        let mut mount_targets = Vec::new();
        stack.scope(id, |s| {
            for (zone, subnet) in vpc.subnets(SubnetKind::Isolated).iter().enumerate() {
                let target = s.add(
                    &format!("MountTarget{}", zone + 1),
                    l1::MountTarget::new(fs.ref_(), vec![group.id()], subnet.ref_()),
                );
                mount_targets.push(target.target().clone());
            }
        });
        FileSystem {
            fs,
            group,
            path,
            mount_targets,
        }
    }

    pub fn target(&self) -> &Target {
        self.fs.target()
    }

    /// The file system id (`Ref`).
    pub fn id(&self) -> Expr<String> {
        self.fs.ref_()
    }

    pub fn arn(&self) -> Expr<String> {
        self.fs.arn()
    }

    /// `<id>.efs.<region>.amazonaws.com`: the name clients mount (resolves in the VPC).
    pub fn dns_name(&self) -> Expr<String> {
        sub_with(
            "${FileSystem}.efs.${AWS::Region}.${AWS::URLSuffix}",
            [("FileSystem", self.id())],
        )
    }

    /// The mount targets, one per zone: what a client must wait for.
    pub fn mount_targets(&self) -> &[Target] {
        &self.mount_targets
    }

    /// A directory `path` (created owned by `uid:gid`, mode 750) that clients of the access
    /// point enter as `uid:gid`, whatever user they are.
    pub fn add_access_point(
        &self,
        stack: &mut Stack,
        id: &str,
        path: &str,
        uid: u32,
        gid: u32,
    ) -> AccessPoint {
        let point = l1::AccessPoint::new(self.id())
            .posix_user(PosixUser::new(gid.to_string(), uid.to_string()))
            .root_directory(
                RootDirectory::new()
                    .path(path)
                    .creation_info(CreationInfo::new(gid.to_string(), uid.to_string(), "750")),
            );
        let point = stack.add_at(&format!("{}/{id}", self.path), point);
        AccessPoint {
            point,
            fs: self.clone(),
        }
    }
}

impl HasConnections for FileSystem {
    fn connections(&self) -> Connections {
        self.group.connections()
    }
}

impl AccessPoint {
    pub fn target(&self) -> &Target {
        self.point.target()
    }

    /// The access point id (`Ref`).
    pub fn id(&self) -> Expr<String> {
        self.point.ref_()
    }

    pub fn arn(&self) -> Expr<String> {
        self.point.arn()
    }

    pub fn file_system(&self) -> &FileSystem {
        &self.fs
    }

    /// Mount and write through this access point (and no other), with IAM authorization.
    pub fn grant_read_write(&self, stack: &mut Stack, grantee: &impl Grantee) {
        let statement = PolicyStatement::allow()
            .actions(&[
                "elasticfilesystem:ClientMount",
                "elasticfilesystem:ClientWrite",
            ])
            .resource(self.fs.arn())
            .condition(
                "StringEquals",
                "elasticfilesystem:AccessPointArn",
                self.arn(),
            );
        grantee.grant_role().add_to_policy(stack, statement);
    }
}
