//! RDS: [`Database`] (one MySQL instance, Multi-AZ where highly available) and
//! [`AuroraCluster`] (Aurora MySQL: a writer, readers in other zones where highly available).
//! Both: isolated subnets, encrypted, administrator credentials generated in Secrets Manager
//! (rotated where protected), TLS required of clients, IAM authentication, logs to
//! CloudWatch, deletion protection and backups where the environment is protected.

mod aurora;
mod database;

pub use aurora::{AuroraCluster, AuroraOptions};
pub use database::{Database, DatabaseOptions, DatabaseUser};

use stackcraft_core::template::{join, Expr, Target};
use stackcraft_core::Stack;
use stackcraft_resources::rds::{self as l1, DbSubnetGroupRef};
use stackcraft_resources::secretsmanager as sm_l1;
use stackcraft_resources::secretsmanager::rotation_schedule::{
    HostedRotationLambda, RotationRules,
};

use crate::cloudwatch::{Alarm, AlarmOptions, Metric, Stat, Threshold};
use crate::ec2::{Connections, Port, SecurityGroup, SubnetKind, Vpc};
use crate::ecs::{ContainerSecret, Endpoint};
use crate::iam::Role;
use crate::secretsmanager::{Generated, Secret};
use crate::sns::Topic;

/// The transform that expands hosted rotation functions.
pub const SECRETS_MANAGER_TRANSFORM: &str = "AWS::SecretsManager-2020-07-23";

/// The administrator's generated credentials, the database's security group and its subnet
/// group of isolated subnets (created in the current scope).
fn admin_network(
    s: &mut Stack,
    vpc: &Vpc,
    username: &str,
    description: &str,
) -> (Secret, SecurityGroup, DbSubnetGroupRef) {
    let secret = Secret::generated(
        s,
        "Secret",
        Generated::credentials("Administrator credentials of the database", username),
    );
    let group = SecurityGroup::new(s, "SecurityGroup", vpc, description);
    let subnets = s.add(
        "SubnetGroup",
        l1::DbSubnetGroup::new(
            "Isolated subnets of the database",
            vpc.subnet_ids(SubnetKind::Isolated),
        ),
    );
    (secret, group, subnets)
}

/// `host:port` with the administrator credentials of `secret` (injected as secrets), TLS
/// required (`require_secure_transport`).
fn admin_endpoint(host: Expr<String>, port: Expr<String>, secret: &Secret) -> Endpoint {
    Endpoint {
        host,
        port,
        username: Some(ContainerSecret::new(secret, Some("username"))),
        password: Some(ContainerSecret::new(secret, Some("password"))),
        tls: true,
    }
}

/// The MySQL parameters both engines take: TLS required, slow queries logged, UTF-8; then
/// `extra`.
fn mysql_parameters(extra: &[(&str, &str)]) -> serde_json::Value {
    let mut parameters = serde_json::json!({
        "require_secure_transport": "1",
        "slow_query_log": "1",
        "long_query_time": "2",
        "log_output": "FILE",
        "character_set_server": "utf8mb4",
        "collation_server": "utf8mb4_0900_ai_ci"
    });
    for (key, value) in extra {
        parameters[*key] = (*value).into();
    }
    parameters
}

/// The role enhanced monitoring publishes OS metrics with (beside the database `id`).
fn monitoring_role(stack: &mut Stack, id: &str) -> Role {
    let role = stack.scope(id, |s| {
        Role::for_service(s, "MonitoringRole", "monitoring.rds.amazonaws.com")
    });
    role.add_managed_policy(stack, "service-role/AmazonRDSEnhancedMonitoringRole");
    role
}

/// Rotates `secret` every `days` days (default: 30 where protected, never otherwise) with the
/// Secrets Manager hosted function for MySQL (single user), run in the private subnets; or
/// says on the secret why it is not rotated. The schedule waits for `after` (the secret's
/// attachment to the database).
fn rotate_or_suppress(
    stack: &mut Stack,
    id: &str,
    vpc: &Vpc,
    secret: &Secret,
    database: &Connections,
    days: Option<u32>,
    after: &Target,
) {
    let days = days.or(if stack.env().is_protected() {
        Some(30)
    } else {
        None
    });
    let Some(days) = days else {
        stack.suppress(
            secret.target(),
            "CKV_AWS_304",
            "Rotation is on in protected environments (every 30 days); this unprotected environment keeps one generated password to avoid the rotation function's cost.",
        );
        return;
    };
    stack.add_transform(SECRETS_MANAGER_TRANSFORM);
    let group = stack.scope(id, |s| {
        SecurityGroup::new(
            s,
            "RotationSecurityGroup",
            vpc,
            "Password rotation function",
        )
    });
    group
        .connections()
        .allow_to_cidr(stack, "0.0.0.0/0", Port::HTTPS, "the Secrets Manager API");
    database.allow_from(stack, &group, Port::MYSQL);
    let function = HostedRotationLambda::new("MySQLSingleUser")
        .vpc_subnet_ids(join(",", vpc.subnet_ids(SubnetKind::Private)))
        .vpc_security_group_ids(group.id())
        .exclude_characters(crate::secretsmanager::EXCLUDE_CHARACTERS);
    let schedule = stack.scope(id, |s| {
        s.add(
            "Rotation",
            sm_l1::RotationSchedule::new(secret.arn())
                .hosted_rotation_lambda(function)
                .rotation_rules(RotationRules::new().automatically_after_days(days)),
        )
    });
    stack.add_dependency(schedule.target(), after);
}

/// Alarms to `topic` (in the current scope): CPU above 80% for 15 minutes, free storage below
/// 2 GiB (where `storage` is given), and connections above 80% of what `class` allows.
fn standard_alarms(
    s: &mut Stack,
    topic: &Topic,
    class: &str,
    metric: impl Fn(&str) -> Metric,
    storage: Option<Metric>,
) {
    let connections = estimated_max_connections(class) * 4 / 5;
    Alarm::new(
        s,
        "CpuAlarm",
        &metric("CPUUtilization"),
        AlarmOptions {
            description: "Database CPU above 80% for 15 minutes".to_owned(),
            threshold: Threshold::Above(80.0),
            periods: 3,
            notify: Some(topic.clone()),
        },
    );
    if let Some(storage) = storage {
        Alarm::new(s, "StorageAlarm", &storage, AlarmOptions { description: "Database free storage below 2 GiB (storage grows automatically up to its maximum)".to_owned(), threshold: Threshold::Below(2.0 * 1024.0 * 1024.0 * 1024.0), periods: 1, notify: Some(topic.clone()) });
    }
    Alarm::new(s, "ConnectionsAlarm", &metric("DatabaseConnections").stat(Stat::Maximum), AlarmOptions { description: format!("Database connections above {connections} (80% of the instance's maximum) for 15 minutes"), threshold: Threshold::Above(f64::from(connections)), periods: 3, notify: Some(topic.clone()) });
}

/// MySQL's default `max_connections` on RDS (memory / 12 MiB), from the instance size.
fn estimated_max_connections(class: &str) -> u32 {
    let gib: u32 = match class.rsplit('.').next().unwrap_or("") {
        "micro" => 1,
        "small" => 2,
        "medium" => 4,
        "large" => 8,
        "xlarge" => 16,
        "2xlarge" => 32,
        "4xlarge" => 64,
        _ => 128,
    };
    gib * 1024 / 12
}
