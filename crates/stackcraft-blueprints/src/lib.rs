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

pub use context::{Blueprint, Build, Context};

/// Every built-in blueprint, by name.
pub fn builtin() -> Vec<Blueprint> {
    vec![
        starter::DATA,
        starter::ACCESS,
        object_counter::OBJECT_COUNTER,
        queue_counter::QUEUE_COUNTER,
        container_platform::CONTAINER_PLATFORM,
        magento_webshop::MAGENTO_WEBSHOP,
    ]
}
