//! Counter workloads: a producer API that queues counts, a worker that stores them, and a web
//! page — on Redis + MySQL/MariaDB, or on embedded SQLite files for the laptop path.

pub mod api;
pub mod app;
pub mod cli;
pub mod cloudwatch_metric;
pub mod config;
pub mod count_request;
pub mod db;
pub mod health_check;
pub mod message;
pub mod metrics;
pub mod migrations;
pub mod queue;
pub mod request_metrics;
pub mod shutdown;
pub mod sqlite_file;
pub mod telemetry;
pub mod web;
pub mod worker;
