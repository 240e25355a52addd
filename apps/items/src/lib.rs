//! The items API: items CRUD on DynamoDB (or in memory on a laptop) with pagination by an
//! opaque next token and conditional writes (create only if absent, update and delete only at
//! the expected version), `/health`, JSON errors and its OpenAPI document at `/openapi.json`.

pub mod api;
pub mod config;
pub mod item;
pub mod store;
pub mod web;
