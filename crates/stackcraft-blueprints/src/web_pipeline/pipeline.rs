//! `web-pipeline`: the pipeline of the web app, in its own stack of a tooling environment.
//!
//! ```text
//!  Source (GitHub via CodeStar connection, push to the branch)
//!    └► Build: Api (CodeBuild: image built by stackcraft, pushed to ECR as :<commit>)
//!        └► Test: DeployApi (ECS blue/green) → PublishSite (CodeBuild: S3 sync, invalidation)
//!            └► Approval (manual, optional mail)
//!                └► Prod: DeployApi → PublishSite
//! ```
//!
//! Deployments use ECS native blue/green (the app stack's service owns the strategy, its test
//! listener, bake time and rollback alarms); the pipeline's ECS action only hands it the new
//! image. A failed deploy stage rolls back to the last successful run. Each deploy runs as a
//! role of the target environment's app stack (its account may differ), which reads the
//! artifacts through the bucket policy and the key policy of this stack.

use stackcraft_config::ConfigError;
use stackcraft_constructs::codebuild::{Project, ProjectOptions};
use stackcraft_constructs::codepipeline::{Action, Pipeline, PipelineOptions, Stage};
use stackcraft_constructs::ecr::{Repository, RepositoryOptions};
use stackcraft_constructs::iam::PolicyStatement;
use stackcraft_constructs::sns::Topic;
use stackcraft_core::template::{pseudo, sub_with, Expr, Parameter};
use stackcraft_core::Stack;

use crate::{Blueprint, Context};

stackcraft_config::settings! {
    #[derive(Debug)]
    struct Settings {
        /// `owner/name` of the repository.
        repository: String,
        /// The branch released.
        branch: String = "main".to_owned(),
        /// The CodeStar (CodeConnections) connection's ARN ...
        connection_arn: Option<String>,
        /// ... or the SSM parameter that holds it.
        connection_parameter: Option<String>,
        /// The app stack (`web-app`) the pipeline deploys.
        app_stack: String,
        /// The environment deployed first.
        test: String,
        /// The environment deployed after approval.
        prod: String,
        /// Who is mailed when a release waits for approval.
        approval_email: Option<String>,
    }
}

pub const WEB_PIPELINE: Blueprint = Blueprint {
    name: "web-pipeline",
    summary: "CodePipeline V2: GitHub → build image and page → blue/green to test → approval → blue/green to prod",
    stack: "cicd",
    workloads: &[],
    settings: Blueprint::settings_of::<Settings>,
    build,
};

/// One environment the pipeline deploys to.
struct Target {
    env: String,
    /// Upper-case, for the names of the build's variables (`TEST_PUBLISH_ROLE`).
    key: String,
    account: Option<String>,
    region: String,
    app: String,
}

impl Target {
    fn account(&self) -> Expr<String> {
        self.account
            .as_deref()
            .map_or_else(pseudo::account_id, Expr::from)
    }

    fn role_arn(&self, name: &str) -> Expr<String> {
        sub_with(
            format!("arn:${{AWS::Partition}}:iam::${{Account}}:role/{name}"),
            [("Account", self.account())],
        )
    }

    fn deploy_role(&self) -> Expr<String> {
        self.role_arn(&super::deploy_role_name(&self.app))
    }

    fn publish_role(&self) -> Expr<String> {
        self.role_arn(&super::publish_role_name(&self.app))
    }
}

fn target(ctx: &Context, key: &str, env: &str, app_stack: &str) -> Result<Target, ConfigError> {
    let Some(config) = ctx.config.environments.get(env) else {
        return Err(ctx.setting_error(key, format!("{env:?} is not an environment of this file")));
    };
    if !ctx
        .config
        .stacks
        .get(app_stack)
        .is_some_and(|s| s.blueprint == super::WEB_APP.name && s.exists_in(env))
    {
        return Err(ctx.setting_error(
            "app_stack",
            format!("{app_stack:?} is not a web-app stack of environment {env}"),
        ));
    }
    Ok(Target {
        env: env.to_owned(),
        key: key.to_uppercase(),
        account: config.account.clone(),
        region: config.region.clone(),
        app: super::deployed_name(&ctx.config.project.name, env, app_stack),
    })
}

