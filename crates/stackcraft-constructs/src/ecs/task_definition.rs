//! `ecs::TaskDefinition` for Fargate: separate execution and task roles, containers that run as
//! a non-root user on a read-only root file system (with a writable `/tmp`), logs to a log
//! group with the environment's retention, secrets injected from Secrets Manager.

use indexmap::IndexMap;
use stackcraft_core::template::{pseudo, sub_with, Expr, Target, Value};
use stackcraft_core::Stack;
use stackcraft_resources::ecs::task_definition::{
    AuthorizationConfig, Condition, ContainerDefinition, ContainerDependency, CpuArchitecture,
    EfsVolumeConfiguration, HealthCheck, Iam, KeyValuePair, LogConfiguration, MountPoint,
    NetworkMode, OperatingSystemFamily, PortMapping, Protocol, RequiresCompatibility,
    RuntimePlatform, Secret as L1Secret, TransitEncryption, Volume,
};
use stackcraft_resources::ecs::{self as l1, TaskDefinitionRef};

use crate::ecr::{self, Repository};
use crate::efs::AccessPoint;
use crate::iam::{Grantee, Role};
use crate::logs::LogGroup;
use crate::secretsmanager::Secret;
use crate::units::Memory;

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

/// A secret or setting injected as an environment variable when the container starts (never
/// written to the task definition): a whole secret, one key of a JSON secret, or an SSM
/// parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct ContainerSecret {
    source: SecretSource,
}

#[derive(Clone, Debug, PartialEq)]
enum SecretSource {
    Secret(Secret, Option<String>),
    /// The ARN of an SSM parameter.
    Parameter(Expr<String>),
}

impl ContainerSecret {
    pub fn new(secret: &Secret, json_key: Option<&str>) -> ContainerSecret {
        ContainerSecret {
            source: SecretSource::Secret(secret.clone(), json_key.map(str::to_owned)),
        }
    }

    /// The value of the SSM parameter with ARN `arn`, read as the task starts: configuration
    /// that changes without a new task definition.
    pub fn parameter(arn: Expr<String>) -> ContainerSecret {
        ContainerSecret {
            source: SecretSource::Parameter(arn),
        }
    }

    /// `<arn>:<key>::` (or the bare ARN): ECS's `valueFrom`.
    fn value_from(&self) -> Expr<String> {
        match &self.source {
            SecretSource::Secret(secret, Some(key)) => {
                sub_with(format!("${{Secret}}:{key}::"), [("Secret", secret.arn())])
            }
            SecretSource::Secret(secret, None) => secret.arn(),
            SecretSource::Parameter(arn) => arn.clone(),
        }
    }

    /// Lets `role` (the execution role) read exactly this value.
    fn grant_read(&self, stack: &mut Stack, role: &Role) {
        match &self.source {
            SecretSource::Secret(secret, _) => secret.grant_read(stack, role),
            SecretSource::Parameter(arn) => {
                role.add_to_policy(
                    stack,
                    crate::iam::PolicyStatement::allow()
                        .actions(&["ssm:GetParameters"])
                        .resource(arn.clone()),
                );
            }
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
    /// Volumes of the task mounted into the container: `(volume, path, read_only)`.
    pub mounts: Vec<(String, String, bool)>,
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
            mounts: Vec::new(),
        }
    }

    /// Mounts the task's volume `volume` (e.g. [`TaskDefinition::add_efs_volume`]) at `path`.
    pub fn mount(mut self, volume: &str, path: &str, read_only: bool) -> Self {
        self.mounts
            .push((volume.to_owned(), path.to_owned(), read_only));
        self
    }

    /// Runs as `user` (`uid:gid`; default [`DEFAULT_USER`]).
    pub fn user(mut self, user: &str) -> Self {
        self.user = user.to_owned();
        self
    }

