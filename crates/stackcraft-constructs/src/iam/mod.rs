//! IAM: roles, policy statements and grants.
//!
//! Grants (`table.grant_read(stack, &function)`) add exactly the actions an operation needs on
//! exactly the resources it touches to the grantee's default policy; no wildcard actions.

mod role;
mod statement;

pub use role::{Grantee, Role};
pub use statement::{
    add_to_document, add_to_policy_of, document, empty_document, Effect, PolicyStatement,
    POLICY_VERSION,
};
