//! ECS on Fargate: `Cluster`, `TaskDefinition` (non-root, read-only root file system, logs with
//! retention, secrets from Secrets Manager), `FargateService` (circuit breaker with rollback,
//! load balancer and Cloud Map registration, autoscaling), and one-off tasks.

mod cluster;
mod rust_image;
mod service;
mod task_definition;

pub use cluster::Cluster;
pub use rust_image::RustImage;
pub use service::{FargateService, Scaling, ServiceOptions};
pub use stackcraft_resources::ecs::task_definition::Condition as ContainerCondition;
pub use task_definition::{
    Container, ContainerSecret, FargateTaskOptions, Image, TaskDefinition, DEFAULT_USER,
};