fn build(stack: &mut Stack, ctx: &Context) -> Result<(), ConfigError> {
    let cfg: Settings = ctx.settings()?;
    let project = ctx.config.project.name.clone();
    let targets = [
        target(ctx, "test", &cfg.test, &cfg.app_stack)?,
        target(ctx, "prod", &cfg.prod, &cfg.app_stack)?,
    ];
    if stack.description().is_none() {
        stack.describe("Web pipeline: GitHub → CodeBuild → blue/green to test → approval → prod");
    }
    let connection = match (&cfg.connection_arn, &cfg.connection_parameter) {
        (Some(arn), None) => Expr::from(arn.as_str()),
        (None, Some(name)) => stack.parameter(
            "ConnectionArn",
            Parameter::new("AWS::SSM::Parameter::Value<String>")
                .with("Default", name.as_str())
                .with("Description", "ARN of the CodeStar connection to the repository"),
        ),
        _ => {
            return Err(ctx.setting_error(
                "connection_arn",
                "give the CodeStar connection's ARN (connection_arn) or the SSM parameter holding it (connection_parameter), one of them",
            ))
        }
    };

    // Images, tagged with their commit; a tag never moves.
    let repository = Repository::with(
        stack,
        "Images",
        RepositoryOptions {
            name: Some(super::image_repository_name(&project)),
            ..RepositoryOptions::default()
        },
    );
    let other_accounts: Vec<&Target> = targets
        .iter()
        .filter(|t| t.account.is_some() && t.account != stack.env().account)
        .collect();
    if !other_accounts.is_empty() {
        let principals: Vec<_> = other_accounts
            .iter()
            .map(|t| {
                sub_with(
                    "arn:${AWS::Partition}:iam::${Account}:root",
                    [("Account", t.account())],
                )
                .into_value()
            })
            .collect();
        let pull = PolicyStatement::allow()
            .sid("DeployTargetsPull")
            .aws_principal(stackcraft_core::template::Value::List(principals))
            .actions(stackcraft_constructs::ecr::PULL_ACTIONS);
        stack.set_property(
            repository.target(),
            "RepositoryPolicyText",
            stackcraft_constructs::iam::document(&[pull]),
        );
    }

    // The builds. The key is the pipeline's, created with it below; the projects name it.
    let mut backend_options = ProjectOptions::new(
        "Builds the items API's image with stackcraft and pushes it as :<commit>",
        "apps/items/buildspecs/backend.yml",
    )
    .env("REPOSITORY_URI", repository.uri())
    .env("APP_STACK", cfg.app_stack.as_str())
    .env("APP_ENVIRONMENT", cfg.test.as_str());
    backend_options.compute = "BUILD_GENERAL1_LARGE".to_owned();
    let backend = Project::new(stack, "BuildApi", backend_options);
    repository.grant_push(stack, &backend);

    let mut frontend_options = ProjectOptions::new(
        "Publishes the web page to an environment's bucket and invalidates its distribution",
        "apps/items/buildspecs/frontend.yml",
    );
    for t in &targets {
        let parameters = super::site_parameter(&project, &t.env, &cfg.app_stack, "");
        frontend_options = frontend_options
            .env(&format!("{}_PUBLISH_ROLE", t.key), t.publish_role())
            .env(&format!("{}_REGION", t.key), t.region.as_str())
            .env(&format!("{}_PARAMETERS", t.key), parameters.as_str());
    }
    frontend_options.compute = "BUILD_GENERAL1_SMALL".to_owned();
    let frontend = Project::new(stack, "PublishSite", frontend_options);
    frontend.role().add_to_policy(
        stack,
        PolicyStatement::allow()
            .sid("PublishAsTargets")
            .actions(&["sts:AssumeRole"])
            .resources(targets.iter().map(Target::publish_role)),
    );

    let approval_topic = cfg.approval_email.as_ref().map(|email| {
        let topic = Topic::new(stack, "Approvals");
        topic.subscribe_email(stack, "ApprovalsEmail", email);
        topic
    });
    let deploy = |t: &Target| {
        let app = &t.app;
        vec![
            Action::ecs_deploy(
                "DeployApi",
                app,
                super::SERVICE_NAME,
                "Image",
                "imagedefinitions.json",
            )
            .role(t.deploy_role()),
            Action::build(
                "PublishSite",
                &frontend,
                "Source",
                &[],
                &[("TARGET", &t.key)],
            )
            .run_order(2),
        ]
    };
    let [test, prod] = &targets;
    let stages = vec![
        Stage::new(
            "Source",
            vec![Action::git_source(
                "GitHub",
                connection,
                &cfg.repository,
                &cfg.branch,
                "Source",
            )],
        ),
        Stage::new(
            "Build",
            vec![Action::build(
                "Api",
                &backend,
                "Source",
                &["Image"],
                &[("COMMIT", "#{Source.CommitId}")],
            )],
        ),
        Stage::new("Test", deploy(test)).rollback_on_failure(),
        Stage::new(
            "Approval",
            vec![Action::manual_approval(
                "Approve",
                approval_topic.as_ref().map(Topic::arn),
                &format!(
                    "{} is deployed to {}: approve to deploy it to {}",
                    "#{Source.CommitId}", test.env, prod.env
                ),
            )],
        ),
        Stage::new("Prod", deploy(prod)).rollback_on_failure(),
    ];
    let pipeline = Pipeline::new(
        stack,
        "Pipeline",
        &stages,
        PipelineOptions {
            trigger: Some(("GitHub".to_owned(), cfg.branch.clone())),
        },
    );
    let readers: Vec<Expr<String>> = other_accounts
        .iter()
        .flat_map(|t| [t.deploy_role(), t.publish_role()])
        .collect();
    pipeline.allow_readers(stack, &readers);
    let key = pipeline.artifact_key().arn();
    for project in [&backend, &frontend] {
        stack.set_property(project.target(), "EncryptionKey", key.clone());
    }

    stack.output("PipelineName", pipeline.name());
    stack
        .output("ApprovalUrl", pipeline.console_url())
        .description =
        Some("The pipeline's console page, where the Approval stage waits".to_owned());
    stack.output("RepositoryUri", repository.uri());
    Ok(())
}
