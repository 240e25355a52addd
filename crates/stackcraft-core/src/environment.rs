//! A deployment environment (dev, test, stage, prod) and the defaults that follow from it.

use indexmap::IndexMap;
use stackcraft_template::Policy;

/// Where and how a stack is deployed. Two independent properties make prod prod, and
/// constructs read them for their defaults so blueprints do not scatter `if prod`:
/// - `ha` ("highly available", [`Environment::is_highly_available`]): more copies — Multi-AZ
///   databases, a NAT gateway and a task per zone, cache replicas with failover, alarms;
/// - `protected` ([`Environment::is_protected`]): keep data — deletion protection, retained
///   and snapshotted stateful resources, versioning, backups, long log retention, audit logs;
///   `destroy` refuses without `--force`.
///
/// A dev environment with `protected = true` keeps its data on one copy; a load-test
/// environment with `ha = true` and `protected = false` is redundant but disposable.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Environment {
    pub name: String,
    /// The AWS account id; `None` means "whatever the credentials resolve to" (dev laptops).
    pub account: Option<String>,
    pub region: String,
    /// How many availability zones networks span.
    pub az_count: u8,
    /// More copies: Multi-AZ, NAT per zone, replicas, a task per zone, alarms.
    pub ha: bool,
    /// Keep data: deletion protection, retain/snapshot policies, backups, versioning, audit
    /// logs; `destroy` refuses without `--force`.
    pub protected: bool,
    /// The IPv4 range networks of this environment are planned in.
    pub cidr: String,
    /// Tags for every taggable resource of the environment.
    pub tags: IndexMap<String, String>,
}

impl Environment {
    /// A cheap, unprotected environment, as for dev.
    pub fn new(name: impl Into<String>, region: impl Into<String>) -> Self {
        Environment {
            name: name.into(),
            account: None,
            region: region.into(),
            az_count: 2,
            ha: false,
            protected: false,
            cidr: "10.0.0.0/16".to_owned(),
            tags: IndexMap::new(),
        }
    }

    /// A highly available, protected environment across three zones, as for prod.
    pub fn production(name: impl Into<String>, region: impl Into<String>) -> Self {
        Environment {
            az_count: 3,
            ha: true,
            protected: true,
            ..Environment::new(name, region)
        }
    }

    /// More copies of everything that can fail: the defaults of Multi-AZ, NAT gateways per
    /// zone, replicas and failover, tasks per zone, alarms.
    pub fn is_highly_available(&self) -> bool {
        self.ha
    }

    /// Data outlives mistakes: the defaults of deletion protection, retain and snapshot
    /// policies, backups, versioning, point-in-time recovery and audit logs.
    pub fn is_protected(&self) -> bool {
        self.protected
    }

    /// What happens to stateful resources (buckets, tables, logs) when they leave the stack:
    /// retained where the environment is protected.
    pub fn removal_policy(&self) -> Policy {
        if self.protected {
            Policy::Retain
        } else {
            Policy::Delete
        }
    }

    /// What happens to databases and caches: a final snapshot where the environment is
    /// protected.
    pub fn snapshot_policy(&self) -> Policy {
        if self.protected {
            Policy::Snapshot
        } else {
            Policy::Delete
        }
    }

    /// Days that logs are kept (a CloudWatch Logs retention value): a year where the
    /// environment is protected.
    pub fn log_retention_days(&self) -> i64 {
        if self.protected {
            365
        } else {
            14
        }
    }
}
