//! `rds::AuroraCluster`: Aurora MySQL 3 in isolated subnets — one writer where the
//! environment is not highly available, a writer and readers in other zones where it is.

use stackcraft_core::template::{get_azs, select, Expr, Target};
use stackcraft_core::Stack;
use stackcraft_resources::rds::{self as l1, DbClusterRef};
use stackcraft_resources::secretsmanager as sm_l1;

use super::admin_endpoint;
use super::{
    admin_network, monitoring_role, mysql_parameters, rotate_or_suppress, standard_alarms,
};
use crate::cloudwatch::{Metric, Stat};
use crate::ec2::{Connections, HasConnections, SecurityGroup, Vpc};
use crate::ecs::{Connectable, Endpoint};
use crate::secretsmanager::Secret;
use crate::sns::Topic;

/// Choices that differ from the environment's defaults.
#[derive(Clone, Debug)]
pub struct AuroraOptions {
    /// Instance class of every instance (default `db.t4g.medium`, Aurora MySQL's smallest;
    /// `db.r7g.large` where the environment is highly available).
    pub instance_class: Option<String>,
    /// Readers beside the writer, each in the next zone (default: 1 where highly available,
    /// none otherwise).
    pub readers: Option<u32>,
    /// The database created at launch.
    pub database_name: String,
    /// The administrator's user name (the password is generated).
    pub username: String,
    /// Refuse deletion (default: protected environments).
    pub deletion_protection: Option<bool>,
    /// Days of automated backups (default: 14 where protected, 1 otherwise).
    pub backup_days: Option<u32>,
    /// Days between password rotations (default: 30 where protected, none otherwise).
    pub rotation_days: Option<u32>,
    /// Aurora MySQL version; minor upgrades are applied automatically.
    pub engine_version: String,
}

impl Default for AuroraOptions {
    fn default() -> Self {
        AuroraOptions {
            instance_class: None,
            readers: None,
            database_name: "app".to_owned(),
            username: "admin_user".to_owned(),
            deletion_protection: None,
            backup_days: None,
            rotation_days: None,
            engine_version: "8.0.mysql_aurora.3.08.2".to_owned(),
        }
    }
}

/// An Aurora cluster handle.
#[derive(Clone, Debug, PartialEq)]
pub struct AuroraCluster {
    cluster: DbClusterRef,
    secret: Secret,
    group: SecurityGroup,
    path: String,
    instance_class: String,
    /// The writer first, then the readers.
    instances: Vec<Target>,
}

