//! `stackcraft check`: what it finds on a stack built to be insecure, that the shipped
//! configuration is clean in every environment, the CLI on foreign files (exit codes, formats,
//! SARIF against the 2.1.0 schema), and parity with checkov on the same templates.

#[path = "../common/mod.rs"]
mod common;
mod insecure;

mod blueprints;
mod files;
mod findings;
mod parity;
mod suppressions;
