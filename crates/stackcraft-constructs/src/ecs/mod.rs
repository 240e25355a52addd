//! ECS on Fargate or on EC2 capacity (an Auto Scaling group as a capacity provider): `Cluster`, `TaskDefinition` (non-root, read-only root file system, logs with
//! retention, secrets from Secrets Manager), `FargateService` (circuit breaker with rollback,
//! native blue/green between two target groups, load balancer and Cloud Map registration, autoscaling), and one-off tasks.

mod blue_green;
mod capacity;
mod cluster;
mod connect;
mod rust_image;
mod service;
mod task_definition;

pub use blue_green::BlueGreen;
pub use capacity::{CapacityProvider, ECS_OPTIMIZED_AMAZON_LINUX_2023};
pub use cluster::Cluster;
pub use connect::{Connectable, ConnectionEnv, Endpoint};
pub use rust_image::RustImage;
pub use service::{FargateService, Scaling, Service, ServiceOptions};
pub use stackcraft_resources::ecs::task_definition::Condition as ContainerCondition;
pub use task_definition::{
    Container, ContainerSecret, FargateTaskOptions, Image, TaskDefinition, TaskOptions,
    DEFAULT_USER,
};
