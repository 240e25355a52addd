//! stackcraft's deploy layer: ships a synthesized [`Assembly`](stackcraft_core::Assembly)
//! through CloudFormation. It is the only infrastructure crate that uses the AWS SDK.
//!
//! Everything goes through two small traits, [`CloudFormationApi`] and [`ObjectStore`]: the
//! SDK implements them ([`connect`]), and tests implement them with scripted fakes, so both
//! drive the same engine.
//!
//! - [`connect`]: credentials and endpoints the standard way (aws-config), an endpoint
//!   override, the loopback-only test mode, and the account check;
//! - [`bootstrap()`]: the per-account-and-region stack with the asset bucket and image
//!   repository;
//! - [`deploy()`]: assets and container images, change sets, approval, events, outputs, in
//!   dependency order, and the static sites of each deployed stack published into their
//!   buckets;
//! - [`plan()`] and [`apply()`]: a saved, reviewable change set, executed exactly, with the
//!   assets, images and static sites published as deploy publishes them;
//! - [`diff()`]: the synthesized templates against the deployed ones;
//! - [`destroy()`]: reverse dependency order, protected environments, retained resources;
//! - [`drift()`]: CloudFormation's drift detection, the resources and properties that differ.

// A `DeployError` carries the facts a caller matches on (stack, resource, status, recovery
// command); it is returned once per failed command, never in a loop, so its size does not
// matter and boxing its fields would only make matching on them clumsier.
#![allow(clippy::result_large_err)]

mod api;
mod assets;
mod aws;
pub mod bootstrap;
mod changeset;
mod create_only;
mod deploy;
mod destroy;
mod diff;
mod drift;
mod endpoint;
mod error;
mod events;
mod hotswap;
mod images;
mod plan;
mod schedule;
mod session;
mod site;
mod status;
mod tally;
mod ui;
mod watch;

pub use api::{
    Action, ApiError, ChangeSetDescription, ChangeSetKind, ChangeSetRequest, CloudFormationApi,
    CreatedChangeSet, DriftDetection, ObjectStore, PropertyDifference, Replacement, ResourceChange,
    ResourceDrift, StackDescription, StackEvent, StackResource, TemplateSource,
};
pub use api::{CloudFrontApi, ObjectHeaders, StoredObject};
pub use bootstrap::{bootstrap, bootstrap_template, BootstrapOptions, BOOTSTRAP_VERSION};
pub use changeset::is_stateful;
pub use create_only::create_only_properties;
pub use deploy::{deploy, DeployOptions, DeployReport, RequireApproval, StackOutcome, StackResult};
pub use destroy::{destroy, with_dependents, DestroyOptions};
pub use diff::{diff, diff_templates, StackDiff};
pub use drift::{drift, StackDrift};
pub use endpoint::{check_loopback, LOOPBACK_ENV};
pub use error::{DeployError, FailedResource, InterruptedStack, Refusal};
pub use hotswap::HotswapApi;
pub use images::{RegistryLogin, RegistryLogins, REGISTRY_ENV};
pub use plan::{apply, plan, ApplyOptions, Plan, PlannedStack, PLAN_VERSION};
pub use session::{connect, ConnectOptions, Session};
pub use site::{cache_control, content_type, Invalidation, SiteReport, MAX_INVALIDATION_PATHS};
pub use ui::{Approver, Captured, Interrupt, Ui};
pub use watch::watch;

/// Runs the engine on a single-threaded runtime (I/O bound: one thread is plenty).
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime starts")
        .block_on(future)
}
