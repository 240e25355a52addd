//! `stackcraft check`: the built-in security rules over the synthesized templates (in memory,
//! nothing written) or over template files written by anyone.

use std::path::Path;
use std::time::{Duration, Instant};

use stackcraft_check::{report, Origin, Report, Severity, Subject, Suppression};
use stackcraft_config::{Config, ConfigError};
use stackcraft_core::template::{parse_template, Template};

use super::synth::assemblies;
use crate::app::Project;
use crate::error::Error;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Stacks to check, with the stacks they depend on (default: every stack); or template
    /// files (JSON or YAML, any CloudFormation template) when the names are paths.
    targets: Vec<String>,
    /// Environment to check; repeat for several (default: every environment). With files: the
    /// environment of stackcraft.toml whose rules apply (default: a protected one).
    #[arg(long = "env", short = 'e', value_name = "ENV")]
    envs: Vec<String>,
    /// Report format: text for people, json for scripts, sarif for code-scanning tools.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    format: CheckFormat,
    /// Fail (exit code 1) on findings at or above this severity: info, low, medium, high,
    /// critical. Lower findings are still counted in the summary.
    #[arg(long, value_name = "LEVEL", default_value = "low", value_parser = parse_severity)]
    severity: Severity,
    /// List suppressed findings with their reasons too (text format).
    #[arg(long)]
    show_suppressed: bool,
    /// List the rules (id, severity, title, checkov / cfn_nag ids) and exit.
    #[arg(long)]
    rules: bool,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum CheckFormat {
    Text,
    Json,
    Sarif,
}

fn parse_severity(text: &str) -> Result<Severity, String> {
    Severity::parse(text)
        .ok_or_else(|| format!("{text:?} is not a severity (info, low, medium, high, critical)"))
}

/// `project` reads the configuration when it is needed: files are checked without one.
pub(crate) fn run<'a>(
    project: &impl Fn() -> Result<Project<'a>, Error>,
    args: Args,
) -> Result<(), Error> {
    if args.rules {
        print_rules();
        return Ok(());
    }
    let (report, elapsed) = if args.targets.iter().any(|t| looks_like_file(t)) {
        check_files(project, &args)?
    } else {
        check_stacks(&project()?, &args)?
    };
    match args.format {
        CheckFormat::Text => {
            print!(
                "{}",
                report::to_text(&report, args.severity, args.show_suppressed)
            );
            println!("rules ran in {:.1} ms", elapsed.as_secs_f64() * 1e3);
        }
        CheckFormat::Json => print_json(&report::to_json(&report, args.severity)),
        CheckFormat::Sarif => print_json(&report::to_sarif(
            &report,
            args.severity,
            env!("CARGO_PKG_VERSION"),
        )),
    }
    if report.failing(args.severity).next().is_some() {
        // Exit code 1 with the report already printed, as `diff` does for differences.
        return Err(Error::Differences);
    }
    Ok(())
}

fn print_json(value: &serde_json::Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("JSON serializes")
    );
}

fn print_rules() {
    for r in stackcraft_check::rules() {
        let mut aliases: Vec<&str> = r.checkov.to_vec();
        aliases.extend(r.cfn_nag);
        let protected = if r.applies_in(false) {
            ""
        } else {
            " (protected environments)"
        };
        println!(
            "{:<13} {:<8} {}{protected}\n{:<22} fix: {}\n{:<22} also: {}",
            r.id,
            r.severity.as_str(),
            r.title,
            "",
            r.fix,
            "",
            if aliases.is_empty() {
                "-".to_owned()
            } else {
                aliases.join(" ")
            }
        );
    }
}

/// A report and how long the rules took (synthesis and parsing not included).
type Checked = (Report, Duration);

fn timed_check(subjects: &[Subject]) -> Checked {
    let started = Instant::now();
    let report = stackcraft_check::check(subjects);
    (report, started.elapsed())
}

/// Stack names are lowercase words; anything with a dot or a slash is a path.
fn looks_like_file(target: &str) -> bool {
    target.contains(['.', '/', '\\']) || Path::new(target).is_file()
}

/// The synthesized stacks of each environment, with their construct paths and the
/// configuration's suppressions.
fn check_stacks(project: &Project, args: &Args) -> Result<Checked, Error> {
    let config = project.config();
    let assemblies = assemblies(project, &args.envs, &args.targets)?;
    let subjects: Vec<Subject> = assemblies
        .iter()
        .flat_map(|(env, assembly)| {
            assembly.stacks.iter().map(move |stack| {
                let uri = format!("stackcraft.out/{env}/{}.template.json", stack.name);
                Subject::new(
                    &stack.name,
                    &uri,
                    &stack.template,
                    assembly.environment.protected,
                )
                .environment(env)
                .paths(stack.paths.clone())
                .suppress(configured(config, &stack.name, env))
            })
        })
        .collect();
    Ok(timed_check(&subjects))
}

/// `[[stacks.<name>.suppress]]` of the configuration that apply in `env`.
fn configured(config: &Config, stack: &str, env: &str) -> Vec<Suppression> {
    let Some(stack_config) = config.stacks.get(stack) else {
        return Vec::new();
    };
    stack_config
        .suppress
        .iter()
        .enumerate()
        .filter(|(_, s)| s.applies_in(env))
        .map(|(i, s)| {
            let place = config.place_of(&["stacks", stack, "suppress", &i.to_string()]);
            Suppression::new(
                &s.rule,
                s.resource.as_deref(),
                &s.reason,
                Origin::Config { place },
            )
        })
        .collect()
}

/// Template files: logical ids only (no construct paths); the rules of a protected
/// environment apply unless `--env` names an environment of stackcraft.toml that is not.
fn check_files<'a>(
    project: &impl Fn() -> Result<Project<'a>, Error>,
    args: &Args,
) -> Result<Checked, Error> {
    if let Some(stack) = args.targets.iter().find(|t| !looks_like_file(t)) {
        return Err(usage(format!(
            "{stack:?} is a stack name among files: check stacks and files in separate runs"
        )));
    }
    let (environment, protected) = match args.envs.as_slice() {
        [] => {
            eprintln!(
                "note: no --env given: the files are checked as for a protected environment \
                 (retain policies, deletion protection, backups and flow logs required)"
            );
            (None, true)
        }
        [env] => {
            let project = project()?;
            (
                Some(env.clone()),
                project.config().environment(env)?.protected,
            )
        }
        _ => return Err(usage("with files, give at most one --env".into())),
    };
    let templates: Vec<(String, Template)> = args
        .targets
        .iter()
        .map(|file| read_template(file).map(|t| (file.clone(), t)))
        .collect::<Result<_, _>>()?;
    let subjects: Vec<Subject> = templates
        .iter()
        .map(|(file, template)| {
            let subject = Subject::new(file, file, template, protected);
            match &environment {
                Some(env) => subject.environment(env),
                None => subject,
            }
        })
        .collect();
    Ok(timed_check(&subjects))
}

fn read_template(file: &str) -> Result<Template, Error> {
    let error = |message: String| ConfigError {
        file: file.to_owned(),
        line: None,
        key: None,
        message,
    };
    let text = std::fs::read_to_string(file)
        .map_err(|e| error(format!("cannot read the template: {e}")))?;
    parse_template(&text).map_err(|e| error(format!("not a CloudFormation template: {e}")).into())
}

fn usage(message: String) -> Error {
    Error::Config(ConfigError {
        file: "command line".into(),
        line: None,
        key: None,
        message,
    })
}
