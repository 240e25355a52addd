//! The external checkers the project keeps green: cfn-lint on every template of every
//! environment, checkov on prod. Both are installed by scripts/python-tools.sh (pinned); a
//! missing tool fails these tests with that instruction, it never skips them.

mod common;

use std::process::Command;

use common::*;

/// Synthesizes the shipped configuration for every environment into a scratch directory.
fn synth_all() -> tempfile::TempDir {
    let dir = project(&shipped_config());
    let run = stackcraft(dir.path(), &["synth", "-q"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    dir
}

fn templates(dir: &std::path::Path) -> Vec<String> {
    tree(dir)
        .into_iter()
        .filter(|(name, _)| name.ends_with(".template.json"))
        .map(|(name, _)| dir.join(name).display().to_string())
        .collect()
}

#[test]
fn cfn_lint_reports_nothing_on_any_template() {
    let cfn_lint = python_tool("cfn-lint", "cfn-lint");
    let dir = synth_all();
    let out = dir.path().join("stackcraft.out");
    let files = templates(&out);
    assert!(files.len() >= 8, "{files:?}");
    let run = Command::new(&cfn_lint).args(&files).output().unwrap();
    assert!(
        run.status.success() && run.stdout.is_empty(),
        "cfn-lint found problems:\n{}{}",
        text(&run.stdout),
        text(&run.stderr)
    );

    // The same linter does fail a broken template, so the pass above means something.
    let broken = out.join("broken.template.json");
    let original = std::fs::read_to_string(&files[0]).unwrap();
    std::fs::write(
        &broken,
        original.replacen(
            "\"Properties\": {",
            "\"Properties\": {\n\"NoSuchProperty\": 1,",
            1,
        ),
    )
    .unwrap();
    let run = Command::new(&cfn_lint).arg(&broken).output().unwrap();
    assert!(!run.status.success(), "cfn-lint accepted a broken template");
}

#[test]
fn checkov_passes_every_prod_template_with_reasoned_suppressions() {
    let dir = synth_all();
    // Prod, and the protected environments beside it: the pipeline's tooling and prod's
    // certificate in us-east-1.
    for env in ["prod", "tooling", "prod-edge"] {
        checkov_passes(&dir.path().join("stackcraft.out").join(env));
    }
}

fn checkov_passes(dir: &std::path::Path) {
    let report = checkov_report("-d", dir);
    let summary = &report["summary"];
    let failed = report["results"]["failed_checks"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let failures: Vec<String> = failed
        .iter()
        .map(|c| format!("{} {} on {}", c["check_id"], c["check_name"], c["resource"]))
        .collect();
    assert_eq!(
        summary["failed"],
        0,
        "checkov failures:\n{}",
        failures.join("\n")
    );
    assert!(
        summary["passed"].as_u64().unwrap() > 0,
        "{} {summary}",
        dir.display()
    );
    for skipped in report["results"]["skipped_checks"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let reason = skipped["check_result"]["suppress_comment"]
            .as_str()
            .unwrap_or("");
        assert!(
            reason.len() > 40,
            "suppression without a real reason: {skipped}"
        );
    }
}
