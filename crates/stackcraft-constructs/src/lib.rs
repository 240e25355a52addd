//! L2 constructs (layer L2 of stackcraft): one module per AWS service.
//!
//! A construct is created in a stack with `Thing::new(stack, "Id", ...)` and hands back a small
//! handle (logical id + stack) whose methods take the stack again to change it, so handles can
//! be copied around freely. Defaults are the secure choice; what differs between a cheap dev
//! and a highly available prod comes from the stack's environment (`stack.env().is_prod()`),
//! never from the blueprint.

pub mod apigateway;
pub mod cloudfront;
pub mod cloudwatch;
pub mod dns;
pub mod dynamodb;
pub mod ec2;
pub mod ecr;
pub mod ecs;
pub mod elasticache;
pub mod elbv2;
pub mod iam;
pub mod kms;
pub mod lambda;
pub mod logs;
pub mod rds;
pub mod s3;
pub mod secretsmanager;
pub mod servicediscovery;
pub mod sns;

pub use stackcraft_core::template;
pub use stackcraft_core::{Environment, Stack};
