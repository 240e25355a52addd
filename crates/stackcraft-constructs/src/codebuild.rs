//! `codebuild::Project`: a build that a pipeline runs on its source: the buildspec is a file
//! of the source (reviewed with the code), the logs go to a log group of the environment's
//! retention, artifacts are encrypted with the pipeline's key, and its role starts with
//! nothing but writing those logs; each grant adds exactly what one step needs.

use std::time::Duration;

use stackcraft_core::template::{Expr, Target};
use stackcraft_core::Stack;
use stackcraft_resources::codebuild::project::{
    Artifacts, CloudWatchLogsConfig, Environment, EnvironmentVariable, LogsConfig, Source,
};
use stackcraft_resources::codebuild::{self as l1, ProjectRef};

use crate::iam::{Grantee, Role};
use crate::logs::LogGroup;

/// The build image: Amazon Linux 2023 with the AWS CLI.
pub const STANDARD_IMAGE: &str = "aws/codebuild/amazonlinux-x86_64-standard:5.0";

/// Choices for a project.
#[derive(Clone, Debug)]
pub struct ProjectOptions {
    pub description: String,
    /// The buildspec's path in the source.
    pub buildspec: String,
    /// Plain environment variables (no secrets: those come from Secrets Manager in the
    /// buildspec).
    pub env: Vec<(String, Expr<String>)>,
    /// The key that encrypts the build's artifacts (the pipeline's).
    pub encryption_key: Option<Expr<String>>,
    /// `BUILD_GENERAL1_SMALL`, `_MEDIUM` (default), `_LARGE`, ...
    pub compute: String,
    pub timeout: Duration,
}

impl ProjectOptions {
    pub fn new(description: &str, buildspec: &str) -> ProjectOptions {
        ProjectOptions {
            description: description.to_owned(),
            buildspec: buildspec.to_owned(),
            env: Vec::new(),
            encryption_key: None,
            compute: "BUILD_GENERAL1_MEDIUM".to_owned(),
            timeout: Duration::from_secs(3600),
        }
    }

    pub fn env(mut self, name: &str, value: impl Into<Expr<String>>) -> Self {
        self.env.push((name.to_owned(), value.into()));
        self
    }
}

/// A project handle.
#[derive(Clone, Debug, PartialEq)]
pub struct Project {
    project: ProjectRef,
    role: Role,
}

impl Project {
    /// A project whose source and artifacts come from a pipeline.
    pub fn new(stack: &mut Stack, id: &str, options: ProjectOptions) -> Project {
        let (role, logs) = stack.scope(id, |s| {
            (
                Role::for_service(s, "Role", "codebuild.amazonaws.com"),
                LogGroup::new(s, "Logs"),
            )
        });
        logs.grant_write(stack, &role);
        let variables: Vec<EnvironmentVariable> = options
            .env
            .iter()
            .map(|(name, value)| EnvironmentVariable::new(name.as_str(), value.clone()))
            .collect();
        let environment =
            Environment::new(options.compute.as_str(), STANDARD_IMAGE, "LINUX_CONTAINER")
                .environment_variables(variables)
                .privileged_mode(false);
        let minutes = i64::try_from(options.timeout.as_secs().div_ceil(60)).unwrap_or(480);
        let mut project = l1::Project::new(
            Artifacts::new("CODEPIPELINE"),
            environment,
            role.arn(),
            Source::new("CODEPIPELINE").build_spec(options.buildspec.as_str()),
        )
        .description(options.description.as_str())
        .timeout_in_minutes(minutes)
        .logs_config(
            LogsConfig::new()
                .cloud_watch_logs(CloudWatchLogsConfig::new("ENABLED").group_name(logs.name())),
        );
        if let Some(key) = &options.encryption_key {
            project = project.encryption_key(key.clone());
        }
        let project = stack.add(id, project);
        Project { project, role }
    }

    pub fn target(&self) -> &Target {
        self.project.target()
    }

    /// The project name (`Ref`).
    pub fn name(&self) -> Expr<String> {
        self.project.ref_()
    }

    pub fn arn(&self) -> Expr<String> {
        self.project.arn()
    }

    pub fn role(&self) -> &Role {
        &self.role
    }
}

impl Grantee for Project {
    fn grant_role(&self) -> &Role {
        &self.role
    }
}