    /// Lets the container write to its root file system (images that write outside `/tmp`).
    pub fn writable_root(mut self) -> Self {
        self.read_only_root = false;
        self
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

/// Size and platform of a Fargate task: the name of [`TaskOptions`] for Fargate.
pub type FargateTaskOptions = TaskOptions;

/// Size and platform of a task.
#[derive(Clone, Copy, Debug)]
pub struct TaskOptions {
    /// CPU units (1024 = 1 vCPU; Fargate takes 256, 512, 1024, 2048, ...).
    pub cpu: u32,
    /// Memory of the task (Fargate pairs each CPU size with a range of memory).
    pub memory: Memory,
    pub arm64: bool,
}

impl Default for TaskOptions {
    fn default() -> Self {
        TaskOptions {
            cpu: 256,
            memory: Memory::mib(512),
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
    /// A task for Fargate.
    pub fn fargate(stack: &mut Stack, id: &str, options: TaskOptions) -> TaskDefinition {
        Self::create(stack, id, RequiresCompatibility::Fargate, options)
    }

    /// A task for a cluster's EC2 capacity, in `awsvpc` mode (its own network interface and
    /// security group, as on Fargate).
    pub fn ec2(stack: &mut Stack, id: &str, options: TaskOptions) -> TaskDefinition {
        Self::create(stack, id, RequiresCompatibility::Ec2, options)
    }

    fn create(
        stack: &mut Stack,
        id: &str,
        compatibility: RequiresCompatibility,
        options: TaskOptions,
    ) -> TaskDefinition {
        let path = stack.path_of(id);
        let (execution_role, task_role, log_group) = stack.scope(id, |s| {
            let execution = Role::for_service(s, "ExecutionRole", "ecs-tasks.amazonaws.com");
            let task = Role::for_service(s, "TaskRole", "ecs-tasks.amazonaws.com");
            let logs = LogGroup::new(s, "Logs");
            (execution, task, logs)
        });
        log_group.grant_write(stack, &execution_role);
        let architecture = if options.arm64 {
            CpuArchitecture::Arm64
        } else {
            CpuArchitecture::X8664
        };
        let task = l1::TaskDefinition::new()
            .requires_compatibilities(vec![compatibility])
            .network_mode(NetworkMode::Awsvpc)
            .cpu(options.cpu.to_string())
            .memory(options.memory.as_mib().to_string())
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
            .mount_points(mount_points(&container));
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
                secret.grant_read(stack, &self.execution_role);
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

    /// A volume `name` of the task on `access_point`'s file system, mounted with TLS and IAM
    /// authorization through the access point (the task role is granted exactly that).
    /// Containers mount it with [`Container::mount`].
    pub fn add_efs_volume(&self, stack: &mut Stack, name: &str, access_point: &AccessPoint) {
        let volume = Volume::new().name(name).efs_volume_configuration(
            EfsVolumeConfiguration::new(access_point.file_system().id())
                .transit_encryption(TransitEncryption::Enabled)
                .authorization_config(
                    AuthorizationConfig::new()
                        .access_point_id(access_point.id())
                        .iam(Iam::Enabled),
                ),
        );
        let value: Value = Expr::<Volume>::from(volume).into();
        let resource = stack.resource_mut(self.task.target());
        if let Some(Value::List(list)) = resource.properties.get_mut("Volumes") {
            list.push(value);
        }
        access_point.grant_read_write(stack, &self.task_role);
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

/// The container's writable `/tmp` and the volumes it mounts.
fn mount_points(container: &Container) -> Vec<MountPoint> {
    let tmp = MountPoint::new()
        .source_volume("tmp")
        .container_path("/tmp")
        .read_only(false);
    let mounts = container.mounts.iter().map(|(volume, path, read_only)| {
        MountPoint::new()
            .source_volume(volume.as_str())
            .container_path(path.as_str())
            .read_only(*read_only)
    });
    std::iter::once(tmp).chain(mounts).collect()
}

impl Grantee for TaskDefinition {
    fn grant_role(&self) -> &Role {
        &self.task_role
    }
}
