//! L2 constructs (layer L2 of stackcraft): one module per AWS service.
//!
//! A construct is created in a stack with `Thing::new(stack, "Id", ...)` and hands back a small
//! handle (logical id + stack) whose methods take the stack again to change it, so handles can
//! be copied around freely. Defaults are the secure choice.
//!
//! # Rules every construct (and every blueprint built on them) follows
//!
//! - **One style.** A construct is `Thing::new(stack, id, <handles it needs>, ThingOptions)`:
//!   the handles it cannot do without are arguments, every choice is a named field of an
//!   options struct with `Default` (`..ThingOptions::default()`), documented with its default.
//!   Named fields read at the call site like the architecture they describe, and cross-field
//!   checks run in one place, at creation. Values that create no resource (a [`cloudwatch::Metric`],
//!   an [`iam::PolicyStatement`], an [`ecs::Container`], an [`elbv2::Action`]) are built
//!   fluently (`Metric::new(..).dimension(..).stat(..)`), since they are data passed around.
//! - **`Option` means "the environment decides"**, and its doc says how: `ha`
//!   ([`Environment::is_highly_available`]) decides *more copies* — Multi-AZ, NAT gateways and
//!   tasks per zone, replicas, alarms; `protected` ([`Environment::is_protected`]) decides
//!   *keeping data* — deletion protection, retain and snapshot policies, backups, versioning,
//!   PITR, audit logs, log retention. Blueprints never write `if prod`.
//! - **Units are types**: memory is a [`units::Memory`], durations a `std::time::Duration`;
//!   no bare integer whose unit a reader must guess.
//! - **Owned and referenced resources are different types.** An owned resource (`s3::Bucket`)
//!   derefs to its reference (`s3::BucketReference`): names, ARNs and grants. Only the owner
//!   can change the resource itself (its resource policy, notifications), so a consumer stack
//!   never creates resources on the owner's behalf.
//! - **Handles, not paths.** A construct keeps the handles of the children it creates; what it
//!   adds later (a default policy on the first grant, a listener rule) is found again through
//!   the owner's handle ([`Stack::child_or_add`], [`Stack::link`]), never by formatting a
//!   construct path.
//! - **One default per listener**, rules for the rest: a second default action is an error
//!   naming both constructs, as is a second rule at one priority.
//! - **One [`cloudwatch::Metric`]** serves alarms, scaling policies and dashboards.
//! - **A workload's contract has one source.** Environment variable names a container reads
//!   come from the workload's contract (e.g. the `counter-contract` crate), passed to
//!   [`ecs::Container::connect`], never typed by hand in a blueprint.
//! - **Errors name the construct path** (`stack.error(path, ..)`) and are collected, so synth
//!   reports every invalid construct at once.

pub mod acm;
pub mod apigateway;
pub mod appscaling;
pub mod autoscaling;
pub mod cloudfront;
pub mod cloudwatch;
pub mod codebuild;
pub mod codepipeline;
pub mod dns;
pub mod dynamodb;
pub mod ec2;
pub mod ecr;
pub mod ecs;
pub mod efs;
pub mod elasticache;
pub mod elbv2;
pub mod iam;
pub mod imagebuilder;
pub mod kms;
pub mod lambda;
pub mod logs;
pub mod rds;
pub mod s3;
pub mod secretsmanager;
pub mod servicediscovery;
pub mod sns;
pub mod ssm;
pub mod units;

pub use stackcraft_core::template;
pub use stackcraft_core::{Environment, Stack};
