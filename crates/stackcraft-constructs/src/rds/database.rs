//! `rds::Database`: MySQL 8 in isolated subnets; encrypted storage, credentials generated in
//! Secrets Manager (rotated where protected), TLS required of clients, backups, IAM authentication,
//! logs to CloudWatch;
//! Multi-AZ, deletion protection, enhanced monitoring, Performance Insights and a final
//! snapshot where the environment is protected; Multi-AZ where it is highly available.

use stackcraft_core::template::{Expr, Target};
use stackcraft_core::Stack;
use stackcraft_resources::rds::{self as l1, DbInstanceRef};
use stackcraft_resources::secretsmanager as sm_l1;

use super::admin_endpoint;
use super::{
    admin_network, monitoring_role, mysql_parameters, rotate_or_suppress, standard_alarms,
};
use crate::cloudwatch::{Metric, Stat};
use crate::ec2::{Connections, HasConnections, Port, SecurityGroup, Vpc};
use crate::ecs::{Connectable, ContainerSecret, Endpoint};
use crate::secretsmanager::{Generated, Secret};
use crate::sns::Topic;

/// Choices that differ from the environment's defaults.
#[derive(Clone, Debug)]
pub struct DatabaseOptions {
    /// Default `db.t4g.micro`; `db.t4g.medium` where the environment is highly available.
    pub instance_class: Option<String>,
    /// GiB allocated at creation (default 20); storage grows automatically up to `max_storage`.
    pub storage: u32,
    pub max_storage: u32,
    /// The database created at launch.
    pub database_name: String,
    /// The administrator's user name (the password is generated).
    pub username: String,
    /// A standby in another zone (default: highly available environments).
    pub multi_az: Option<bool>,
    /// Refuse deletion (default: protected environments).
    pub deletion_protection: Option<bool>,
    /// Days of automated backups (default: 14 where protected, 1 otherwise).
    pub backup_days: Option<u32>,
    /// Days between password rotations (default: 30 where protected, none otherwise).
    pub rotation_days: Option<u32>,
    /// MySQL version (default 8.0.42); minor upgrades are applied automatically.
    pub engine_version: String,
}

impl Default for DatabaseOptions {
    fn default() -> Self {
        DatabaseOptions {
            instance_class: None,
            storage: 20,
            max_storage: 100,
            database_name: "app".to_owned(),
            username: "admin_user".to_owned(),
            multi_az: None,
            deletion_protection: None,
            backup_days: None,
            rotation_days: None,
            engine_version: "8.0.42".to_owned(),
        }
    }
}

/// A database handle.
#[derive(Clone, Debug, PartialEq)]
pub struct Database {
    instance: DbInstanceRef,
    secret: Secret,
    group: SecurityGroup,
    port: Port,
    path: String,
    instance_class: String,
}

