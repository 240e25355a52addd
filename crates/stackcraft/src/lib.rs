//! stackcraft: define, check and ship AWS architectures in Rust.
//!
//! This crate is what a user depends on: the layers re-exported ([`template`], [`core`],
//! [`constructs`], [`config`], [`blueprints`]), and [`App`], which reads `stackcraft.toml`,
//! builds the stacks of an environment from blueprints and from the user's own code, and runs
//! the CLI ([`App::run`]; the CLI has no other way in). Library callers that want the stacks
//! without the CLI [`App::load`] the [`Project`] and build or synthesize an environment.
//!
//! A binary with the same commands as `stackcraft` and one more stack written in Rust (the
//! example of the README, checked to be identical by a test):
//!
//! ```no_run
//! use stackcraft::constructs::{dynamodb, iam};
//!
//! fn main() -> std::process::ExitCode {
//!     stackcraft::App::from_config("stackcraft.toml")
//!         .stack("notes", |stack| {
//!             let table = dynamodb::Table::new(stack, "Notes", dynamodb::Key::string("user"));
//!             let reader = iam::Role::for_service(stack, "Reader", "lambda.amazonaws.com");
//!             table.grant_read(stack, &reader);
//!             stack.output("NotesTable", table.name());
//!         })
//!         .run()
//! }
//! ```

mod app;
mod cli;
mod error;

pub use app::{App, Project};
pub use error::Error;
pub use stackcraft_blueprints as blueprints;
pub use stackcraft_config as config;
pub use stackcraft_constructs as constructs;
pub use stackcraft_core as core;
pub use stackcraft_core::template;
pub use stackcraft_core::{Assembly, Environment, Stack, StackSet};
