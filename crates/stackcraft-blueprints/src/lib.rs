//! Blueprints: the architectures of the seeds, ready to configure in `stackcraft.toml`.
//!
//! A blueprint is a function that builds one stack from its typed settings; it reads like the
//! architecture it implements, and leaves environment differences (prod vs dev) to the
//! constructs' defaults.

mod container_platform;
mod context;
mod magento_webshop;
mod object_counter;
mod queue_counter;
mod starter;
mod web_pipeline;

pub use context::{Blueprint, Build, Context};

/// Every built-in blueprint, by name.
pub fn builtin() -> Vec<Blueprint> {
    vec![
        starter::DATA,
        starter::ACCESS,
        object_counter::OBJECT_COUNTER,
        queue_counter::QUEUE_COUNTER,
        container_platform::CONTAINER_PLATFORM,
        web_pipeline::WEB_APP,
        web_pipeline::SITE_CERTIFICATE,
        web_pipeline::WEB_PIPELINE,
        magento_webshop::MAGENTO_WEBSHOP,
    ]
}
