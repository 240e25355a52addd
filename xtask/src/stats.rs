//! What the generator had to work around, counted per case: each case names the resource types
//! it touched and how many places (properties, definitions, names) needed it. `cargo xtask
//! codegen` prints the counts, so the note on a schema update can say what changed.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// A schema shape or name that plain mapping could not express as is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Case {
    /// A definition that refers to itself, directly or through others (fields hold template
    /// values, so the Rust types need no boxing).
    Recursive,
    /// `oneOf`/`anyOf` whose alternatives are all objects: one struct with every alternative's
    /// properties.
    MergedObjects,
    /// `oneOf`/`anyOf` or a list of `type`s with different alternatives: an enum of them.
    Union,
    /// A union one of whose alternatives is free-form JSON: the whole value is `Json`.
    UnionWithJson,
    /// `patternProperties` with one pattern: a map to that pattern's type.
    PatternMap,
    /// `patternProperties` with several patterns: a map to their common type (or a union).
    MultiPatternMap,
    /// A property whose `snake_case` name is a Rust keyword (`type` → `type_`).
    Keyword,
    /// An enum value whose `UpperCamelCase` name is a keyword (`SELF` → `Self_`).
    KeywordVariant,
    /// A name taken already (two properties with the same `snake_case` name, a type named like a
    /// definition, a resource named like a helper type): a suffix or another spelling.
    NameClash,
    /// An inline type nested deeper than 24 levels: `Json` from there on.
    DepthLimit,
    /// A resource type whose generated module is larger than [`ENORMOUS_BYTES`].
    Enormous,
}

/// A generated resource module above this size counts as enormous.
pub const ENORMOUS_BYTES: usize = 400_000;

impl Case {
    fn label(self) -> &'static str {
        match self {
            Case::Recursive => "recursive definitions (typed, no boxing needed)",
            Case::MergedObjects => "oneOf/anyOf of objects → one struct",
            Case::Union => "oneOf/anyOf/type list of different types → enum",
            Case::UnionWithJson => "union with a free-form alternative → Json",
            Case::PatternMap => "patternProperties, one pattern → IndexMap",
            Case::MultiPatternMap => "patternProperties, several patterns → IndexMap",
            Case::Keyword => "property named like a Rust keyword → `name_`",
            Case::KeywordVariant => "enum value named like a Rust keyword → `Name_`",
            Case::NameClash => "name clash → suffixed or renamed",
            Case::DepthLimit => "nested deeper than 24 levels → Json",
            Case::Enormous => "enormous resource module (bytes counted)",
        }
    }
}

/// Per case: the resource types touched and the number of places.
#[derive(Default)]
pub struct Stats {
    cases: BTreeMap<Case, (BTreeSet<String>, usize)>,
}

impl Stats {
    pub fn note(&mut self, case: Case, type_name: &str, places: usize) {
        let entry = self.cases.entry(case).or_default();
        entry.0.insert(type_name.to_owned());
        entry.1 += places;
    }

    pub fn merge(&mut self, other: Stats) {
        for (case, (types, places)) in other.cases {
            let entry = self.cases.entry(case).or_default();
            entry.0.extend(types);
            entry.1 += places;
        }
    }

    /// One line per case: resource types, places, label.
    pub fn report(&self) -> String {
        let mut s = String::new();
        for (case, (types, places)) in &self.cases {
            let _ = writeln!(
                s,
                "  {:>5} types {:>9} places  {}",
                types.len(),
                places,
                case.label()
            );
        }
        s
    }
}
