//! The CLI as a user meets it: synth of the shipped configuration, determinism, and one clear
//! error per kind of configuration mistake, with a non-zero exit and nothing written.

mod common;

use std::path::Path;

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

/// A configuration of the two starter stacks only (nothing to build), in dev.
const STARTER: &str = "[project]\nname = \"demo\"\n\n[environments.dev]\nregion = \"eu-central-1\"\n\n[stacks.data]\nblueprint = \"starter-data\"\n\n[stacks.access]\nblueprint = \"starter-access\"\n\n[stacks.access.settings]\ndata_stack = \"data\"\n";

/// A clap usage error (exit 2): the message names the argument and points at `--help`, unlike
/// a configuration error, which names the file and line.
fn assert_usage_error(run: &std::process::Output, names: &str) {
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains(names), "{names} in {stderr}");
    assert!(
        stderr.contains("For more information, try '--help'."),
        "{stderr}"
    );
    assert!(!stderr.contains("stackcraft.toml:"), "{stderr}");
}

#[test]
fn a_bad_command_line_is_a_usage_error_not_a_configuration_error() {
    let dir = project(STARTER);
    assert_usage_error(
        &stackcraft(dir.path(), &["synth", "--format", "xml"]),
        "invalid value 'xml' for '--format <FORMAT>'",
    );
    assert_usage_error(
        &stackcraft(dir.path(), &["synth", "--no-such-flag"]),
        "unexpected argument '--no-such-flag'",
    );
}

#[test]
fn a_stack_that_cannot_be_synthesized_exits_3_naming_the_construct_path() {
    // Keeping the bucket's old logical id as the table's: two resources, one id.
    let config = format!("{STARTER}\n[stacks.data.logical_ids]\nUploads = \"Items\"\n");
    let dir = project(&config);
    let run = stackcraft(dir.path(), &["synth"]);
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("invalid construct"), "{stderr}");
    assert!(
        stderr.contains("data/Items: logical id Items is already used by data/Uploads"),
        "names both construct paths: {stderr}"
    );
    assert!(
        !dir.path().join("stackcraft.out").exists(),
        "nothing written"
    );

    let dir = project(STARTER);
    let unknown = stackcraft(dir.path(), &["synth", "nowhere"]);
    let stderr = text(&unknown.stderr);
    assert_eq!(unknown.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("unknown stack \"nowhere\""), "{stderr}");
}

#[test]
fn an_output_that_cannot_be_written_exits_4_naming_it() {
    let dir = project(STARTER);
    std::fs::write(dir.path().join("occupied"), "a file, not a directory").unwrap();
    let run = stackcraft(dir.path(), &["synth", "--out", "occupied/out"]);
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("writing occupied"),
        "names the path: {stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("occupied")).unwrap(),
        "a file, not a directory"
    );
}

#[test]
fn logical_ids_kept_in_the_configuration_reach_the_template_and_the_manifest() {
    let config = format!("{STARTER}\n[stacks.data.logical_ids]\nUploads = \"UploadsBucketV1\"\n");
    let dir = project(&config);
    let run = stackcraft(dir.path(), &["synth", "-q"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let out = dir.path().join("stackcraft.out/dev");
    let read = |f: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(out.join(f)).unwrap()).unwrap()
    };
    let data = read("data.template.json");
    let resources = data["Resources"].as_object().unwrap();
    assert!(resources.contains_key("UploadsBucketV1"), "{resources:?}");
    assert!(!resources.contains_key("Uploads"));
    // What referred to the bucket follows it: the output, and the bucket policy.
    assert_eq!(
        data["Outputs"]["UploadsBucket"]["Value"],
        serde_json::json!({"Ref": "UploadsBucketV1"})
    );
    assert!(
        resources["UploadsPolicy"]
            .to_string()
            .contains("UploadsBucketV1"),
        "{}",
        resources["UploadsPolicy"]
    );
    // The manifest maps the kept id to the construct path that now makes it.
    let manifest = read("manifest.json");
    assert_eq!(
        manifest["stacks"]["data"]["resources"]["UploadsBucketV1"], "Uploads",
        "{manifest}"
    );
}

