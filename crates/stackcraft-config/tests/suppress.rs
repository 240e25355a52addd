//! `[[stacks.<name>.suppress]]`: accepted findings of `stackcraft check`, each with a rule, an
//! optional resource and environments, and a mandatory reason; mistakes name file, line, key.

use std::path::Path;

use stackcraft_config::{Config, ConfigError};

const BASE: &str = r#"[project]
name = "shop"

[environments.dev]
region = "eu-central-1"

[environments.prod]
region = "eu-central-1"

[stacks.api]
blueprint = "object-counter"
"#;

fn parse(extra: &str) -> Result<Config, ConfigError> {
    Config::parse(&format!("{BASE}{extra}"), Path::new("stackcraft.toml"))
}

fn line_of(extra: &str, needle: &str) -> usize {
    let text = format!("{BASE}{extra}");
    text.lines().position(|l| l.contains(needle)).expect(needle) + 1
}

#[test]
fn suppressions_are_read_per_stack_with_resource_and_environments() {
    let extra = r#"
[[stacks.api.suppress]]
rule = "SC-S3-006"
resource = "Objects/Bucket"
environments = ["dev"]
reason = "Dev holds test uploads only."

[[stacks.api.suppress]]
rule = "CKV_AWS_116"
reason = "Every function of the stack is invoked synchronously."
"#;
    let c = parse(extra).unwrap();
    let s = &c.stacks["api"].suppress;
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].resource.as_deref(), Some("Objects/Bucket"));
    assert!(s[0].applies_in("dev") && !s[0].applies_in("prod"));
    assert!(s[1].resource.is_none() && s[1].applies_in("prod"));
    assert_eq!(
        c.place_of(&["stacks", "api", "suppress", "1"]),
        format!("stackcraft.toml:{}", line_of(extra, "CKV_AWS_116") - 1)
    );
}

#[test]
fn an_empty_reason_is_an_error_at_its_line() {
    let extra = "\n[[stacks.api.suppress]]\nrule = \"SC-S3-006\"\nreason = \" \"\n";
    let e = parse(extra).unwrap_err();
    assert_eq!(e.line, Some(line_of(extra, "reason = \" \"")), "{e}");
    assert_eq!(
        e.key.as_deref(),
        Some("stacks.api.suppress.0.reason"),
        "{e}"
    );
    assert!(e.message.contains("needs a reason"), "{e}");
}

#[test]
fn a_missing_reason_is_an_error() {
    let extra = "\n[[stacks.api.suppress]]\nrule = \"SC-S3-006\"\n";
    let e = parse(extra).unwrap_err();
    assert!(e.message.contains("missing field `reason`"), "{e}");
    assert_eq!(
        e.line,
        Some(line_of(extra, "[[stacks.api.suppress]]")),
        "{e}"
    );
}

#[test]
fn an_unknown_rule_is_an_error_at_its_line() {
    let extra = "\n[[stacks.api.suppress]]\nrule = \"SC-S3-999\"\nreason = \"A typo.\"\n";
    let e = parse(extra).unwrap_err();
    assert_eq!(e.line, Some(line_of(extra, "SC-S3-999")), "{e}");
    assert!(e.message.contains("no rule of stackcraft check"), "{e}");
}

#[test]
fn an_unknown_environment_or_key_is_an_error() {
    let extra = "\n[[stacks.api.suppress]]\nrule = \"SC-S3-006\"\nenvironments = [\"qa\"]\nreason = \"x\"\n";
    let e = parse(extra).unwrap_err();
    assert_eq!(e.line, Some(line_of(extra, "environments = [")), "{e}");
    assert!(e.message.contains("\"qa\" is not an environment"), "{e}");

    let extra = "\n[[stacks.api.suppress]]\nrule = \"SC-S3-006\"\nwhy = \"x\"\nreason = \"x\"\n";
    let e = parse(extra).unwrap_err();
    assert!(e.message.contains("unknown field `why`"), "{e}");
}
