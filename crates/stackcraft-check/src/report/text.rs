//! The report as people read it in a terminal.

use std::fmt::Write;

use super::location;
use crate::{Report, Severity};

/// One block per unsuppressed finding at or above `threshold`, then a summary line. With
/// `show_suppressed`, suppressed findings are listed with their reasons too.
pub fn to_text(report: &Report, threshold: Severity, show_suppressed: bool) -> String {
    let mut out = String::new();
    for f in report.failing(threshold) {
        let env = f
            .environment
            .as_deref()
            .map(|e| format!(" [{e}]"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{:<8} {:<13} {}{env}\n         {}: {}\n         fix: {}",
            f.severity().as_str().to_uppercase(),
            f.rule.id,
            location(f),
            f.rule.title,
            f.detail,
            f.rule.fix
        );
    }
    if show_suppressed {
        for f in report.suppressed() {
            let _ = writeln!(
                out,
                "{:<8} {:<13} {}\n         suppressed: {}",
                "SKIP",
                f.rule.id,
                location(f),
                f.suppressed.as_deref().unwrap_or("")
            );
        }
    }
    let failing = report.failing(threshold).count();
    let below = report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none() && f.severity() < threshold)
        .count();
    let _ = write!(
        out,
        "{} template(s), {} resources: {failing} finding(s) at or above {threshold}, {} suppressed",
        report.templates,
        report.resources,
        report.suppressed().count(),
    );
    if below > 0 {
        let _ = write!(out, ", {below} below {threshold}");
    }
    out.push('\n');
    out
}
