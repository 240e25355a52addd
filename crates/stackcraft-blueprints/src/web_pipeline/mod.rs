//! `web-app`, `site-certificate` and `web-pipeline` (seed 004): the items API on ECS Fargate
//! behind a load balancer with blue/green deployments, DynamoDB with autoscaling, the web page
//! on CloudFront (its certificate from `us-east-1`), and the CodePipeline in a tooling
//! environment that builds both and deploys them to test, then, once approved, to prod.
//!
//! The three live in different environments (the certificate in `us-east-1`, the pipeline in
//! the tooling account), so they meet through names, not references: the names below are
//! the one place both sides take them from.

use stackcraft_constructs::dns::Domain;

mod app;
mod edge;
mod pipeline;

pub use app::WEB_APP;
pub use edge::SITE_CERTIFICATE;
pub use pipeline::WEB_PIPELINE;

/// The SSM parameter (in `us-east-1`) holding the site certificate of environment `env`.
pub fn site_certificate_parameter(project: &str, env: &str) -> String {
    format!("/stackcraft/{project}/{env}/site-certificate/arn")
}

/// Where an app stack publishes what the pipeline's site publisher reads: `bucket`,
/// `distribution`, `api-url`.
pub fn site_parameter(project: &str, env: &str, stack: &str, what: &str) -> String {
    format!("/stackcraft/{project}/{env}/{stack}/site/{what}")
}

/// The deployed name of a stack (`<project>-<env>-<stack>`), which also names its ECS cluster.
pub fn deployed_name(project: &str, env: &str, stack: &str) -> String {
    format!("{project}-{env}-{stack}")
}

/// The ECS service of the API, in the cluster named after its stack.
pub const SERVICE_NAME: &str = "api";
/// The API's container, as the pipeline's `imagedefinitions.json` names it.
pub const CONTAINER_NAME: &str = "api";

/// The role of an app stack that the pipeline deploys the API through.
pub fn deploy_role_name(app_deployed: &str) -> String {
    format!("{app_deployed}-deploy")
}

/// The role of an app stack that the pipeline publishes the web page through.
pub fn publish_role_name(app_deployed: &str) -> String {
    format!("{app_deployed}-publish")
}

/// The pipeline's image repository (the API's images, tagged with their commit).
pub fn image_repository_name(project: &str) -> String {
    format!("{project}/items")
}

stackcraft_config::settings! {
    /// A domain of a Route 53 hosted zone, as the settings give it.
    #[derive(Clone, Debug)]
    pub struct DomainSettings {
        /// The domain name.
        pub name: String,
        /// The Route 53 hosted zone that holds it.
        pub hosted_zone_id: String,
    }
}

impl DomainSettings {
    pub fn domain(&self) -> Domain {
        Domain {
            name: self.name.clone(),
            hosted_zone_id: self.hosted_zone_id.clone(),
        }
    }
}
