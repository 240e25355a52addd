//! The construct core of stackcraft: a [`StackSet`] holds the [`Stack`]s of one [`Environment`];
//! constructs add resources to a stack under scoped construct paths, which give stable,
//! readable logical ids; synthesis applies [`Aspect`]s (tags first), turns references between
//! stacks into SSM-parameter imports, orders stacks by dependency, and yields an [`Assembly`]
//! that is written atomically.

mod aspect;
pub mod assembly;
pub mod assertions;
mod asset;
mod cidr;
pub mod cross_stack;
mod environment;
mod error;
pub mod files;
pub mod logical_id;
mod site;
mod stack;
mod stack_set;
mod write;

pub use aspect::{ApplyTags, Aspect, Visit};
pub use assembly::{Assembly, Format, SynthesizedStack};
pub use asset::{Asset, ImageAsset, Packaging, ASSET_BUCKET, BOOTSTRAP_STACK, IMAGE_REPOSITORY};
pub use cidr::Ipv4Cidr;
pub use environment::Environment;
pub use error::{ConstructError, SynthError};
pub use site::{SitePublication, SITE_CONFIG_FILE};
pub use stack::{Entry, Stack};
pub use stack_set::StackSet;
pub use write::{OutputFs, StdFs};

/// The template layer, re-exported so constructs need one dependency.
pub use stackcraft_template as template;
