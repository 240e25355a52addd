//! `ecs::TaskDefinition` for Fargate: separate execution and task roles, containers that run as
//! a non-root user on a read-only root file system (with a writable `/tmp`), logs to a log
//! group with the environment's retention, secrets injected from Secrets Manager.

use indexmap::IndexMap;
use stackcraft_core::template::{pseudo, sub_with, Expr, Target, Value};
use stackcraft_core::Stack;
use stackcraft_resources::ecs::task_definition::{
    Condition, ContainerDefinition, ContainerDependency, CpuArchitecture, HealthCheck,
    KeyValuePair, LogConfiguration, MountPoint, NetworkMode, OperatingSystemFamily, PortMapping,
    Protocol, RequiresCompatibility, RuntimePlatform, Secret as L1Secret, Volume,
};
use stackcraft_resources::ecs::{self as l1, TaskDefinitionRef};

use crate::ecr::{self, Repository};
use crate::iam::{Grantee, Role};
use crate::logs::LogGroup;
use crate::secretsmanager::Secret;

/// The user containers run as unless told otherwise: an unprivileged uid:gid that exists in
/// no image, so it owns nothing but what the image makes world-readable.
pub const DEFAULT_USER: &str = "10001:10001";

/// A container image.
#[derive(Clone, Debug, PartialEq)]
pub enum Image {
    /// Any image URI; a private ECR URI gets a pull grant on its repository.
    Uri(String),
    /// A tag of a repository of this stack.
    Repository(Repository, String),
    /// An image synth built ([`Image::rust`]), in the bootstrap image repository, by digest.
    Asset(stackcraft_core::ImageAsset),
}

/// A secret injected as an environment variable when the container starts (never written to
/// the task definition): a whole secret, or one key of a JSON secret.
#[derive(Clone, Debug, PartialEq)]
pub struct ContainerSecret {
    secret: Secret,
    json_key: Option<String>,
}

impl ContainerSecret {
    pub fn new(secret: &Secret, json_key: Option<&str>) -> ContainerSecret {
        ContainerSecret {
            secret: secret.clone(),
            json_key: json_key.map(str::to_owned),
        }
    }

    /// `<arn>:<key>::` (or the bare ARN): ECS's `valueFrom`.
    fn value_from(&self) -> Expr<String> {
        match &self.json_key {
            Some(key) => sub_with(
                format!("${{Secret}}:{key}::"),
                [("Secret", self.secret.arn())],
            ),
            None => self.secret.arn(),
        }
    }
}

/// One container of a task, built with [`Container::new`] and its setters.
#[derive(Clone, Debug)]
pub struct Container {
    pub name: String,
    pub image: Image,
    pub command: Vec<String>,
    pub port: Option<u16>,
    pub environment: Vec<(String, Expr<String>)>,
    pub secrets: Vec<(String, ContainerSecret)>,
    /// A Docker health check command (`["CMD", "/app", "health"]`).
    pub health_check: Option<Vec<String>>,
    pub essential: bool,
    /// Containers that must reach a condition before this one starts.
    pub depends_on: Vec<(String, Condition)>,
    /// Refuse writes outside `/tmp` (default: yes).
    pub read_only_root: bool,
    pub user: String,
}

impl Container {
    pub fn new(name: &str, image: Image) -> Container {
        Container {
            name: name.to_owned(),
            image,
            command: Vec::new(),
            port: None,
            environment: Vec::new(),
            secrets: Vec::new(),
            health_check: None,
            essential: true,
            depends_on: Vec::new(),
            read_only_root: true,
            user: DEFAULT_USER.to_owned(),
        }
    }

    pub fn command(mut self, args: &[&str]) -> Self {
        self.command = args.iter().map(|a| a.to_string()).collect();
        self
    }

    /// The TCP port the container listens on.
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    pub fn env(mut self, name: &str, value: impl Into<Expr<String>>) -> Self {
        self.environment.push((name.to_owned(), value.into()));
        self
    }

    pub fn secret(mut self, name: &str, secret: ContainerSecret) -> Self {
        self.secrets.push((name.to_owned(), secret));
        self
    }

    pub fn health_check(mut self, command: &[&str]) -> Self {
        self.health_check = Some(command.iter().map(|a| a.to_string()).collect());
        self
    }

    /// A container the task may outlive (a one-off step such as a migration).
    pub fn not_essential(mut self) -> Self {
        self.essential = false;
        self
    }

    /// Starts only after container `name` reached `condition` (e.g. exited with 0).
    pub fn after(mut self, name: &str, condition: Condition) -> Self {
        self.depends_on.push((name.to_owned(), condition));
        self
    }
}

/// Size and platform of a Fargate task.
#[derive(Clone, Copy, Debug)]
pub struct FargateTaskOptions {
    /// CPU units (256 = 1/4 vCPU).
    pub cpu: u32,
    /// MiB.
    pub memory: u32,
    pub arm64: bool,
}

impl Default for FargateTaskOptions {
    fn default() -> Self {
        FargateTaskOptions {
            cpu: 256,
            memory: 512,
            arm64: false,
        }
    }
}

/// A task definition handle.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskDefinition {
    task: TaskDefinitionRef,
    path: String,
    execution_role: Role,
    task_role: Role,
    log_group: LogGroup,
    /// Containers with their port, in the order they were added.
    containers: Vec<(String, Option<u16>)>,
}

