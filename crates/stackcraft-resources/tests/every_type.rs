//! Every generated resource type builds and carries its schema's facts (type name, create-only
//! properties, a handle made from a target): one test per service, compiled with that service's
//! feature. `cargo test -p stackcraft-resources --features all --test every_type` builds and
//! runs them all; CI's one test run has `all` on (`scripts/test.sh`), so it does too.
//!
//! The tests are written by `cargo xtask codegen` (`generated/every_type.rs`), never by hand.

#[rustfmt::skip]
#[path = "generated/every_type.rs"]
mod generated;
