//! Integration tests: the real binary, real Redis and MariaDB, and the embedded backends.
//! Run `scripts/services.sh` first (scripts/test-counter.sh does).

#[path = "../common/mod.rs"]
mod common;

mod api;
mod bad_input;
mod cloudwatch_metric;
mod cluster;
mod crash;
mod dead_letter;
mod migrations;
mod outage;
mod secrets;
mod secure;
mod shutdown;
