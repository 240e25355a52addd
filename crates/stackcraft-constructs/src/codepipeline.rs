//! `codepipeline::Pipeline` (V2): stages of actions over artifacts kept in a bucket of the
//! stack and encrypted with a customer managed key (one that other accounts can be allowed to
//! decrypt, so a pipeline can deploy to them). The pipeline's role gets exactly what its
//! actions need — start these builds, use this connection, assume these roles, publish to
//! this topic — computed from the actions, and each build may read and write artifacts.

use serde_json::json;
use stackcraft_core::template::{sub_with, Expr, Map, Target, Value};
use stackcraft_core::Stack;
use stackcraft_resources::codepipeline::pipeline::{
    ActionDeclaration, ActionTypeId, ArtifactStore, Category, EncryptionKey, FailureConditions,
    FailureConditionsResult, GitBranchFilterCriteria, GitConfiguration, GitPushFilter,
    InputArtifact, OutputArtifact, PipelineTriggerDeclaration, PipelineType, ProviderType,
    StageDeclaration, Type as StoreType,
};
use stackcraft_resources::codepipeline::{self as l1, PipelineRef};

use crate::codebuild::Project;
use crate::iam::{PolicyStatement, Role};
use crate::kms::{Key, ENCRYPT_DECRYPT};
use crate::s3::{unique_name, Bucket, BucketOptions};

/// One action of a stage: a value, built with the constructors below.
#[derive(Clone, Debug)]
pub struct Action {
    name: String,
    category: Category,
    owner: &'static str,
    provider: &'static str,
    configuration: Vec<(String, Expr<String>)>,
    inputs: Vec<String>,
    outputs: Vec<String>,
    role: Option<Expr<String>>,
    namespace: Option<String>,
    run_order: u32,
    /// What the pipeline's role needs for this action.
    needs: Vec<PolicyStatement>,
    /// The build this action runs: it reads and writes the pipeline's artifacts.
    build: Option<Project>,
}

impl Action {
    fn new(name: &str, category: Category, owner: &'static str, provider: &'static str) -> Action {
        Action {
            name: name.to_owned(),
            category,
            owner,
            provider,
            configuration: Vec::new(),
            inputs: Vec::new(),
            outputs: Vec::new(),
            role: None,
            namespace: None,
            run_order: 1,
            needs: Vec::new(),
            build: None,
        }
    }

    fn config(mut self, key: &str, value: impl Into<Expr<String>>) -> Self {
        self.configuration.push((key.to_owned(), value.into()));
        self
    }

    /// The branch of a GitHub (or GitLab, Bitbucket) repository `owner/name` through a
    /// CodeStar connection, as artifact `output`; the full clone, so builds know the commit.
    pub fn git_source(
        name: &str,
        connection_arn: Expr<String>,
        repository: &str,
        branch: &str,
        output: &str,
    ) -> Action {
        let mut action = Action::new(name, Category::Source, "AWS", "CodeStarSourceConnection")
            .config("ConnectionArn", connection_arn.clone())
            .config("FullRepositoryId", repository)
            .config("BranchName", branch)
            .config("OutputArtifactFormat", "CODE_ZIP");
        action.outputs.push(output.to_owned());
        action.namespace = Some("Source".to_owned());
        action.needs.push(
            PolicyStatement::allow()
                .actions(&[
                    "codeconnections:UseConnection",
                    "codestar-connections:UseConnection",
                ])
                .resource(connection_arn),
        );
        action
    }

    /// Runs `project` on `input`, keeping `outputs`; `env` are plain variables for this run.
    pub fn build(
        name: &str,
        project: &Project,
        input: &str,
        outputs: &[&str],
        env: &[(&str, &str)],
    ) -> Action {
        let mut action = Action::new(name, Category::Build, "AWS", "CodeBuild")
            .config("ProjectName", project.name());
        if !env.is_empty() {
            let variables: Vec<serde_json::Value> = env
                .iter()
                .map(|(k, v)| json!({"name": k, "value": v, "type": "PLAINTEXT"}))
                .collect();
            action = action.config(
                "EnvironmentVariables",
                serde_json::Value::Array(variables).to_string(),
            );
        }
        action.inputs.push(input.to_owned());
        action
            .outputs
            .extend(outputs.iter().map(|o| (*o).to_owned()));
        action.needs.push(
            PolicyStatement::allow()
                .actions(&["codebuild:BatchGetBuilds", "codebuild:StartBuild"])
                .resource(project.arn()),
        );
        action.build = Some(project.clone());
        action
    }

