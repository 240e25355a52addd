//! Lambda functions and ECS task definitions.

use stackcraft_template::Value;

use super::{fail, rule};
use crate::props::{items, literal_bool, str_at};
use crate::rule::{Context, Rule};
use crate::Severity::*;

const FUNCTION: &[&str] = &["AWS::Lambda::Function"];
const TASK: &[&str] = &["AWS::ECS::TaskDefinition"];

/// Runtimes past (or at) the end of their support (Lambda's runtime deprecation table).
const DEPRECATED_RUNTIMES: &[&str] = &[
    "nodejs",
    "nodejs4.3",
    "nodejs4.3-edge",
    "nodejs6.10",
    "nodejs8.10",
    "nodejs10.x",
    "nodejs12.x",
    "nodejs14.x",
    "nodejs16.x",
    "python2.7",
    "python3.6",
    "python3.7",
    "python3.8",
    "ruby2.5",
    "ruby2.7",
    "java8",
    "go1.x",
    "dotnetcore1.0",
    "dotnetcore2.0",
    "dotnetcore2.1",
    "dotnetcore3.1",
    "dotnet5.0",
    "dotnet6",
    "provided",
];

pub(super) const RULES: &[Rule] = &[
    rule(
        "SC-LAMBDA-001",
        Low,
        "Lambda function has no dead-letter queue",
        "Set DeadLetterConfig.TargetArn (an encrypted SQS queue) for asynchronous invocations",
        FUNCTION,
        &["CKV_AWS_116"],
        &[],
        |c| {
            fail(c.prop("DeadLetterConfig.TargetArn").is_none(), || {
                "DeadLetterConfig is not set".into()
            })
        },
    ),
    rule(
        "SC-LAMBDA-002",
        Low,
        "Lambda function has no reserved concurrency",
        "Set ReservedConcurrentExecutions so one function cannot take the account's pool",
        FUNCTION,
        &["CKV_AWS_115"],
        &["W92"],
        |c| {
            fail(c.prop("ReservedConcurrentExecutions").is_none(), || {
                "ReservedConcurrentExecutions is not set".into()
            })
        },
    ),
    rule(
        "SC-LAMBDA-003",
        High,
        "Lambda runtime is deprecated",
        "Move to a supported runtime (provided.al2023 for Rust)",
        FUNCTION,
        &["CKV_AWS_363"],
        &[],
        |c| {
            let runtime = c.prop_str("Runtime")?;
            fail(DEPRECATED_RUNTIMES.contains(&runtime), || {
                format!("Runtime {runtime} is deprecated")
            })
        },
    ),
    rule(
        "SC-ECS-001",
        Medium,
        "Container runs as root",
        "Set User to a non-root uid:gid (and build the image with that user)",
        TASK,
        &[],
        &[],
        |c| {
            containers_where(c, |d| {
                let user = str_at(d, "User");
                user.is_none_or(|u| {
                    u == "root" || u == "0" || u.starts_with("0:") || u.starts_with("root:")
                })
            })
            .map(|names| format!("{names} run(s) as root"))
        },
    ),
    rule(
        "SC-ECS-002",
        Medium,
        "Container root file system is writable",
        "Set ReadonlyRootFilesystem: true and mount a volume for the paths it writes",
        TASK,
        &["CKV_AWS_336"],
        &[],
        |c| {
            containers_where(c, |d| {
                d.get("ReadonlyRootFilesystem").and_then(literal_bool) != Some(true)
            })
            .map(|names| format!("{names}: ReadonlyRootFilesystem is not true"))
        },
    ),
    rule(
        "SC-ECS-003",
        High,
        "Container is privileged",
        "Remove Privileged: true; add only the Linux capabilities the container needs",
        TASK,
        &[],
        &[],
        |c| {
            containers_where(c, |d| {
                d.get("Privileged").and_then(literal_bool) == Some(true)
            })
            .map(|names| format!("{names}: Privileged is true"))
        },
    ),
    rule(
        "SC-ECS-004",
        Medium,
        "Container logs go nowhere",
        "Set LogConfiguration (the awslogs driver to a log group with retention)",
        TASK,
        &[],
        &[],
        |c| {
            containers_where(c, |d| d.get("LogConfiguration").is_none())
                .map(|names| format!("{names}: LogConfiguration is not set"))
        },
    ),
];

/// The names of the containers for which `bad` holds, joined; `None` when none does.
fn containers_where(c: &Context, bad: impl Fn(&Value) -> bool) -> Option<String> {
    let names: Vec<&str> = items(c.prop("ContainerDefinitions"))
        .into_iter()
        .filter(|d| bad(d))
        .map(|d| str_at(d, "Name").unwrap_or("a container"))
        .collect();
    (!names.is_empty()).then(|| format!("container {}", names.join(", ")))
}
