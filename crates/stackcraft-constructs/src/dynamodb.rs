//! `dynamodb::Table`: on-demand (or provisioned capacity that autoscales on reads and writes),
//! encrypted, point-in-time recovery and deletion protection in prod; grants of exactly the
//! item actions an operation needs.

use serde_json::json;
use stackcraft_core::template::{Expr, Target};
use stackcraft_core::Stack;
use stackcraft_resources::applicationautoscaling::scalable_target::{
    ScalableDimension, ServiceNamespace,
};
use stackcraft_resources::applicationautoscaling::scaling_policy::PredefinedMetricSpecificationPredefinedMetricType as Predefined;
use stackcraft_resources::dynamodb::table::{
    AttributeDefinition, AttributeType, BillingMode, PointInTimeRecoverySpecification,
    ProvisionedThroughput, SseSpecification, TimeToLiveSpecification,
};
use stackcraft_resources::dynamodb::{self as l1, TableRef};

use crate::appscaling::{predefined, ScalableTarget};
use crate::iam::{Grantee, PolicyStatement};

/// A key attribute: name and type.
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    pub name: String,
    pub kind: KeyKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    String,
    Number,
    Binary,
}

impl Key {
    pub fn string(name: &str) -> Key {
        Key {
            name: name.to_owned(),
            kind: KeyKind::String,
        }
    }

    pub fn number(name: &str) -> Key {
        Key {
            name: name.to_owned(),
            kind: KeyKind::Number,
        }
    }

    pub fn binary(name: &str) -> Key {
        Key {
            name: name.to_owned(),
            kind: KeyKind::Binary,
        }
    }

    fn definition(&self) -> AttributeDefinition {
        let kind = match self.kind {
            KeyKind::String => AttributeType::S,
            KeyKind::Number => AttributeType::N,
            KeyKind::Binary => AttributeType::B,
        };
        AttributeDefinition::new(self.name.as_str(), kind)
    }
}

/// Actions that read items.
pub const READ_ACTIONS: &[&str] = &[
    "dynamodb:BatchGetItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
];

/// Actions that write items.
pub const WRITE_ACTIONS: &[&str] = &[
    "dynamodb:BatchWriteItem",
    "dynamodb:DeleteItem",
    "dynamodb:DescribeTable",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
];

/// Choices that differ from the defaults.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TableOptions {
    /// The sort (range) key; none: items are found by partition key alone.
    pub sort_key: Option<Key>,
    /// How the table pays for reads and writes (default: [`Capacity::OnDemand`]).
    pub capacity: Option<Capacity>,
}

/// How a table pays for reads and writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Capacity {
    /// Per request: nothing to scale, the price of each request is higher.
    OnDemand,
    /// Provisioned capacity units, kept near a utilization by target tracking between a
    /// minimum and a maximum, reads and writes apart.
    Provisioned { read: Throughput, write: Throughput },
}

/// Bounds and target of one kind of capacity (read or write units).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Throughput {
    pub min: u32,
    pub max: u32,
    /// The consumed share of the provisioned units to keep, in percent (20 to 90).
    pub utilization: u32,
}

impl Throughput {
    pub fn new(min: u32, max: u32) -> Throughput {
        Throughput {
            min,
            max,
            utilization: 70,
        }
    }
}

/// A table this stack owns. It derefs to its [`TableReference`] (names, ARN, grants); what
/// only the owner may change (time to live) is here.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    reference: TableReference,
}

impl Table {
    /// A table keyed by `partition` alone, with the environment's defaults.
    pub fn new(stack: &mut Stack, id: &str, partition: Key) -> Table {
        Self::with(stack, id, partition, TableOptions::default())
    }