/// Runs `stackcraft args...` in `dir` on a terminal (a pseudo-terminal from `script`), with
/// `stdin` typed at it and `extra_env` set; stdout goes to `dir/results.txt`. Returns the
/// exit code and what the terminal showed (stderr, and the echo of what was typed).
fn on_terminal(
    dir: &std::path::Path,
    args: &[&str],
    stdin: &str,
    extra_env: &[(&str, &str)],
) -> (Option<i32>, String) {
    use std::io::Write;
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let mut line = quote(env!("CARGO_BIN_EXE_stackcraft"));
    for arg in args {
        line.push(' ');
        line.push_str(&quote(arg));
    }
    line.push_str(" > results.txt");
    let mut command = std::process::Command::new("script");
    command
        .args(["--quiet", "--return", "--command", &line, "/dev/null"])
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env("TERM", "xterm")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    for var in AWS_VARS_CLEARED {
        command.env_remove(var);
    }
    for (key, value) in extra_env {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("script (util-linux) runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.code(), text(&out.stdout))
}

#[test]
fn errors_are_coloured_on_a_terminal_only() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["synth", "--config", "nowhere.toml"];
    let (code, shown) = on_terminal(dir.path(), &args, "", &[]);
    assert_eq!(code, Some(2), "{shown}");
    assert!(
        shown.contains("\x1b[1;31merror:\x1b[0m nowhere.toml"),
        "{shown:?}"
    );

    let (code, shown) = on_terminal(dir.path(), &args, "", &[("NO_COLOR", "1")]);
    assert_eq!(code, Some(2), "{shown}");
    assert!(shown.contains("error: nowhere.toml"), "{shown:?}");
    assert!(
        !shown.contains('\x1b'),
        "NO_COLOR: no escape codes: {shown:?}"
    );

    let piped = stackcraft(dir.path(), &args);
    assert!(
        !text(&piped.stderr).contains('\x1b'),
        "a pipe gets no escape codes"
    );
    assert!(text(&piped.stderr).starts_with("error: nowhere.toml"));
}

#[test]
fn completions_are_printed_for_a_shell() {
    let dir = tempfile::tempdir().unwrap();
    let run = stackcraft(dir.path(), &["completions", "bash"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let script = text(&run.stdout);
    assert!(
        script.contains("_stackcraft()"),
        "a bash function: {script}"
    );
    assert!(script.contains("complete -F _stackcraft"), "{script}");
    for subcommand in ["synth", "ls", "completions"] {
        assert!(script.contains(subcommand), "{subcommand} in {script}");
    }
    assert!(text(&run.stderr).is_empty());

    let unknown = stackcraft(dir.path(), &["completions", "tcsh"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        text(&unknown.stderr).contains("invalid value 'tcsh'"),
        "{}",
        text(&unknown.stderr)
    );
}

/// The deploy commands against moto: results on stdout; progress, the prompt and the SDK's
/// logs (`--verbose`) on stderr.
#[cfg(feature = "deploy")]
mod streams {
    use super::*;

    const CONFIG: &str = "[project]\nname = \"demo\"\n\n[environments.dev]\nregion = \
                          \"eu-central-1\"\n\n[stacks.data]\nblueprint = \"starter-data\"\n";

    fn against(moto: &MotoServer, dir: &std::path::Path, args: &[&str]) -> std::process::Output {
        let mut command = stackcraft_command(dir, args);
        command.arg("--endpoint-url").arg(&moto.url);
        for var in AWS_VARS_CLEARED {
            command.env_remove(var);
        }
        command.envs(moto_environment(&dir.join("aws")));
        command.output().unwrap()
    }

    #[test]
    fn results_go_to_stdout_and_progress_prompts_and_logs_to_stderr() {
        let moto = MotoServer::start();
        let dir = project(CONFIG);
        let d = dir.path();

        let deploy = against(&moto, d, &["deploy", "data", "--env", "dev", "--yes"]);
        let (out, err) = (text(&deploy.stdout), text(&deploy.stderr));
        assert!(deploy.status.success(), "{err}");
        assert!(
            out.starts_with("deployed 1 stack(s) to dev in "),
            "stdout: {out}"
        );
        assert_eq!(out.lines().count(), 1, "only the result on stdout: {out}");
        assert!(
            err.contains("data (demo-dev-data): 3 to add"),
            "stderr: {err}"
        );
        assert!(
            err.contains("data  ✓ demo-dev-data CREATE_COMPLETE"),
            "stderr: {err}"
        );
        assert!(
            !err.contains("aws_smithy_runtime"),
            "no SDK logs unless asked: {err}"
        );
        assert!(!err.contains('\x1b'), "no colour in a pipe: {err:?}");

        let diff = against(&moto, d, &["--verbose", "diff", "data", "--env", "dev"]);
        let (out, err) = (text(&diff.stdout), text(&diff.stderr));
        assert_eq!(diff.status.code(), Some(0), "{err}");
        assert!(
            out.starts_with("Stack data (demo-dev-data): no differences\n"),
            "stdout: {out}"
        );
        assert!(
            !out.contains("aws_smithy_runtime"),
            "logs never on stdout: {out}"
        );
        assert!(
            err.contains("aws_smithy_runtime"),
            "--verbose shows the SDK's logs: {err}"
        );

        // Asked on a terminal, answered no: the question is on the terminal (stderr), not in
        // the results; nothing is destroyed.
        let mut args = vec![
            "destroy",
            "data",
            "--env",
            "dev",
            "--endpoint-url",
            &moto.url,
        ];
        args.push("--config");
        args.push("stackcraft.toml");
        let aws = moto_environment(&d.join("aws"));
        let env: Vec<(&str, String)> = aws
            .iter()
            .map(|(k, v)| (*k, v.to_string_lossy().into_owned()))
            .collect();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (code, shown) = on_terminal(d, &args, "n\n", &env);
        assert_eq!(code, Some(5), "{shown}");
        assert!(
            shown.contains("Destroy 1 stack(s) of dev (account 123456789012, eu-central-1): demo-dev-data? [y/N]"),
            "the prompt is on the terminal: {shown:?}"
        );
        assert!(
            shown.contains("was declined: nothing was executed"),
            "{shown:?}"
        );
        let results = std::fs::read_to_string(d.join("results.txt")).unwrap();
        assert!(
            !results.contains("[y/N]"),
            "no prompt in the results: {results:?}"
        );
        let still = against(&moto, d, &["diff", "data", "--env", "dev"]);
        assert!(
            text(&still.stdout).contains("no differences"),
            "still deployed"
        );
    }
}

/// `stackcraft init` in an empty directory: the file it writes synthesizes at once, and a
/// second init changes nothing.
#[test]
fn init_writes_a_config_that_synthesizes_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let init = stackcraft(
        d,
        &[
            "init",
            "--name",
            "shop",
            "--blueprint",
            "starter-data",
            "--blueprint",
            "starter-access",
            "--blueprint",
            "object-counter",
        ],
    );
    assert!(init.status.success(), "{}", text(&init.stderr));
    let written = std::fs::read_to_string(d.join("stackcraft.toml")).unwrap();
    for needle in [
        "name = \"shop\"",
        "[environments.dev]",
        "[environments.prod]",
        "[stacks.objects]\nblueprint = \"object-counter\"",
        "# Count only keys under this prefix",
        "# prefix = \"\"",
        "# reserved_concurrency = <integer>",
        "# service = \"lambda.amazonaws.com\"",
    ] {
        assert!(written.contains(needle), "{needle:?} in\n{written}");
    }
    let synth = stackcraft(d, &["synth", "--env", "dev", "--env", "prod", "--quiet"]);
    assert!(synth.status.success(), "{}", text(&synth.stderr));
    assert!(d.join("stackcraft.out/prod/objects.template.json").exists());

    let again = stackcraft(d, &["init", "--blueprint", "queue-counter"]);
    assert_eq!(again.status.code(), Some(4), "{}", text(&again.stderr));
    assert!(
        text(&again.stderr).contains(
            "stackcraft.toml already exists: init writes only new files (nothing was written)"
        ),
        "{}",
        text(&again.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(d.join("stackcraft.toml")).unwrap(),
        written,
        "the file is left as it was"
    );
}

#[test]
fn init_refuses_unknown_blueprints_and_bad_names_writing_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let unknown = stackcraft(d, &["init", "--blueprint", "lamp-stack"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        text(&unknown.stderr).contains("unknown blueprint \"lamp-stack\" (available: starter-data, starter-access, object-counter, queue-counter, container-platform, web-app, site-certificate, web-pipeline, magento-webshop)"),
        "{}",
        text(&unknown.stderr)
    );
    let bad = stackcraft(d, &["init", "--name", "My Shop"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains(
            "stackcraft.toml:6: key `project.name`: \"My Shop\": use up to 32 lowercase letters"
        ),
        "{}",
        text(&bad.stderr)
    );
    assert!(tree(d).is_empty(), "nothing written: {:?}", tree(d));
}

/// Every default `init` writes as a comment is the value the blueprint parses when the key is
/// absent: writing all of them out changes no template.
#[test]
fn init_defaults_are_the_parsers_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut args = vec!["init", "--name", "demo"];
    for b in [
        "starter-data",
        "starter-access",
        "object-counter",
        "queue-counter",
        "container-platform",
    ] {
        args.extend(["--blueprint", b]);
    }
    let init = stackcraft(d, &args);
    assert!(init.status.success(), "{}", text(&init.stderr));
    let commented = std::fs::read_to_string(d.join("stackcraft.toml")).unwrap();
    // `# key = value` below a [stacks.X.settings] header, set: the defaults written out.
    let mut in_settings = false;
    let mut uncommented = 0;
    let explicit: String = commented
        .lines()
        .map(|line| {
            if line.starts_with('[') {
                in_settings = line.ends_with(".settings]");
            }
            match line.strip_prefix("# ") {
                Some(rest) if in_settings && rest.contains(" = ") && !rest.contains(" = <") => {
                    uncommented += 1;
                    format!("{rest}\n")
                }
                _ => format!("{line}\n"),
            }
        })
        .collect();
    assert!(uncommented >= 15, "{uncommented} defaults in\n{commented}");
    for env in ["dev", "prod"] {
        let implicit = synth(&commented, env).unwrap();
        let written_out = synth(&explicit, env).unwrap();
        for stack in &implicit.stacks {
            let other = written_out.stack(&stack.name).unwrap();
            assert_eq!(
                stack.template.to_json(),
                other.template.to_json(),
                "stack {} in {env}: the defaults written out change it\n{explicit}",
                stack.name
            );
        }
    }
}

#[test]
fn blueprints_name_lists_each_setting_with_type_default_and_doc() {
    let dir = tempfile::tempdir().unwrap();
    let run = stackcraft(dir.path(), &["blueprints", "queue-counter"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let out = text(&run.stdout);
    let row = |key: &str| {
        out.lines()
            .find(|l| l.trim_start().starts_with(&format!("{key} ")))
            .unwrap_or_else(|| panic!("{key} in\n{out}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(row("queue"), "queue string default \"counts\"");
    assert_eq!(
        row("api"),
        "api table default { cpu = 256, memory = 512, max = 6 }"
    );
    assert_eq!(row("api.cpu"), "api.cpu integer required");
    assert_eq!(row("api.min"), "api.min integer not set");
    assert_eq!(
        row("database.storage"),
        "database.storage integer default 20"
    );
    assert_eq!(
        row("api_domain.hosted_zone_id"),
        "api_domain.hosted_zone_id string required"
    );
    assert!(out.contains("      CPU units (1024 = 1 vCPU).\n"), "{out}");

    let platform = stackcraft(dir.path(), &["blueprints", "container-platform"]);
    let out = text(&platform.stdout);
    for needle in [
        "cache ",
        "\"redis\" or \"memcached\"",
        "apps[].cluster ",
        "clusters.<name>.instance_type ",
        "default \"t3.large\"",
    ] {
        assert!(out.contains(needle), "{needle:?} in\n{out}");
    }

    let unknown = stackcraft(dir.path(), &["blueprints", "nope"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(text(&unknown.stderr).contains("unknown blueprint \"nope\""));
}

/// `init --rust`: the scaffold's program is `examples/own_binary.rs`, which every build of
/// this crate compiles; its manifest depends on these sources; its configuration synthesizes.
#[test]
fn init_rust_scaffolds_an_own_binary() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let init = stackcraft(d, &["init", "--rust", "--name", "notes"]);
    assert!(init.status.success(), "{}", text(&init.stderr));
    let main = std::fs::read_to_string(d.join("src/main.rs")).unwrap();
    let example = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/own_binary.rs"),
    )
    .unwrap();
    assert_eq!(main, example);
    let manifest = std::fs::read_to_string(d.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("\nname = \"notes\"\n"), "{manifest}");
    let source = manifest
        .lines()
        .find_map(|l| l.strip_prefix("stackcraft = { path = \""))
        .and_then(|rest| rest.strip_suffix("\" }"))
        .unwrap_or_else(|| panic!("a path dependency on stackcraft in {manifest}"));
    assert_eq!(
        Path::new(source).canonicalize().unwrap(),
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .canonicalize()
            .unwrap()
    );
    let synth = stackcraft(d, &["synth", "--env", "dev", "--quiet"]);
    assert!(synth.status.success(), "{}", text(&synth.stderr));

    let again = stackcraft(d, &["init", "--rust", "--config", "other.toml"]);
    assert_eq!(again.status.code(), Some(4));
    assert!(text(&again.stderr).contains("Cargo.toml already exists"));
    assert!(!d.join("other.toml").exists(), "nothing written");
}

#[test]
fn ls_json_is_for_scripts() {
    let dir = project(&shipped_config());
    let run = stackcraft(dir.path(), &["ls", "--env", "prod", "--json"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let stacks: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let access = stacks
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "access")
        .unwrap();
    assert_eq!(
        access,
        &serde_json::json!({
            "name": "access",
            "blueprint": "starter-access",
            "deployedName": "stackcraft-demo-prod-access",
            "dependsOn": ["data"],
        })
    );
}

/// The commands scripts read, against moto: `outputs` (text and JSON) and `diff --json`.
#[cfg(feature = "deploy")]
mod scripting {
    use super::*;

    const CONFIG: &str = "[project]\nname = \"demo\"\n\n[environments.dev]\nregion = \
                          \"eu-central-1\"\n\n[stacks.data]\nblueprint = \"starter-data\"\n\n\
                          [stacks.access]\nblueprint = \"starter-access\"\n";

    fn against(moto: &MotoServer, dir: &Path, args: &[&str]) -> std::process::Output {
        let mut command = stackcraft_command(dir, args);
        command.arg("--endpoint-url").arg(&moto.url);
        for var in AWS_VARS_CLEARED {
            command.env_remove(var);
        }
        command.envs(moto_environment(&dir.join("aws")));
        command.output().unwrap()
    }

    #[test]
    fn outputs_and_diff_json_read_the_deployed_stacks() {
        let moto = MotoServer::start();
        let dir = project(CONFIG);
        let d = dir.path();
        let deploy = against(&moto, d, &["deploy", "data", "--env", "dev", "--yes"]);
        assert!(deploy.status.success(), "{}", text(&deploy.stderr));

        let json = against(&moto, d, &["outputs", "--env", "dev", "--json"]);
        assert!(json.status.success(), "{}", text(&json.stderr));
        // moto 5.2.5 loses a stack's outputs after ExecuteChangeSet (see the deploy crate's
        // moto.rs): DescribeStacks answers the deployed stack with none, so the values
        // themselves cannot be checked here; the shape, the selection and the exit codes can.
        let outputs: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        assert_eq!(
            outputs,
            serde_json::json!({"data": {}}),
            "access is not deployed"
        );
        assert!(
            text(&json.stderr).contains("access (demo-dev-access): not deployed"),
            "{}",
            text(&json.stderr)
        );

        let plain = against(&moto, d, &["outputs", "data", "--env", "dev"]);
        assert!(plain.status.success(), "{}", text(&plain.stderr));
        assert_eq!(text(&plain.stdout), "data (demo-dev-data)\n");

        let missing = against(&moto, d, &["outputs", "access", "--env", "dev"]);
        assert_eq!(missing.status.code(), Some(3));
        assert!(
            text(&missing.stderr).contains("stack access (demo-dev-access) is not deployed in dev"),
            "{}",
            text(&missing.stderr)
        );
        let unknown = against(&moto, d, &["outputs", "nope", "--env", "dev"]);
        assert_eq!(unknown.status.code(), Some(3));
        assert!(
            text(&unknown.stderr).contains("nope"),
            "{}",
            text(&unknown.stderr)
        );

        let same = against(&moto, d, &["diff", "data", "--env", "dev", "--json"]);
        assert_eq!(same.status.code(), Some(0), "{}", text(&same.stderr));
        let report: serde_json::Value = serde_json::from_slice(&same.stdout).unwrap();
        assert_eq!(
            report,
            serde_json::json!({
                "environment": "dev",
                "differs": false,
                "stacks": [{
                    "name": "data",
                    "deployedName": "demo-dev-data",
                    "deployed": true,
                    "differs": false,
                    "changes": [],
                    "replacements": [],
                }],
            })
        );
        let both = against(&moto, d, &["diff", "--env", "dev", "--json"]);
        assert_eq!(both.status.code(), Some(1), "{}", text(&both.stderr));
        let report: serde_json::Value = serde_json::from_slice(&both.stdout).unwrap();
        assert_eq!(report["differs"], true);
        assert_eq!(report["stacks"][1]["name"], "access");
        assert_eq!(report["stacks"][1]["deployed"], false);
        assert!(
            report["stacks"][1]["changes"]
                .as_array()
                .unwrap()
                .contains(&serde_json::json!("[+] AWS::IAM::Role Worker")),
            "{report}"
        );
    }
}
