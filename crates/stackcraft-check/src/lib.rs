//! `stackcraft check`: built-in security rules over CloudFormation templates.
//!
//! Every [`Rule`] has a stable id (`SC-S3-001`), a [`Severity`], a one-line title and fix, and
//! the checkov / cfn_nag ids that flag the same thing, so a suppression written for one of those
//! tools is a suppression of the rule. A [`Subject`] is one template (a synthesized stack with
//! its construct paths and environment, or any file); [`check`] returns a [`Report`] whose
//! findings name the resource by logical id and construct path, and which renders as text, JSON
//! or SARIF 2.1.0.
//!
//! Suppressions come from the template (`Metadata.stackcraft.suppress`, `Metadata.checkov.skip`,
//! `Metadata.cfn_nag.rules_to_suppress`, as [`Stack::suppress`] writes them) and from the
//! caller (the configuration); each carries a reason, and one that matches nothing is itself a
//! finding.
//!
//! [`Stack::suppress`]: ../stackcraft_core/struct.Stack.html#method.suppress

mod engine;
mod props;
pub mod report;
mod rule;
mod rules;
mod severity;
mod suppress;

pub use engine::{check, Finding, Report, Subject};
pub use rule::{Applies, Context, Rule};
pub use rules::{find_rule, rules, UNUSED_SUPPRESSION};
pub use severity::Severity;
pub use suppress::{metadata_entries, Origin, Suppression};
