//! Integration tests: the real binary, real Redis and MariaDB, and the embedded backends.
//! Run `scripts/services.sh` first (scripts/test-counter.sh does).

#[path = "../common/mod.rs"]
mod common;

mod api;
mod app_user;
mod bad_input;
mod cloudwatch_metric;
mod cluster;
mod crash;
mod database_outage;
mod dead_letter;
mod health;
mod migrations;
mod outage;
mod restart;
mod secrets;
mod secure;
mod shutdown;