impl Database {
    /// MySQL 8 in the isolated subnets of `vpc`, reachable from nothing until
    /// `db.connections().allow_from(...)`.
    pub fn mysql(stack: &mut Stack, id: &str, vpc: &Vpc, options: DatabaseOptions) -> Database {
        let env = stack.env().clone();
        let (ha, protected) = (env.is_highly_available(), env.is_protected());
        let path = stack.path_of(id);
        let major: Vec<&str> = options.engine_version.split('.').take(2).collect();
        let family = format!("mysql{}", major.join("."));
        let (secret, group, subnets, parameters) = stack.scope(id, |s| {
            let (secret, group, subnets) =
                admin_network(s, vpc, &options.username, &format!("Database {id}"));
            let parameters = s.add(
                "Parameters",
                l1::DbParameterGroup::new("MySQL parameters", family.as_str())
                    .parameters(mysql_parameters(&[])),
            );
            (secret, group, subnets, parameters)
        });
        let class = options.instance_class.clone().unwrap_or_else(|| {
            if ha {
                "db.t4g.medium".to_owned()
            } else {
                "db.t4g.micro".to_owned()
            }
        });
        let mut instance = l1::DbInstance::new()
            .engine("mysql")
            .engine_version(options.engine_version.as_str())
            .db_instance_class(class.as_str())
            .db_name(options.database_name.as_str())
            .master_username(secret.resolve(Some("username")))
            .master_user_password(secret.resolve(Some("password")))
            .allocated_storage(options.storage.to_string())
            .max_allocated_storage(options.max_storage)
            .storage_type("gp3")
            .storage_encrypted(true)
            .multi_az(options.multi_az.unwrap_or(ha))
            .deletion_protection(options.deletion_protection.unwrap_or(protected))
            .backup_retention_period(
                options
                    .backup_days
                    .unwrap_or(if protected { 14 } else { 1 }),
            )
            .copy_tags_to_snapshot(true)
            .publicly_accessible(false)
            .auto_minor_version_upgrade(true)
            .enable_iam_database_authentication(true)
            .enable_cloudwatch_logs_exports(vec!["error", "slowquery"])
            .db_subnet_group_name(subnets.ref_())
            .db_parameter_group_name(parameters.ref_())
            .vpc_security_groups(vec![group.id()]);
        if ha {
            let monitoring = monitoring_role(stack, id);
            instance = instance
                .monitoring_interval(60)
                .monitoring_role_arn(monitoring.arn())
                .enable_performance_insights(true)
                .performance_insights_retention_period(7);
        }
        let instance = stack.add(id, instance);
        stack.set_removal_policy(instance.target(), env.snapshot_policy());

        let attachment = stack.scope(id, |s| {
            s.add(
                "SecretAttachment",
                sm_l1::SecretTargetAttachment::new(
                    secret.arn(),
                    instance.ref_(),
                    "AWS::RDS::DBInstance",
                ),
            )
        });
        let this = Database {
            instance,
            secret,
            group,
            port: Port::MYSQL,
            path,
            instance_class: class,
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
        self.instance.target()
    }

    /// A metric of this instance (`AWS/RDS`, by `DBInstanceIdentifier`), averaged.
    pub fn metric(&self, name: &str) -> Metric {
        Metric::new("AWS/RDS", name)
            .dimension("DBInstanceIdentifier", self.identifier())
            .stat(Stat::Average)
    }

    /// Alarms to `topic`: CPU above 80% for 15 minutes, free storage below 2 GiB, and
    /// connections above 80% of what the instance class allows.
    pub fn add_alarms(&self, stack: &mut Stack, topic: &Topic) {
        stack.scope(&self.path, |s| {
            let storage = self.metric("FreeStorageSpace").stat(Stat::Minimum);
            standard_alarms(
                s,
                topic,
                &self.instance_class,
                |name| self.metric(name),
                Some(storage),
            )
        });
    }

    /// The instance identifier (`Ref`): the `DBInstanceIdentifier` dimension of its metrics.
    pub fn identifier(&self) -> Expr<String> {
        self.instance.ref_()
    }

    pub fn endpoint(&self) -> Expr<String> {
        self.instance.endpoint_address()
    }

    pub fn port(&self) -> Expr<String> {
        self.instance.endpoint_port()
    }

    /// The generated credentials: a JSON secret with `username` and `password` (and, once
    /// attached, `host`, `port`, `dbname`).
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// Generated credentials for a user that is not the administrator (its password in
    /// Secrets Manager, beside the database). The database itself knows nothing of the user:
    /// the workload's migration, run with the administrator's credentials, creates it with
    /// the privileges it needs. Connect services as it with [`Container::connect`].
    ///
    /// [`Container::connect`]: crate::ecs::Container::connect
    pub fn add_user(&self, stack: &mut Stack, id: &str, username: &str) -> DatabaseUser {
        let description = format!("Credentials of the database user {username}");
        let secret = stack.scope(&self.path, |s| {
            Secret::generated(s, id, Generated::credentials(&description, username))
        });
        stack.suppress(
            secret.target(),
            "SC-SEC-004",
            "The workload's migration sets this user's password from the secret on every run; a rotation function would change it in the database behind the migration's back, and the secret is read only by the services' execution roles.",
        );
        DatabaseUser {
            database: self.clone(),
            secret,
        }
    }
}

/// A user of a [`Database`] other than its administrator.
#[derive(Clone, Debug, PartialEq)]
pub struct DatabaseUser {
    database: Database,
    secret: Secret,
}

impl DatabaseUser {
    /// `{"username": ..., "password": ...}`.
    pub fn secret(&self) -> &Secret {
        &self.secret
    }
}

impl Connectable for DatabaseUser {
    /// The database's endpoint with this user's credentials.
    fn client_endpoint(&self) -> Endpoint {
        Endpoint {
            username: Some(ContainerSecret::new(&self.secret, Some("username"))),
            password: Some(ContainerSecret::new(&self.secret, Some("password"))),
            ..self.database.client_endpoint()
        }
    }
}

impl Connectable for Database {
    /// The instance endpoint with the administrator credentials; TLS is required
    /// (`require_secure_transport`).
    fn client_endpoint(&self) -> Endpoint {
        admin_endpoint(self.endpoint(), self.port(), &self.secret)
    }
}

impl HasConnections for Database {
    fn connections(&self) -> Connections {
        self.group.connections()
    }
}