    /// Deploys the image of `file` (`imagedefinitions.json` of `input`) to an ECS service;
    /// the service's own deployment strategy (rolling or blue/green) applies.
    pub fn ecs_deploy(name: &str, cluster: &str, service: &str, input: &str, file: &str) -> Action {
        let mut action = Action::new(name, Category::Deploy, "AWS", "ECS")
            .config("ClusterName", cluster)
            .config("ServiceName", service)
            .config("FileName", file);
        action.inputs.push(input.to_owned());
        action
    }

    /// Waits for a person to approve; `topic` (an SNS topic ARN) is told when it waits.
    pub fn manual_approval(name: &str, topic: Option<Expr<String>>, summary: &str) -> Action {
        let mut action =
            Action::new(name, Category::Approval, "AWS", "Manual").config("CustomData", summary);
        if let Some(topic) = topic {
            action.needs.push(
                PolicyStatement::allow()
                    .actions(&["sns:Publish"])
                    .resource(topic.clone()),
            );
            action = action.config("NotificationArn", topic);
        }
        action
    }

    /// Runs the action as `role` (of this or another account) instead of the pipeline's
    /// role, which may then assume exactly that role.
    pub fn role(mut self, role_arn: Expr<String>) -> Self {
        self.needs.push(
            PolicyStatement::allow()
                .actions(&["sts:AssumeRole"])
                .resource(role_arn.clone()),
        );
        self.role = Some(role_arn);
        self
    }

    /// Actions of a stage with a lower run order go first; equal ones run together.
    pub fn run_order(mut self, order: u32) -> Self {
        self.run_order = order;
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    fn to_l1(&self) -> ActionDeclaration {
        let mut configuration = Map::new();
        for (key, value) in &self.configuration {
            configuration.insert(key.clone(), value.value().clone());
        }
        let mut action = ActionDeclaration::new(
            ActionTypeId::new(self.category.clone(), self.owner, self.provider, "1"),
            self.name.as_str(),
        )
        .configuration(Expr::from_value(Value::Map(configuration)))
        .run_order(self.run_order);
        if !self.inputs.is_empty() {
            action = action.input_artifacts(
                self.inputs
                    .iter()
                    .map(|i| InputArtifact::new(i.as_str()))
                    .collect::<Vec<_>>(),
            );
        }
        if !self.outputs.is_empty() {
            action = action.output_artifacts(
                self.outputs
                    .iter()
                    .map(|o| OutputArtifact::new(o.as_str()))
                    .collect::<Vec<_>>(),
            );
        }
        if let Some(role) = &self.role {
            action = action.role_arn(role.clone());
        }
        if let Some(namespace) = &self.namespace {
            action = action.namespace(namespace.as_str());
        }
        action
    }
}

/// A stage: actions, and whether a failure rolls the stage back to the last successful run.
#[derive(Clone, Debug)]
pub struct Stage {
    pub name: String,
    pub actions: Vec<Action>,
    pub rollback_on_failure: bool,
}

impl Stage {
    pub fn new(name: &str, actions: Vec<Action>) -> Stage {
        Stage {
            name: name.to_owned(),
            actions,
            rollback_on_failure: false,
        }
    }

