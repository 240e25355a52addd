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
    // certificate in us-east-1 (only prod has enough resources for the counts below).
    for env in ["prod", "tooling", "prod-edge"] {
        checkov_passes(&dir.path().join("stackcraft.out").join(env), env == "prod");
    }
}

/// checkov fails nothing in the directory, and every check it skipped is a suppression written
/// in the templates with its reason; `many`: the directory holds enough to expect counts.
fn checkov_passes(prod: &std::path::Path, many: bool) {
    let report = checkov_report("-d", prod);
    let summary = &report["summary"];
    let failures: Vec<String> = checks(&report, "failed_checks")
        .iter()
        .map(|c| format!("{} {} on {}", c["check_id"], c["check_name"], c["resource"]))
        .collect();
    assert_eq!(
        summary["failed"],
        0,
        "checkov failures:\n{}",
        failures.join("\n")
    );
    let at_least = if many { 20 } else { 0 };
    assert!(
        summary["passed"].as_u64().unwrap() > at_least,
        "{} {summary}",
        prod.display()
    );

    // checkov skipped checks (those of the suppressions whose check applies to the resource),
    // each one written in the templates' metadata, with the reason written there.
    let files = templates(prod);
    let written = suppressions_in_templates(&files);
    let skipped = checks(&report, "skipped_checks");
    if many {
        assert!(
            written.len() > 10,
            "the prod templates suppress checks: {written:?}"
        );
        assert!(
            skipped.len() > 10,
            "checkov read the suppressions: {summary}"
        );
    }
    for check in &skipped {
        let id = check["resource"]
            .as_str()
            .unwrap()
            .rsplit('.')
            .next()
            .unwrap();
        let reason = check["check_result"]["suppress_comment"]
            .as_str()
            .unwrap_or("");
        assert!(
            written
                .iter()
                .any(|(r, c, why)| r == id && c == &check["check_id"] && why == reason),
            "skipped without a suppression in the template: {check}"
        );
    }
    assert_eq!(unreasoned_in_templates(&files), Vec::<String>::new());
    assert_eq!(unreasoned_in_report(&report), Vec::<String>::new());
}

#[test]
fn a_suppression_with_an_empty_reason_is_caught() {
    let dir = synth_all();
    let prod = dir.path().join("stackcraft.out/prod");
    let (file, mut template) = templates(&prod)
        .into_iter()
        .map(|f| {
            let t: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
            (f, t)
        })
        .find(|(f, _)| !suppressions_in_templates(std::slice::from_ref(f)).is_empty())
        .expect("a prod template with a checkov suppression");
    let blanked = template["Resources"]
        .as_object_mut()
        .unwrap()
        .iter_mut()
        .find_map(|(id, r)| {
            let skip = r.pointer_mut("/Metadata/checkov/skip/0")?;
            skip["comment"] = "".into();
            Some(format!("{id} {}", skip["id"].as_str().unwrap()))
        })
        .unwrap();
    let broken = dir.path().join("blank-reason.template.json");
    std::fs::write(&broken, serde_json::to_string_pretty(&template).unwrap()).unwrap();
    let broken = vec![broken.display().to_string()];
    assert_eq!(
        unreasoned_in_templates(&broken),
        vec![format!("{blanked}: \"\"")],
        "from {file}"
    );
    let report = checkov_report("-f", std::path::Path::new(&broken[0]));
    assert_eq!(
        unreasoned_in_report(&report),
        vec![format!("{blanked}: \"\"")]
    );
}

/// A reason a reviewer can act on: more than a few words.
fn is_reasoned(reason: &str) -> bool {
    reason.trim().len() > 40
}

/// The checks of one kind (`failed_checks`, `skipped_checks`) of a checkov report.
fn checks(report: &serde_json::Value, kind: &str) -> Vec<serde_json::Value> {
    report["results"][kind]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Every checkov suppression in the templates' metadata: (logical id, check id, reason).
fn suppressions_in_templates(files: &[String]) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for file in files {
        let template: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        for (id, resource) in template["Resources"].as_object().into_iter().flatten() {
            let skips = resource.pointer("/Metadata/checkov/skip");
            for skip in skips.and_then(|s| s.as_array()).into_iter().flatten() {
                out.push((
                    id.clone(),
                    skip["id"].as_str().unwrap_or("").to_owned(),
                    skip["comment"].as_str().unwrap_or("").to_owned(),
                ));
            }
        }
    }
    out
}

/// Suppressions in the templates whose reason is missing or too short.
fn unreasoned_in_templates(files: &[String]) -> Vec<String> {
    suppressions_in_templates(files)
        .into_iter()
        .filter(|(_, _, reason)| !is_reasoned(reason))
        .map(|(id, check, reason)| format!("{id} {check}: {reason:?}"))
        .collect()
}

/// Checks checkov skipped whose reason (as checkov read it) is missing or too short.
fn unreasoned_in_report(report: &serde_json::Value) -> Vec<String> {
    checks(report, "skipped_checks")
        .iter()
        .filter_map(|c| {
            let reason = c["check_result"]["suppress_comment"].as_str().unwrap_or("");
            let id = c["resource"].as_str()?.rsplit('.').next()?;
            let check = c["check_id"].as_str()?;
            (!is_reasoned(reason)).then(|| format!("{id} {check}: {reason:?}"))
        })
        .collect()
}
