//! Elastic Load Balancing v2: an internet-facing [`ApplicationLoadBalancer`] in the public
//! subnets (HTTPS with an HTTP → HTTPS redirect when it has a certificate, plain HTTP
//! otherwise; invalid header fields dropped; access logs and deletion protection where the
//! environment is protected), its [`Listener`]s with one default [`Action`] each and rules
//! by path and host, and [`TargetGroup`]s of IP or instance targets.

mod listener;
mod load_balancer;
mod target_group;

pub use listener::{Action, Condition, Listener};
pub use load_balancer::{AlbOptions, ApplicationLoadBalancer, Ingress, SSL_POLICY};
pub use target_group::{TargetGroup, TargetGroupOptions, Targets};
