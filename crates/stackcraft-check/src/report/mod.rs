//! Rendering a [`Report`]: text for people, JSON for scripts, SARIF 2.1.0 for code scanning.

mod json;
mod sarif;
mod text;

pub use json::to_json;
pub use sarif::to_sarif;
pub use text::to_text;

use crate::engine::Finding;

/// Where a finding is: `stack/Construct/Path (LogicalId)`, or the logical id alone for a
/// foreign file.
pub fn location(f: &Finding) -> String {
    match (&f.path, f.logical_id.is_empty()) {
        (_, true) => format!("{} (whole template)", f.subject),
        (Some(path), false) => format!("{}/{path} ({})", f.subject, f.logical_id),
        (None, false) => format!("{} {}", f.subject, f.logical_id),
    }
}
