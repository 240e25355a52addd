//! Every shipped blueprint, in every environment of the shipped configuration, is clean or
//! suppressed with a reason.

use crate::common::*;

#[test]
fn the_shipped_configuration_is_clean_in_every_environment() {
    let dir = project(&shipped_config());
    let run = stackcraft(dir.path(), &["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", text(&run.stdout), text(&run.stderr)));
    let findings = report["findings"].as_array().unwrap();
    let open: Vec<String> = findings
        .iter()
        .filter(|f| f["suppressed"] == false)
        .map(|f| {
            format!(
                "{} {} {}/{}: {}",
                f["environment"], f["rule"], f["stack"], f["path"], f["detail"]
            )
        })
        .collect();
    assert!(open.is_empty(), "findings:\n{}", open.join("\n"));
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));

    let config = stackcraft::config::Config::parse(
        &shipped_config(),
        std::path::Path::new("stackcraft.toml"),
    )
    .unwrap();
    // Every stack in every environment it exists in.
    let stacks: usize = config
        .environments
        .keys()
        .map(|env| config.stacks.values().filter(|s| s.exists_in(env)).count())
        .sum();
    assert_eq!(report["templates"], stacks);
    for f in findings {
        let reason = f["reason"].as_str().unwrap();
        assert!(reason.len() > 40, "suppression without a real reason: {f}");
        assert!(
            f["path"].is_string(),
            "a synthesized finding has its construct path: {f}"
        );
    }
    // Prod's protected rules ran and found what prod's own suppressions are for.
    let prod_rules: Vec<&str> = findings
        .iter()
        .filter(|f| f["environment"] == "prod")
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(prod_rules.contains(&"SC-LOGS-001"), "{prod_rules:?}");
}

#[test]
fn a_stale_configured_suppression_fails_the_check() {
    let config = format!(
        "{}\n[[stacks.data.suppress]]\nrule = \"SC-RDS-001\"\nresource = \"Uploads\"\nreason = \"Left behind after the database moved to another stack.\"\n",
        shipped_config()
    );
    let dir = project(&config);
    let run = stackcraft(dir.path(), &["check", "-e", "dev"]);
    let out = text(&run.stdout);
    assert_eq!(run.status.code(), Some(1), "{out}");
    assert!(
        out.contains("SC-SUP-001") && out.contains("data/Uploads (Uploads)"),
        "{out}"
    );
    assert!(
        out.contains("stackcraft.toml:"),
        "the message points at the file and line: {out}"
    );
}

#[test]
fn a_configured_suppression_without_a_reason_is_a_configuration_error() {
    let config = format!(
        "{}\n[[stacks.data.suppress]]\nrule = \"SC-S3-006\"\nreason = \"\"\n",
        shipped_config()
    );
    let line = config.lines().count();
    let dir = project(&config);
    let run = stackcraft(dir.path(), &["check"]);
    let err = text(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "stackcraft.toml:{line}: key `stacks.data.suppress.1.reason`"
        )),
        "{err}"
    );
}
