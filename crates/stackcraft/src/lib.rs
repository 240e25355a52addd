//! stackcraft: define, check and ship AWS architectures in Rust.
//!
//! This crate is what a user depends on: the layers re-exported ([`template`], [`core`],
//! [`config`], [`blueprints`]), and [`App`], which reads `stackcraft.toml`, builds the stacks of
//! an environment from blueprints and from the user's own code, and runs the CLI:
//!
//! ```no_run
//! fn main() -> std::process::ExitCode {
//!     stackcraft::App::from_config("stackcraft.toml")
//!         .stack("site", |stack| {
//!             stack.output("Hello", "world");
//!         })
//!         .run()
//! }
//! ```

mod app;
pub mod cli;
mod error;

pub use app::App;
pub use error::Error;
pub use stackcraft_blueprints as blueprints;
pub use stackcraft_config as config;
pub use stackcraft_core as core;
pub use stackcraft_core::template;
pub use stackcraft_core::{Environment, Stack};