    /// A failed run of this stage redeploys what the last successful run deployed.
    pub fn rollback_on_failure(mut self) -> Self {
        self.rollback_on_failure = true;
        self
    }
}

/// Choices for a pipeline.
#[derive(Clone, Debug, Default)]
pub struct PipelineOptions {
    /// Start on pushes to this branch of the source action named (default: on every change
    /// the source reports).
    pub trigger: Option<(String, String)>,
}

/// A pipeline handle.
#[derive(Clone, Debug, PartialEq)]
pub struct Pipeline {
    pipeline: PipelineRef,
    role: Role,
    bucket: Bucket,
    key: Key,
}

impl Pipeline {
    pub fn new(
        stack: &mut Stack,
        id: &str,
        stages: &[Stage],
        options: PipelineOptions,
    ) -> Pipeline {
        let (key, bucket, role) = stack.scope(id, |s| {
            let key = Key::new(s, "ArtifactKey", "Encrypts the pipeline's artifacts");
            let name = unique_name(s, "builds");
            let bucket = Bucket::with(
                s,
                "Artifacts",
                BucketOptions {
                    name: Some(name),
                    ..BucketOptions::default()
                },
            );
            let role = Role::for_service(s, "Role", "codepipeline.amazonaws.com");
            (key, bucket, role)
        });
        let artifacts = |role: &Role, stack: &mut Stack| {
            role.add_to_policy(
                stack,
                PolicyStatement::allow()
                    .actions(&[
                        "s3:GetBucketVersioning",
                        "s3:GetObject",
                        "s3:GetObjectVersion",
                        "s3:PutObject",
                    ])
                    .resources([bucket.arn(), bucket.objects_arn("*")]),
            );
            role.add_to_policy(
                stack,
                PolicyStatement::allow()
                    .actions(ENCRYPT_DECRYPT)
                    .resource(key.arn()),
            );
        };
        artifacts(&role, stack);
        let mut declarations = Vec::new();
        for stage in stages {
            for action in &stage.actions {
                for statement in &action.needs {
                    role.add_to_policy(stack, statement.clone());
                }
                if let Some(project) = &action.build {
                    artifacts(project.role(), stack);
                }
            }
            let mut declaration = StageDeclaration::new(
                stage.actions.iter().map(Action::to_l1).collect::<Vec<_>>(),
                stage.name.as_str(),
            );
            if stage.rollback_on_failure {
                declaration = declaration
                    .on_failure(FailureConditions::new().result(FailureConditionsResult::Rollback));
            }
            declarations.push(declaration);
        }
        let store = ArtifactStore::new(bucket.name(), StoreType::S3)
            .encryption_key(EncryptionKey::new(key.arn(), "KMS"));
        let mut pipeline = l1::Pipeline::new(role.arn(), declarations)
            .pipeline_type(PipelineType::V2)
            .artifact_store(store)
            .restart_execution_on_update(false);
        if let Some((source, branch)) = &options.trigger {
            pipeline = pipeline.triggers(vec![PipelineTriggerDeclaration::new(
                ProviderType::CodeStarSourceConnection,
            )
            .git_configuration(
                GitConfiguration::new(source.as_str()).push(vec![GitPushFilter::new()
                    .branches(GitBranchFilterCriteria::new().includes(vec![branch.as_str()]))]),
            )]);
        }
        let pipeline = stack.add(id, pipeline);
        // The role's policy must exist before the pipeline first runs.
        if let Some(policy) = role.default_policy(stack) {
            stack.add_dependency(pipeline.target(), &policy);
        }
        Pipeline {
            pipeline,
            role,
            bucket,
            key,
        }
    }

    pub fn target(&self) -> &Target {
        self.pipeline.target()
    }

    /// The pipeline's name (`Ref`).
    pub fn name(&self) -> Expr<String> {
        self.pipeline.ref_()
    }

    pub fn role(&self) -> &Role {
        &self.role
    }

    pub fn artifact_bucket(&self) -> &Bucket {
        &self.bucket
    }

    pub fn artifact_key(&self) -> &Key {
        &self.key
    }

    /// Lets roles of other accounts (the action roles of deployments there) read the
    /// artifacts: the key policy and the bucket policy both name them.
    pub fn allow_readers(&self, stack: &mut Stack, role_arns: &[Expr<String>]) {
        if role_arns.is_empty() {
            return;
        }
        let principals = Value::List(role_arns.iter().map(|a| a.clone().into_value()).collect());
        let decrypt = PolicyStatement::allow()
            .sid("DeployTargetsDecrypt")
            .aws_principal(principals.clone())
            .actions(&["kms:Decrypt", "kms:DescribeKey"])
            .resource("*");
        let read = PolicyStatement::allow()
            .sid("DeployTargetsRead")
            .aws_principal(principals)
            .actions(&["s3:GetObject", "s3:GetObjectVersion"])
            .resource(self.bucket.objects_arn("*"));
        self.key.add_to_key_policy(stack, &decrypt);
        self.bucket.add_to_resource_policy(stack, read);
    }

    /// The console page of the pipeline, where its approval waits.
    pub fn console_url(&self) -> Expr<String> {
        sub_with(
            "https://${AWS::Region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${Name}/view?region=${AWS::Region}",
            [("Name", self.name())],
        )
    }
}