impl TaskDefinition {
    pub fn fargate(stack: &mut Stack, id: &str, options: FargateTaskOptions) -> TaskDefinition {
        let path = stack.path_of(id);
        let (execution_role, task_role, log_group) = stack.scope(id, |s| {
            let execution = Role::for_service(s, "ExecutionRole", "ecs-tasks.amazonaws.com");
            let task = Role::for_service(s, "TaskRole", "ecs-tasks.amazonaws.com");
            let logs = LogGroup::new(s, "Logs", None);
            (execution, task, logs)
        });
        log_group.grant_write(stack, &execution_role);
        let architecture = if options.arm64 {
            CpuArchitecture::Arm64
        } else {
            CpuArchitecture::X8664
        };
        let task = l1::TaskDefinition::new()
            .requires_compatibilities(vec![RequiresCompatibility::Fargate])
            .network_mode(NetworkMode::Awsvpc)
            .cpu(options.cpu.to_string())
            .memory(options.memory.to_string())
            .runtime_platform(
                RuntimePlatform::new()
                    .cpu_architecture(architecture)
                    .operating_system_family(OperatingSystemFamily::Linux),
            )
            .execution_role_arn(execution_role.arn())
            .task_role_arn(task_role.arn())
            .volumes(vec![Volume::new().name("tmp")])
            .container_definitions(Vec::<ContainerDefinition>::new());
        let task = stack.add(id, task);
        TaskDefinition {
            task,
            path,
            execution_role,
            task_role,
            log_group,
            containers: Vec::new(),
        }
    }

    /// Adds a container; grants the execution role the pull of its image and the read of
    /// exactly its secrets.
    pub fn add_container(&mut self, stack: &mut Stack, container: Container) {
        let image: Expr<String> = match &container.image {
            Image::Uri(uri) => {
                if let Some(arn) = ecr::repository_arn_of_image(uri) {
                    ecr::grant_pull_arn(stack, &self.execution_role, arn.into());
                }
                uri.as_str().into()
            }
            Image::Repository(repository, tag) => {
                repository.grant_pull(stack, &self.execution_role);
                repository.image(tag)
            }
            Image::Asset(asset) => {
                ecr::grant_pull_arn(
                    stack,
                    &self.execution_role,
                    super::rust_image::repository_arn(),
                );
                super::rust_image::uri(asset)
            }
        };
        let mut options = IndexMap::new();
        options.insert("awslogs-group".to_owned(), self.log_group.name());
        options.insert("awslogs-region".to_owned(), pseudo::region());
        options.insert(
            "awslogs-stream-prefix".to_owned(),
            Expr::from(container.name.as_str()),
        );
        options.insert("mode".to_owned(), Expr::from("non-blocking"));
        options.insert("max-buffer-size".to_owned(), Expr::from("25m"));
        let mut definition = ContainerDefinition::new(image, container.name.as_str())
            .essential(container.essential)
            .user(container.user.as_str())
            .readonly_root_filesystem(container.read_only_root)
            .privileged(false)
            .log_configuration(LogConfiguration::new("awslogs").options(options))
            .mount_points(vec![MountPoint::new()
                .source_volume("tmp")
                .container_path("/tmp")
                .read_only(false)]);
        if !container.command.is_empty() {
            definition = definition.command(container.command.clone());
        }
        if let Some(port) = container.port {
            definition = definition.port_mappings(vec![PortMapping::new()
                .container_port(port)
                .protocol(Protocol::Tcp)]);
        }
        if !container.environment.is_empty() {
            let vars: Vec<KeyValuePair> = container
                .environment
                .iter()
                .map(|(k, v)| KeyValuePair::new().name(k.as_str()).value(v.clone()))
                .collect();
            definition = definition.environment(vars);
        }
        if !container.secrets.is_empty() {
            let mut secrets = Vec::new();
            for (name, secret) in &container.secrets {
                secret.secret.grant_read(stack, &self.execution_role);
                secrets.push(L1Secret::new(name.as_str(), secret.value_from()));
            }
            definition = definition.secrets(secrets);
        }
        if let Some(command) = &container.health_check {
            definition = definition.health_check(
                HealthCheck::new()
                    .command(command.clone())
                    .interval(30)
                    .timeout(5)
                    .retries(3)
                    .start_period(30),
            );
        }
        if !container.depends_on.is_empty() {
            let deps: Vec<ContainerDependency> = container
                .depends_on
                .iter()
                .map(|(name, condition)| {
                    ContainerDependency::new()
                        .container_name(name.as_str())
                        .condition(condition.clone())
                })
                .collect();
            definition = definition.depends_on(deps);
        }
        let value: Value = Expr::<ContainerDefinition>::from(definition).into();
        let resource = stack.resource_mut(self.task.target());
        if let Some(Value::List(list)) = resource.properties.get_mut("ContainerDefinitions") {
            list.push(value);
        }
        self.containers.push((container.name, container.port));
    }

    pub fn target(&self) -> &Target {
        self.task.target()
    }

    pub fn arn(&self) -> Expr<String> {
        self.task.ref_()
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// The role the application's code acts as: grant it what the code calls.
    pub fn task_role(&self) -> &Role {
        &self.task_role
    }

    /// The role ECS acts as to start the task: image pulls, log streams, secrets.
    pub fn execution_role(&self) -> &Role {
        &self.execution_role
    }

    pub fn log_group(&self) -> &LogGroup {
        &self.log_group
    }

    /// The first essential container that listens on a port, with that port.
    pub fn serving_container(&self) -> Option<(&str, u16)> {
        self.containers
            .iter()
            .find_map(|(name, port)| port.map(|p| (name.as_str(), p)))
    }
}

impl Grantee for TaskDefinition {
    fn grant_role(&self) -> &Role {
        &self.task_role
    }
}
