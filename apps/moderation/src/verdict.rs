//! From Rekognition's moderation labels to the verdict written on the object.

use crate::contract::{notes, tags};

/// A detected label, as Rekognition reports it (already at or above the minimum confidence).
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub name: String,
    /// `""` for a top-level category.
    pub parent: String,
    pub confidence: f32,
}

/// What the function concluded about an object.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Verdict {
    /// Labels under these listed categories (or these listed labels) were found; each named
    /// by its most general listed ancestor.
    Inappropriate {
        matched: Vec<String>,
    },
    Appropriate,
    /// Not checked; the reason is one of [`crate::contract::notes`].
    Unchecked {
        note: &'static str,
    },
}

impl Verdict {
    pub fn too_large() -> Verdict {
        Verdict::Unchecked {
            note: notes::TOO_LARGE,
        }
    }

    pub fn unsupported_format() -> Verdict {
        Verdict::Unchecked {
            note: notes::UNSUPPORTED_FORMAT,
        }
    }

    /// The value of the [`tags::INAPPROPRIATE`] tag.
    pub fn tag_value(&self) -> &'static str {
        match self {
            Verdict::Inappropriate { .. } => tags::TRUE,
            Verdict::Appropriate => tags::FALSE,
            Verdict::Unchecked { .. } => tags::UNCHECKED,
        }
    }

    /// The value of the [`tags::NOTE`] tag, if one is written.
    pub fn note(&self) -> Option<&'static str> {
        match self {
            Verdict::Unchecked { note } => Some(note),
            _ => None,
        }
    }
}

/// Inappropriate when a label, or any ancestor of it, is in `inappropriate` (ignoring case).
/// Rekognition names only a label's direct parent; further ancestors are found through the
/// other labels of the same answer (it reports the categories above a label along with it).
pub fn judge(labels: &[Label], inappropriate: &[String]) -> Verdict {
    let listed = |name: &str| inappropriate.iter().any(|l| l.eq_ignore_ascii_case(name));
    let mut matched: Vec<String> = Vec::new();
    for label in labels {
        // The most general listed category names the match (one name for a whole subtree).
        let hit = ancestry(label, labels)
            .into_iter()
            .rfind(|name| listed(name));
        if let Some(name) = hit {
            if !matched.iter().any(|m| m.eq_ignore_ascii_case(name)) {
                matched.push(name.to_owned());
            }
        }
    }
    if matched.is_empty() {
        Verdict::Appropriate
    } else {
        Verdict::Inappropriate { matched }
    }
}

/// The label's name, its parent's, its grandparent's: the taxonomy has three levels (the
/// bound also ends a malformed answer whose labels loop).
fn ancestry<'a>(label: &'a Label, all: &'a [Label]) -> Vec<&'a str> {
    let mut chain = vec![label.name.as_str()];
    let mut parent = label.parent.as_str();
    while !parent.is_empty() && chain.len() < 3 {
        chain.push(parent);
        parent = all
            .iter()
            .find(|l| l.name == parent)
            .map_or("", |l| l.parent.as_str());
    }
    chain
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(name: &str, parent: &str) -> Label {
        Label {
            name: name.into(),
            parent: parent.into(),
            confidence: 90.0,
        }
    }

    fn listed(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn a_label_counts_through_its_parent_or_a_reported_grandparent() {
        let labels = [
            label("Explicit", ""),
            label("Explicit Nudity", "Explicit"),
            label("Exposed Male Genitalia", "Explicit Nudity"),
        ];
        assert_eq!(
            judge(&labels[2..], &listed(&["explicit nudity"])),
            Verdict::Inappropriate {
                matched: vec!["Explicit Nudity".into()]
            }
        );
        assert_eq!(
            judge(&labels, &listed(&["Explicit"])),
            Verdict::Inappropriate {
                matched: vec!["Explicit".into()]
            }
        );
        // Only the level-3 label reported: its grandparent cannot be known.
        assert_eq!(
            judge(&labels[2..], &listed(&["Explicit"])),
            Verdict::Appropriate
        );
    }

    #[test]
    fn unlisted_categories_are_appropriate() {
        let labels = [
            label("Swimwear or Underwear", ""),
            label("Female Swimwear or Underwear", "Swimwear or Underwear"),
        ];
        assert_eq!(
            judge(
                &labels,
                &listed(crate::contract::DEFAULT_INAPPROPRIATE_LABELS)
            ),
            Verdict::Appropriate
        );
        assert_eq!(judge(&[], &listed(&["Violence"])), Verdict::Appropriate);
    }

    #[test]
    fn a_label_that_is_its_own_parent_ends() {
        let labels = [label("Loop", "Loop")];
        assert_eq!(judge(&labels, &listed(&["Other"])), Verdict::Appropriate);
    }
}