impl AuroraCluster {
    /// Aurora MySQL in the isolated subnets of `vpc`, reachable from nothing until
    /// `cluster.connections().allow_from(...)`.
    pub fn mysql(stack: &mut Stack, id: &str, vpc: &Vpc, options: AuroraOptions) -> AuroraCluster {
        let env = stack.env().clone();
        let (ha, protected) = (env.is_highly_available(), env.is_protected());
        let path = stack.path_of(id);
        let (secret, group, subnets, parameters) = stack.scope(id, |s| {
            let (secret, group, subnets) =
                admin_network(s, vpc, &options.username, &format!("Aurora cluster {id}"));
            // The audit log records connections and DDL/DCL statements (exported below).
            let audit = [
                ("server_audit_logging", "1"),
                ("server_audit_events", "CONNECT,QUERY_DCL,QUERY_DDL"),
            ];
            let parameters = s.add(
                "Parameters",
                l1::DbClusterParameterGroup::new(
                    "Aurora MySQL cluster parameters",
                    "aurora-mysql8.0",
                    mysql_parameters(&audit),
                ),
            );
            (secret, group, subnets, parameters)
        });
        let cluster = l1::DbCluster::new()
            .engine("aurora-mysql")
            .engine_version(options.engine_version.as_str())
            .database_name(options.database_name.as_str())
            .master_username(secret.resolve(Some("username")))
            .master_user_password(secret.resolve(Some("password")))
            .storage_encrypted(true)
            .deletion_protection(options.deletion_protection.unwrap_or(protected))
            .backup_retention_period(
                options
                    .backup_days
                    .unwrap_or(if protected { 14 } else { 1 }),
            )
            .copy_tags_to_snapshot(true)
            .enable_iam_database_authentication(true)
            .enable_cloudwatch_logs_exports(vec!["audit", "error", "slowquery"])
            .db_subnet_group_name(subnets.ref_())
            .db_cluster_parameter_group_name(parameters.ref_())
            .vpc_security_group_ids(vec![group.id()]);
        let cluster = stack.add(id, cluster);
        stack.set_removal_policy(cluster.target(), env.snapshot_policy());

        let class = options.instance_class.clone().unwrap_or_else(|| {
            if ha {
                "db.r7g.large".to_owned()
            } else {
                "db.t4g.medium".to_owned()
            }
        });
        let monitoring = ha.then(|| monitoring_role(stack, id));
        let readers = options.readers.unwrap_or(u32::from(ha));
        let zones = vpc.az_count().max(1);
        let mut instances = Vec::new();
        for n in 0..=readers {
            let name = if n == 0 {
                "Writer".to_owned()
            } else {
                format!("Reader{n}")
            };
            // Instance n sits in zone n: the writer and each reader in a different zone.
            let mut instance = l1::DbInstance::new()
                .engine("aurora-mysql")
                .db_cluster_identifier(cluster.ref_())
                .db_instance_class(class.as_str())
                .availability_zone(select(n as usize % zones, get_azs("")))
                .publicly_accessible(false)
                .auto_minor_version_upgrade(true)
                .promotion_tier(n.min(15));
            if let Some(role) = &monitoring {
                instance = instance
                    .monitoring_interval(60)
                    .monitoring_role_arn(role.arn())
                    .enable_performance_insights(true)
                    .performance_insights_retention_period(7);
            }
            let instance = stack.scope(id, |s| s.add(&name, instance));
            if protected {
                stack.suppress(
                    instance.target(),
                    "SC-DATA-001",
                    "The cluster holds the data and takes the final snapshot (its DeletionPolicy is Snapshot); an instance of an Aurora cluster has no storage of its own and cannot be snapshotted on its own.",
                );
            }
            instances.push(instance.target().clone());
        }

        let attachment = stack.scope(id, |s| {
            s.add(
                "SecretAttachment",
                sm_l1::SecretTargetAttachment::new(
                    secret.arn(),
                    cluster.ref_(),
                    "AWS::RDS::DBCluster",
                ),
            )
        });
        let this = AuroraCluster {
            cluster,
            secret,
            group,
            path,
            instance_class: class,
            instances,
        };
        rotate_or_suppress(
            stack,
            id,
            vpc,
            &this.secret,
            &this.connections(),
            options.rotation_days,
            attachment.target(),
        );
        this
    }

    pub fn target(&self) -> &Target {
        self.cluster.target()
    }

    /// The writer, then the readers.
    pub fn instances(&self) -> &[Target] {
        &self.instances
    }

    /// The cluster identifier (`Ref`): the `DBClusterIdentifier` dimension of its metrics.
    pub fn identifier(&self) -> Expr<String> {
        self.cluster.ref_()
    }

    /// A metric of the cluster (`AWS/RDS`, by `DBClusterIdentifier`), averaged.
    pub fn metric(&self, name: &str) -> Metric {
        Metric::new("AWS/RDS", name)
            .dimension("DBClusterIdentifier", self.identifier())
            .stat(Stat::Average)
    }

    /// Alarms to `topic`: CPU above 80% for 15 minutes and connections above 80% of what the
    /// instance class allows (Aurora storage grows by itself).
    pub fn add_alarms(&self, stack: &mut Stack, topic: &Topic) {
        stack.scope(&self.path, |s| {
            standard_alarms(
                s,
                topic,
                &self.instance_class,
                |name| self.metric(name),
                None,
            )
        });
    }

    /// The writer's endpoint: it follows the writer through a failover.
    pub fn endpoint(&self) -> Expr<String> {
        self.cluster.endpoint_address()
    }

    /// The reader endpoint, balanced over the readers (the writer where there are none).
    pub fn read_endpoint(&self) -> Expr<String> {
        self.cluster.read_endpoint_address()
    }

    pub fn port(&self) -> Expr<String> {
        self.cluster.endpoint_port()
    }

    /// The generated credentials: a JSON secret with `username` and `password` (and, once
    /// attached, `host`, `port`, `dbname`).
    pub fn secret(&self) -> &Secret {
        &self.secret
    }
}

impl Connectable for AuroraCluster {
    /// The writer endpoint with the administrator credentials; TLS is required
    /// (`require_secure_transport`).
    fn client_endpoint(&self) -> Endpoint {
        admin_endpoint(self.endpoint(), self.port(), &self.secret)
    }
}

impl HasConnections for AuroraCluster {
    fn connections(&self) -> Connections {
        self.group.connections()
    }
}
