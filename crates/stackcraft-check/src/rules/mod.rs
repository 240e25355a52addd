//! The built-in rules, one module per area. Ids are stable: a rule that changes meaning gets
//! a new id, and a retired id is never reused.

mod compute;
mod data;
mod edge;
mod encryption;
mod iam;
mod network;
mod s3;
mod secrets;

use std::sync::OnceLock;

use crate::rule::{Applies, Rule};
use crate::Severity;

/// Every built-in rule, in id order.
pub fn rules() -> &'static [Rule] {
    static ALL: OnceLock<Vec<Rule>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut all: Vec<Rule> = [
            s3::RULES,
            encryption::RULES,
            network::RULES,
            iam::RULES,
            data::RULES,
            secrets::RULES,
            compute::RULES,
            edge::RULES,
        ]
        .into_iter()
        .flatten()
        .copied()
        .collect();
        all.push(UNUSED_SUPPRESSION);
        all.push(MISSING_REASON);
        all.sort_by(|a, b| a.id.cmp(b.id));
        all
    })
}

/// The rule a suppression names: by its own id or by one of its checkov / cfn_nag ids.
pub fn find_rule(id: &str) -> Option<&'static Rule> {
    rules().iter().find(|r| r.answers_to(id))
}

/// A suppression that matches no finding (or names no rule): stale suppressions hide
/// nothing today and would hide a real finding tomorrow.
pub static UNUSED_SUPPRESSION: Rule = Rule {
    id: "SC-SUP-001",
    severity: Severity::Medium,
    title: "Suppression matches no finding",
    fix: "Remove the suppression, or correct its rule id or resource",
    types: &[],
    applies: Applies::Always,
    checkov: &[],
    cfn_nag: &[],
    check: |_| None,
};

/// A suppression without a reason suppresses nothing.
pub static MISSING_REASON: Rule = Rule {
    id: "SC-SUP-002",
    severity: Severity::Medium,
    title: "Suppression without a reason",
    fix: "Say why the finding is acceptable here; the reason is what a reviewer reads",
    types: &[],
    applies: Applies::Always,
    checkov: &[],
    cfn_nag: &[],
    check: |_| None,
};

/// `types` of a rule that inspects every resource.
const ANY: &[&str] = &["*"];

/// Shorthand for a rule definition in the modules.
#[allow(clippy::too_many_arguments)]
const fn rule(
    id: &'static str,
    severity: Severity,
    title: &'static str,
    fix: &'static str,
    types: &'static [&'static str],
    checkov: &'static [&'static str],
    cfn_nag: &'static [&'static str],
    check: crate::rule::Check,
) -> Rule {
    Rule {
        id,
        severity,
        title,
        fix,
        types,
        applies: Applies::Always,
        checkov,
        cfn_nag,
        check,
    }
}

/// The same, for a rule of protected environments only.
const fn protected(r: Rule) -> Rule {
    Rule {
        applies: Applies::Protected,
        ..r
    }
}

/// `Some(detail)` when `failed`.
fn fail(failed: bool, detail: impl FnOnce() -> String) -> Option<String> {
    failed.then(detail)
}
