//! Every kind of mistake in stackcraft.toml gets one error naming file, line and key.

use std::path::Path;

use stackcraft_config::{Config, ConfigError};

const GOOD: &str = r#"
[project]
name = "shop"
tags = { owner = "platform" }

[environments.dev]
region = "eu-central-1"

[environments.prod]
account = "123456789012"
region = "eu-central-1"

[environments.prod.stacks.api]
memory = 1024

[stacks.api]
blueprint = "object-counter"

[stacks.api.settings]
memory = 256
prefix = "uploads/"
"#;

// Declared as blueprints declare theirs, so these errors come from the same parser.
stackcraft_config::settings! {
    #[derive(Debug)]
    struct ApiSettings {
        /// Memory in MiB.
        memory: u32,
        /// Key prefix.
        prefix: String = String::new(),
    }
}

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new("stackcraft.toml"))
}

fn error(text: &str) -> ConfigError {
    parse(text).expect_err("should be rejected")
}

/// `GOOD` with `from` replaced by `to`.
fn good_with(from: &str, to: &str) -> String {
    assert!(GOOD.contains(from), "{from}");
    GOOD.replacen(from, to, 1)
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).expect(needle) + 1
}

#[test]
fn a_good_file_gives_environments_with_prod_defaults() {
    let c = parse(GOOD).unwrap();
    let dev = c.environment("dev").unwrap();
    let prod = c.environment("prod").unwrap();
    assert_eq!((dev.az_count, dev.ha, dev.protected), (2, false, false));
    assert_eq!((prod.az_count, prod.ha, prod.protected), (3, true, true));
    assert_eq!(prod.account.as_deref(), Some("123456789012"));
    let dev_settings: ApiSettings = c.settings("api", "dev").unwrap();
    let prod_settings: ApiSettings = c.settings("api", "prod").unwrap();
    assert_eq!((dev_settings.memory, prod_settings.memory), (256, 1024));
    assert_eq!(prod_settings.prefix, "uploads/");
}

#[test]
fn unknown_key() {
    let text = good_with(
        "region = \"eu-central-1\"\n\n[environments.prod]",
        "region = \"eu-central-1\"\nzones = 2\n\n[environments.prod]",
    );
    let e = error(&text);
    assert_eq!(e.line, Some(line_of(&text, "zones = 2")), "{e}");
    assert_eq!(e.key.as_deref(), Some("environments.dev.zones"), "{e}");
    assert!(e.message.contains("unknown field `zones`"), "{e}");
    assert!(e.to_string().starts_with(&format!(
        "stackcraft.toml:{}: key `environments.dev.zones`",
        e.line.unwrap()
    )));
}

#[test]
fn wrong_type() {
    let text = good_with("account = \"123456789012\"", "account = 123456789012");
    let e = error(&text);
    assert_eq!(e.line, Some(line_of(&text, "account = ")), "{e}");
    assert_eq!(e.key.as_deref(), Some("environments.prod.account"), "{e}");
    assert!(e.message.contains("invalid type"), "{e}");
}

#[test]
fn wrong_type_in_blueprint_settings_points_at_the_override() {
    let text = good_with("memory = 1024", "memory = \"lots\"");
    let c = parse(&text).unwrap();
    let e = c.settings::<ApiSettings>("api", "prod").unwrap_err();
    assert_eq!(e.line, Some(line_of(&text, "memory = \"lots\"")), "{e}");
    assert_eq!(
        e.key.as_deref(),
        Some("environments.prod.stacks.api.memory"),
        "{e}"
    );
    // dev does not read the prod override.
    assert!(c.settings::<ApiSettings>("api", "dev").is_ok());
}

#[test]
fn unknown_blueprint_setting() {
    let text = good_with(
        "prefix = \"uploads/\"",
        "prefix = \"uploads/\"\nprefx = \"x\"",
    );
    let c = parse(&text).unwrap();
    let e = c.settings::<ApiSettings>("api", "dev").unwrap_err();
    assert!(e.message.contains("unknown field `prefx`"), "{e}");
    assert_eq!(e.line, Some(line_of(&text, "prefx =")), "{e}");
    assert_eq!(e.key.as_deref(), Some("stacks.api.settings.prefx"), "{e}");
}

#[test]
fn unknown_environment() {
    let c = parse(GOOD).unwrap();
    let e = c.environment("qa").unwrap_err();
    assert!(
        e.message
            .contains("unknown environment \"qa\" (this file defines: dev, prod)"),
        "{e}"
    );
    assert_eq!(e.key.as_deref(), Some("environments"));
    assert!(e.line.is_some());
}

#[test]
fn invalid_cidr() {
    for (cidr, why) in [
        ("10.0.0.0/8", "/16 to /28"),
        ("10.0.1.0/16", "host bits"),
        ("10.0.0/16", "not an IPv4 address"),
        ("10.0.0.0", "a.b.c.d/prefix"),
        ("+10.0.0.0/16", "not an IPv4 address"),
        ("010.0.0.0/16", "not an IPv4 address"),
        ("10.0.0.0/+16", "not a prefix length"),
        ("10.0.0.0/016", "not a prefix length"),
    ] {
        let text = good_with(
            "region = \"eu-central-1\"\n\n[environments.prod]",
            &format!("region = \"eu-central-1\"\ncidr = \"{cidr}\"\n\n[environments.prod]"),
        );
        let e = error(&text);
        assert_eq!(e.key.as_deref(), Some("environments.dev.cidr"), "{e}");
        assert_eq!(e.line, Some(line_of(&text, "cidr =")), "{e}");
        assert!(e.message.contains(why), "{cidr}: {e}");
    }
}

#[test]
fn other_invalid_values() {
    let cases = [
        (
            "region = \"eu-central-1\"\n\n[environments.prod]",
            "region = \"Frankfurt\"\n\n[environments.prod]",
            "environments.dev.region",
        ),
        (
            "account = \"123456789012\"",
            "account = \"1234\"",
            "environments.prod.account",
        ),
        ("name = \"shop\"", "name = \"Shop!\"", "project.name"),
        (
            "[environments.prod.stacks.api]",
            "[environments.prod.stacks.web]",
            "environments.prod.stacks.web",
        ),
        (
            "owner = \"platform\"",
            "\"aws:owner\" = \"platform\"",
            "project.tags.aws:owner",
        ),
    ];
    for (from, to, key) in cases {
        let text = good_with(from, to);
        let e = error(&text);
        assert_eq!(e.key.as_deref(), Some(key), "{e}");
        assert!(e.line.is_some(), "{e}");
    }
}

#[test]
fn syntax_error_has_a_line() {
    let text = good_with("[stacks.api]", "[stacks.api");
    let e = error(&text);
    assert_eq!(e.line, Some(line_of(&text, "[stacks.api")), "{e}");
}

#[test]
fn missing_file() {
    let e = Config::load(Path::new("does/not/exist/stackcraft.toml")).unwrap_err();
    assert_eq!(e.file, "does/not/exist/stackcraft.toml");
    assert!(e.message.contains("cannot read"), "{e}");
}
