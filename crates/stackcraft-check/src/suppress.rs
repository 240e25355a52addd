//! Suppressions: where they are written, and what they match.

use stackcraft_template::{Resource, Value};

/// One suppression: a rule (its own id or a checkov / cfn_nag id of it), optionally one
/// resource (logical id or construct path; none means every resource of the template), and
/// the reason a reviewer reads.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Suppression {
    pub rule: String,
    pub resource: Option<String>,
    pub reason: String,
    pub origin: Origin,
}

/// Where a suppression was written.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Origin {
    /// In a resource's metadata (by `stack.suppress` or by hand), under this checker's key.
    Metadata { checker: &'static str },
    /// In the configuration, at this place (`stackcraft.toml:42`).
    Config { place: String },
}

impl Suppression {
    pub fn new(rule: &str, resource: Option<&str>, reason: &str, origin: Origin) -> Self {
        Suppression {
            rule: rule.to_owned(),
            resource: resource.map(str::to_owned),
            reason: reason.to_owned(),
            origin,
        }
    }

    /// Where to look for it: `stackcraft.toml:42`, or the metadata key of the resource.
    pub fn place(&self) -> String {
        match &self.origin {
            Origin::Config { place } => place.clone(),
            Origin::Metadata { checker } => {
                let key = METADATA_KEYS
                    .iter()
                    .find(|(c, _, _)| c == checker)
                    .map_or("", |(_, list, _)| list);
                format!(
                    "Metadata.{checker}.{key} of {}",
                    self.resource.as_deref().unwrap_or("?")
                )
            }
        }
    }

    /// Whether it covers the resource with this logical id and construct path.
    pub(crate) fn covers(&self, logical_id: &str, path: Option<&str>) -> bool {
        match &self.resource {
            None => true,
            Some(r) => r == logical_id || Some(r.as_str()) == path,
        }
    }
}

/// The metadata keys other checkers read: checker, list key, reason key.
const METADATA_KEYS: [(&str, &str, &str); 3] = [
    ("stackcraft", "suppress", "reason"),
    ("checkov", "skip", "comment"),
    ("cfn_nag", "rules_to_suppress", "reason"),
];

/// The suppressions written in a resource's metadata, under any checker's key.
pub(crate) fn from_metadata(logical_id: &str, resource: &Resource) -> Vec<Suppression> {
    let Some(metadata) = &resource.metadata else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (checker, list, reason_key) in METADATA_KEYS {
        let entries = metadata.get(checker).and_then(|c| c.get(list));
        for entry in entries.and_then(Value::as_list).unwrap_or_default() {
            let Some(id) = entry.get("id").and_then(Value::as_str) else {
                continue;
            };
            // Hand-written metadata may use either reason key.
            let reason = [reason_key, "reason", "comment"]
                .iter()
                .find_map(|k| entry.get(k).and_then(Value::as_str))
                .unwrap_or("");
            out.push(Suppression::new(
                id,
                Some(logical_id),
                reason,
                Origin::Metadata { checker },
            ));
        }
    }
    out
}

/// The metadata entries that carry a suppression of `rule` for every checker that has an id
/// for it: `(checker, list key, entry)`. Used by `Stack::suppress`, so checkov and cfn_nag see
/// the same reason as `stackcraft check`.
pub fn metadata_entries(rule: &str, reason: &str) -> Vec<(&'static str, &'static str, Value)> {
    let entry = |id: &str, reason_key: &str| {
        let mut m = stackcraft_template::Map::new();
        m.insert("id".into(), id.into());
        m.insert(reason_key.into(), reason.into());
        Value::Map(m)
    };
    let mut out = Vec::new();
    let known = crate::find_rule(rule);
    let is_checkov = rule.starts_with("CKV");
    let is_cfn_nag = is_cfn_nag_id(rule);
    // A stackcraft id (or one no rule answers to) is kept under stackcraft's own key.
    if !is_checkov && !is_cfn_nag {
        out.push(("stackcraft", "suppress", entry(rule, "reason")));
    }
    let checkov: Vec<&str> = match known {
        Some(r) if !is_checkov => r.checkov.to_vec(),
        _ if is_checkov => vec![rule],
        _ => Vec::new(),
    };
    for id in checkov {
        out.push(("checkov", "skip", entry(id, "comment")));
    }
    let cfn_nag: Vec<&str> = match known {
        Some(r) if !is_cfn_nag => r.cfn_nag.to_vec(),
        _ if is_cfn_nag => vec![rule],
        _ => Vec::new(),
    };
    for id in cfn_nag {
        out.push(("cfn_nag", "rules_to_suppress", entry(id, "reason")));
    }
    out
}

/// cfn_nag ids: `W35`, `F3`.
fn is_cfn_nag_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some('W' | 'F')) && id.len() > 1 && chars.all(|c| c.is_ascii_digit())
}
