//! The CLI as a user meets it: synth of the shipped configuration, determinism, and one clear
//! error per kind of configuration mistake, with a non-zero exit and nothing written.

mod common;

use common::*;

#[test]
fn synth_writes_every_environment_and_is_deterministic() {
    let dir = project(&shipped_config());
    let out = dir.path().join("stackcraft.out");
    let first = stackcraft(dir.path(), &["synth", "--env", "dev", "--env", "prod"]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let files = tree(&out);
    let names: Vec<_> = files.iter().map(|(n, _)| n.as_str()).collect();
    for expected in [
        "dev/manifest.json",
        "dev/data.template.json",
        "prod/access.template.json",
    ] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    let again = stackcraft(dir.path(), &["synth", "--env", "dev", "--env", "prod"]);
    assert!(again.status.success());
    assert_eq!(files, tree(&out), "a second run writes the same bytes");
}

#[test]
fn yaml_output_and_stack_selection() {
    let dir = project(&shipped_config());
    let run = stackcraft(
        dir.path(),
        &[
            "synth", "access", "--env", "dev", "--format", "yaml", "--out", "o",
        ],
    );
    assert!(run.status.success(), "{}", text(&run.stderr));
    let names: Vec<_> = tree(&dir.path().join("o"))
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    // access depends on data, so selecting access brings data along.
    assert_eq!(
        names,
        [
            "dev/access.template.yaml",
            "dev/data.template.yaml",
            "dev/manifest.json"
        ]
    );
}

#[test]
fn ls_shows_blueprints_and_dependencies() {
    let dir = project(&shipped_config());
    let run = stackcraft(dir.path(), &["ls", "--env", "prod"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let out = text(&run.stdout);
    let access = out.lines().find(|l| l.starts_with("access")).expect(&out);
    assert!(
        access.contains("starter-access")
            && access.contains("stackcraft-demo-prod-access")
            && access.ends_with("data"),
        "{out}"
    );
}

#[test]
fn help_documents_commands_and_exit_codes() {
    let dir = project(&shipped_config());
    let run = stackcraft(dir.path(), &["--help"]);
    let out = text(&run.stdout);
    for needle in [
        "synth",
        "ls",
        "Exit codes:",
        "2  bad command line or configuration",
    ] {
        assert!(out.contains(needle), "{needle} in {out}");
    }
}

/// `shipped_config()` with `from` replaced by `to`, and where the result should point.
fn broken(from: &str, to: &str) -> String {
    let config = shipped_config();
    assert!(config.contains(from), "{from}");
    config.replacen(from, to, 1)
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).expect(needle) + 1
}

/// Runs synth on a bad configuration over a previous good output: exit 2, one error line
/// naming file:line and key, and the previous output untouched.
fn assert_rejected(config: &str, args: &[&str], location: &str, key: &str) {
    let dir = project(&shipped_config());
    let good = stackcraft(dir.path(), &["synth", "-q"]);
    assert!(good.status.success(), "{}", text(&good.stderr));
    let before = tree(&dir.path().join("stackcraft.out"));

    std::fs::write(dir.path().join("stackcraft.toml"), config).unwrap();
    let run = stackcraft(dir.path(), args);
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    // One error line (a first synth may also say that it builds a Lambda asset).
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "one error: {stderr}");
    assert!(
        errors[0].starts_with(&format!("error: {location}")),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("key `{key}`")), "{stderr}");
    assert_eq!(
        before,
        tree(&dir.path().join("stackcraft.out")),
        "nothing written"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        2,
        "no temporary directory left: {leftovers:?}"
    );
}

#[test]
fn unknown_key_is_rejected() {
    let config = broken(
        "cidr = \"10.10.0.0/16\"",
        "cidr = \"10.10.0.0/16\"\nzones = 3",
    );
    let line = line_of(&config, "zones = 3");
    assert_rejected(
        &config,
        &["synth"],
        &format!("stackcraft.toml:{line}"),
        "environments.dev.zones",
    );
}

#[test]
fn wrong_type_is_rejected() {
    let config = broken("account = \"123456789012\"", "account = 123456789012");
    let line = line_of(&config, "account = 1");
    assert_rejected(
        &config,
        &["synth"],
        &format!("stackcraft.toml:{line}"),
        "environments.prod.account",
    );
}

#[test]
fn invalid_cidr_is_rejected() {
    let config = broken("cidr = \"10.20.0.0/16\"", "cidr = \"10.20.0.0/33\"");
    let line = line_of(&config, "10.20.0.0/33");
    assert_rejected(
        &config,
        &["synth"],
        &format!("stackcraft.toml:{line}"),
        "environments.test.cidr",
    );
}

#[test]
fn unknown_environment_is_rejected() {
    let config = shipped_config();
    let line = line_of(&config, "[environments.dev]");
    assert_rejected(
        &config,
        &["synth", "--env", "qa"],
        &format!("stackcraft.toml:{line}"),
        "environments",
    );
}

#[test]
fn unknown_blueprint_and_bad_setting_are_rejected() {
    let config = broken(
        "blueprint = \"starter-access\"",
        "blueprint = \"starter-acess\"",
    );
    let line = line_of(&config, "starter-acess");
    assert_rejected(
        &config,
        &["synth"],
        &format!("stackcraft.toml:{line}"),
        "stacks.access.blueprint",
    );

    let config = broken("data_stack = \"data\"", "data_stack = \"dta\"");
    let line = line_of(&config, "data_stack = \"dta\"");
    assert_rejected(
        &config,
        &["synth"],
        &format!("stackcraft.toml:{line}"),
        "stacks.access.settings.data_stack",
    );
}

#[test]
fn missing_file_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let run = stackcraft(dir.path(), &["synth", "--config", "nowhere.toml"]);
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with("error: nowhere.toml: cannot read the configuration"),
        "{stderr}"
    );
    assert!(tree(dir.path()).is_empty(), "nothing written");
}