    /// A table keyed by `partition` and the choices of `options`.
    pub fn with(stack: &mut Stack, id: &str, partition: Key, options: TableOptions) -> Table {
        let sort = options.sort_key;
        let protected = stack.env().is_protected();
        let mut schema = vec![json!({"AttributeName": partition.name, "KeyType": "HASH"})];
        let mut attributes = vec![partition.definition()];
        if let Some(sort) = &sort {
            schema.push(json!({"AttributeName": sort.name, "KeyType": "RANGE"}));
            attributes.push(sort.definition());
        }
        let path = stack.path_of(id);
        let capacity = options.capacity.unwrap_or(Capacity::OnDemand);
        let mut table =
            l1::Table::new(serde_json::Value::Array(schema)).attribute_definitions(attributes);
        table = match &capacity {
            Capacity::OnDemand => table.billing_mode(BillingMode::PayPerRequest),
            Capacity::Provisioned { read, write } => table
                .billing_mode(BillingMode::Provisioned)
                .provisioned_throughput(ProvisionedThroughput::new(read.min, write.min)),
        };
        let mut table = table
            .sse_specification(SseSpecification::new(true))
            .point_in_time_recovery_specification(
                PointInTimeRecoverySpecification::new().point_in_time_recovery_enabled(protected),
            );
        if protected {
            table = table.deletion_protection_enabled(true);
        }
        let table = stack.add(id, table);
        let policy = stack.env().removal_policy();
        stack.set_removal_policy(table.target(), policy);
        stack.suppress(
            table.target(),
            "CKV_AWS_119",
            "Encrypted at rest with the AWS owned key; who reads the items is decided by IAM grants of exact actions on this table. A customer managed key adds cost and key-policy upkeep without narrowing that.",
        );
        let this = Table {
            reference: TableReference { table },
        };
        if let Capacity::Provisioned { read, write } = capacity {
            this.scale(
                stack,
                &path,
                "ReadCapacity",
                read,
                ScalableDimension::DynamodbTableReadCapacityUnits,
                Predefined::DynamoDbReadCapacityUtilization,
            );
            this.scale(
                stack,
                &path,
                "WriteCapacity",
                write,
                ScalableDimension::DynamodbTableWriteCapacityUnits,
                Predefined::DynamoDbWriteCapacityUtilization,
            );
        }
        this
    }

    /// Target tracking of one kind of capacity units between its bounds.
    fn scale(
        &self,
        stack: &mut Stack,
        path: &str,
        id: &str,
        bounds: Throughput,
        dimension: ScalableDimension,
        metric: Predefined,
    ) {
        if !(20..=90).contains(&bounds.utilization) {
            stack.error(
                path,
                format!(
                    "{id}: target utilization {}% is outside 20 to 90",
                    bounds.utilization
                ),
            );
        }
        let resource_id =
            stackcraft_core::template::join("/", vec![Expr::from("table"), self.name()]);
        let scalable = ScalableTarget::new(
            stack,
            &format!("{path}/{id}"),
            path,
            (ServiceNamespace::Dynamodb, dimension, resource_id),
            bounds.min,
            bounds.max,
        );
        scalable.track_predefined(stack, "Tracking", predefined(metric), bounds.utilization);
    }

    /// What a consumer of this table may hold: names, ARN and grants.
    pub fn reference(&self) -> &TableReference {
        &self.reference
    }

    /// Items expire at the epoch seconds stored in `attribute`.
    pub fn time_to_live(&self, stack: &mut Stack, attribute: &str) {
        let ttl = TimeToLiveSpecification::new(true).attribute_name(attribute);
        stack.set_property(self.target(), "TimeToLiveSpecification", Expr::from(ttl));
    }
}

impl std::ops::Deref for Table {
    type Target = TableReference;

    fn deref(&self) -> &TableReference {
        &self.reference
    }
}

/// A table of any stack, by its handle: names, ARN and grants (which change only the
/// grantee's policy), never the table itself.
#[derive(Clone, Debug, PartialEq)]
pub struct TableReference {
    table: TableRef,
}

impl TableReference {
    /// A table of another stack, from the target it published.
    pub fn from_target(target: Target) -> TableReference {
        TableReference {
            table: target.into(),
        }
    }

    pub fn target(&self) -> &Target {
        self.table.target()
    }

    pub fn arn(&self) -> Expr<String> {
        self.table.arn()
    }

    /// The table name (`Ref`).
    pub fn name(&self) -> Expr<String> {
        self.table.ref_()
    }

    pub fn grant_read(&self, stack: &mut Stack, grantee: &impl Grantee) {
        self.grant(stack, grantee, READ_ACTIONS);
    }

    pub fn grant_write(&self, stack: &mut Stack, grantee: &impl Grantee) {
        self.grant(stack, grantee, WRITE_ACTIONS);
    }

    pub fn grant_read_write(&self, stack: &mut Stack, grantee: &impl Grantee) {
        self.grant(stack, grantee, READ_ACTIONS);
        self.grant(stack, grantee, WRITE_ACTIONS);
    }

    /// Grants `actions` on this table (tables made here have no secondary indexes, so the
    /// grant names the table alone).
    pub fn grant(&self, stack: &mut Stack, grantee: &impl Grantee, actions: &[&str]) {
        let statement = PolicyStatement::allow()
            .actions(actions)
            .resource(self.arn());
        grantee.grant_role().add_to_policy(stack, statement);
    }
}
