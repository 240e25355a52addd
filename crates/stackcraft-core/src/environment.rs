//! A deployment environment (dev, test, stage, prod) and the defaults that follow from it.

use indexmap::IndexMap;
use stackcraft_template::Policy;

/// Where and how a stack is deployed. `ha` ("highly available") is what makes prod prod:
/// constructs read it to choose multi-AZ, retention and protection, so blueprints do not
/// scatter `if prod` through their code.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Environment {
    pub name: String,
    /// The AWS account id; `None` means "whatever the credentials resolve to" (dev laptops).
    pub account: Option<String>,
    pub region: String,
    /// How many availability zones networks span.
    pub az_count: u8,
    /// Highly available and safe: multi-AZ, deletion protection, retained data.
    pub ha: bool,
    /// `destroy` refuses without `--force`.
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

    pub fn is_prod(&self) -> bool {
        self.ha
    }

    /// What happens to stateful resources (buckets, tables, logs) when they leave the stack.
    pub fn removal_policy(&self) -> Policy {
        if self.ha {
            Policy::Retain
        } else {
            Policy::Delete
        }
    }

    /// What happens to databases and caches: a final snapshot in prod.
    pub fn snapshot_policy(&self) -> Policy {
        if self.ha {
            Policy::Snapshot
        } else {
            Policy::Delete
        }
    }

    /// Days that logs are kept (a CloudWatch Logs retention value).
    pub fn log_retention_days(&self) -> i64 {
        if self.ha {
            365
        } else {
            14
        }
    }
}
