//! Runs the rules over templates and settles suppressions.

use indexmap::IndexMap;
use stackcraft_template::Template;

use crate::rule::{Context, Rule};
use crate::rules::{find_rule, rules, MISSING_REASON, UNUSED_SUPPRESSION};
use crate::suppress::{from_metadata, Origin, Suppression};
use crate::Severity;

/// One template to check.
#[derive(Debug)]
#[non_exhaustive]
pub struct Subject<'a> {
    /// The stack's name, or the file's path for a foreign template.
    pub name: String,
    /// Where the template is (or would be written), for SARIF locations.
    pub uri: String,
    /// The environment it was synthesized for; `None` for a foreign file.
    pub environment: Option<String>,
    /// Whether rules for protected environments apply.
    pub protected: bool,
    pub template: &'a Template,
    /// Logical id → construct path (empty for a foreign file).
    pub paths: IndexMap<String, String>,
    /// Suppressions from outside the template (the configuration's).
    pub suppressions: Vec<Suppression>,
}

impl<'a> Subject<'a> {
    pub fn new(name: &str, uri: &str, template: &'a Template, protected: bool) -> Self {
        Subject {
            name: name.to_owned(),
            uri: uri.to_owned(),
            environment: None,
            protected,
            template,
            paths: IndexMap::new(),
            suppressions: Vec::new(),
        }
    }

    pub fn environment(mut self, env: &str) -> Self {
        self.environment = Some(env.to_owned());
        self
    }

    pub fn paths(mut self, paths: IndexMap<String, String>) -> Self {
        self.paths = paths;
        self
    }

    pub fn suppress(mut self, suppressions: Vec<Suppression>) -> Self {
        self.suppressions.extend(suppressions);
        self
    }
}

/// One rule broken by one resource.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Finding {
    pub rule: &'static Rule,
    /// The stack (or file) name.
    pub subject: String,
    pub uri: String,
    pub environment: Option<String>,
    /// Empty for a finding about the whole template (a stack-wide suppression that matched
    /// nothing).
    pub logical_id: String,
    /// The construct path, when the template came from stackcraft.
    pub path: Option<String>,
    /// What exactly is wrong.
    pub detail: String,
    /// The reason, when a suppression covers the finding.
    pub suppressed: Option<String>,
}

impl Finding {
    pub fn severity(&self) -> Severity {
        self.rule.severity
    }
}

/// Every finding of a check, suppressed ones included.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Report {
    pub findings: Vec<Finding>,
    pub templates: usize,
    pub resources: usize,
}

impl Report {
    /// Findings no suppression covers, at or above `threshold`.
    pub fn failing(&self, threshold: Severity) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(move |f| f.suppressed.is_none() && f.severity() >= threshold)
    }

    pub fn suppressed(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.suppressed.is_some())
    }
}

/// Checks every subject against every rule.
pub fn check(subjects: &[Subject]) -> Report {
    let mut report = Report::default();
    for subject in subjects {
        report.templates += 1;
        report.resources += subject.template.resources.len();
        check_one(subject, &mut report.findings);
    }
    report
}

fn check_one(subject: &Subject, out: &mut Vec<Finding>) {
    let mut suppressions: Vec<Suppression> = subject
        .template
        .resources
        .iter()
        .flat_map(|(id, r)| from_metadata(id, r))
        .chain(subject.suppressions.iter().cloned())
        .collect();
    let finding = |rule: &'static Rule, logical_id: &str, detail: String| Finding {
        rule,
        subject: subject.name.clone(),
        uri: subject.uri.clone(),
        environment: subject.environment.clone(),
        logical_id: logical_id.to_owned(),
        path: subject.paths.get(logical_id).cloned(),
        detail,
        suppressed: None,
    };
    // A suppression needs a reason; one without is a finding (once, however many checkers'
    // keys repeat it) and suppresses nothing.
    let mut reported: Vec<(Option<String>, String)> = Vec::new();
    suppressions.retain(|s| {
        if !s.reason.trim().is_empty() {
            return true;
        }
        let rule = find_rule(&s.rule).map_or(s.rule.clone(), |r| r.id.to_owned());
        let key = (s.resource.clone(), rule);
        if !reported.contains(&key) {
            let detail = format!(
                "the suppression of {} at {} has no reason",
                s.rule,
                s.place()
            );
            out.push(finding(
                &MISSING_REASON,
                s.resource.as_deref().unwrap_or(""),
                detail,
            ));
            reported.push(key);
        }
        false
    });
    let mut used = vec![false; suppressions.len()];

    for (logical_id, resource) in &subject.template.resources {
        let ctx = Context {
            template: subject.template,
            logical_id,
            resource,
            protected: subject.protected,
        };
        let path = subject.paths.get(logical_id.as_str()).map(String::as_str);
        for rule in rules() {
            let inspects = rule.types.contains(&resource.type_.as_str()) || rule.types == ["*"];
            if !inspects || !rule.applies_in(subject.protected) {
                continue;
            }
            let Some(detail) = (rule.check)(&ctx) else {
                continue;
            };
            let mut f = finding(rule, logical_id, detail);
            // Every suppression of this rule on this resource counts as used (the same one is
            // often written under several checkers' keys).
            for (s, used) in suppressions.iter().zip(used.iter_mut()) {
                if rule.answers_to(&s.rule) && s.covers(logical_id, path) {
                    *used = true;
                    if f.suppressed.is_none() {
                        f.suppressed = Some(s.reason.clone());
                    }
                }
            }
            out.push(f);
        }
    }

    for (s, used) in suppressions.drain(..).zip(used) {
        if used {
            continue;
        }
        let detail = match find_rule(&s.rule) {
            // A rule for protected environments cannot fire in another one: its suppression
            // is kept for the environments where it does.
            Some(rule) if !rule.applies_in(subject.protected) => continue,
            Some(rule) => {
                let alias = if rule.id == s.rule {
                    String::new()
                } else {
                    format!(" (as {})", s.rule)
                };
                format!(
                    "the suppression of {}{alias} at {} matches no finding; remove it",
                    rule.id,
                    s.place()
                )
            }
            // Ids of other checkers that no rule answers to are theirs alone.
            None if matches!(s.origin, Origin::Metadata { .. }) && !s.rule.starts_with("SC-") => {
                continue
            }
            None => format!(
                "{} at {} names no rule of stackcraft check",
                s.rule,
                s.place()
            ),
        };
        let logical_id = s.resource.clone().unwrap_or_default();
        // A configured resource may be a construct path: report it under its logical id.
        let logical_id = subject
            .paths
            .iter()
            .find(|(_, p)| **p == logical_id)
            .map_or(logical_id, |(id, _)| id.clone());
        out.push(finding(&UNUSED_SUPPRESSION, &logical_id, detail));
    }
}
