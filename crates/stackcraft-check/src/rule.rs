//! A rule: a stable id, what it means, how to fix it, which other checkers' ids say the same,
//! and the function that inspects one resource.

use stackcraft_template::{Resource, Template, Value};

use crate::Severity;

/// When a rule applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Applies {
    Always,
    /// Only in protected environments (keep data: retain policies, deletion protection,
    /// backups, flow logs).
    Protected,
}

/// What a rule sees of one resource.
pub struct Context<'a> {
    pub template: &'a Template,
    pub logical_id: &'a str,
    pub resource: &'a Resource,
    pub protected: bool,
}

impl Context<'_> {
    /// The resource's `Properties` as a value (empty map when it has none).
    pub fn props(&self) -> &stackcraft_template::Map {
        &self.resource.properties
    }

    /// A property by dotted path (`"VersioningConfiguration.Status"`).
    pub fn prop(&self, path: &str) -> Option<&Value> {
        let (first, rest) = match path.split_once('.') {
            Some((first, rest)) => (first, Some(rest)),
            None => (path, None),
        };
        let top = self.resource.properties.get(first)?;
        match rest {
            Some(rest) => crate::props::at(top, rest),
            None => Some(top),
        }
    }

    /// A literal boolean property (`None` when absent or decided at deploy time).
    pub fn prop_bool(&self, path: &str) -> Option<bool> {
        crate::props::literal_bool(self.prop(path)?)
    }

    pub fn prop_str(&self, path: &str) -> Option<&str> {
        self.prop(path)?.as_str()
    }

    /// Every other resource of the template of one of `types`.
    pub fn others<'t>(
        &'t self,
        types: &'t [&'t str],
    ) -> impl Iterator<Item = (&'t String, &'t Resource)> + 't {
        self.template
            .resources
            .iter()
            .filter(move |(_, r)| types.contains(&r.type_.as_str()))
    }
}

/// The inspection: `Some(detail)` when the resource breaks the rule (the detail says how).
pub type Check = fn(&Context) -> Option<String>;

/// One built-in rule.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct Rule {
    /// Stable id (`SC-S3-001`): never reused for another meaning.
    pub id: &'static str,
    pub severity: Severity,
    /// One line: what is wrong.
    pub title: &'static str,
    /// One line: how to fix it.
    pub fix: &'static str,
    /// The resource types the rule inspects.
    pub types: &'static [&'static str],
    pub applies: Applies,
    /// checkov check ids that flag the same thing: a suppression written for one of them is a
    /// suppression of this rule.
    pub checkov: &'static [&'static str],
    /// cfn_nag rule ids that flag the same thing.
    pub cfn_nag: &'static [&'static str],
    pub(crate) check: Check,
}

impl Rule {
    /// Whether `id` names this rule: its own id, or one of its checkov / cfn_nag ids.
    pub fn answers_to(&self, id: &str) -> bool {
        self.id.eq_ignore_ascii_case(id) || self.checkov.contains(&id) || self.cfn_nag.contains(&id)
    }

    pub fn applies_in(&self, protected: bool) -> bool {
        match self.applies {
            Applies::Always => true,
            Applies::Protected => protected,
        }
    }
}

impl std::fmt::Debug for Context<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("logical_id", &self.logical_id)
            .finish()
    }
}
