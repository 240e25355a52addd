//! `container-platform` (seed 003, "MageCloudKit"): Magento (or any app of containers) on ECS
//! app clusters of EC2 app servers, with Aurora MySQL, two caches, shared media on EFS, a
//! private DNS zone for service discovery, a bastion and a Jenkins server.
//!
//! ```text
//!  internet ──► ALB (one per app) ──► nginx :8080 ─► php-fpm :9000   (tasks on app servers,
//!                                          │              │            one ECS cluster per
//!                                     EFS media :2049 ◄───┤            `cluster` of the apps)
//!                                                         ├──► Aurora MySQL :3306
//!                                                         └──► Redis cache / session :6379
//!  operators ──► bastion (SSH from named ranges, else Session Manager) ──► app servers :22
//!  Jenkins (app tier) ──► pushes the apps' images to ECR, rolls their services
//! ```
//!
//! Each app has its own load balancer rather than host rules on a shared one: an app is then
//! reachable at its own URL without a domain, and one app's exposure (the admin panel's) can
//! change without touching another's listener.
//!
//! The private zone `<zone>.internal` names the data services (`db.<region>.<zone>.internal`,
//! `media.efs.…`, `redis-cache.…`, `redis-session.…`) and `jenkins.…`, for operators and
//! tools inside the VPC. The apps themselves are handed the services' own endpoints
//! (`Container::connect`), because TLS certificates name those endpoints, not the aliases.
//!
//! Everything that differs between environments (zones, NAT gateways, readers, Multi-AZ,
//! failover, protection, retention, counts) comes from the constructs' defaults.

mod jenkins;
mod settings;

use std::collections::BTreeMap;

use stackcraft_config::ConfigError;
use stackcraft_constructs::autoscaling::{AutoScalingGroup, AutoScalingGroupOptions};
use stackcraft_constructs::dns::{Domain, PrivateZone};
use stackcraft_constructs::ec2::{
    BastionHost, BastionOptions, HasConnections, LaunchTemplate, LaunchTemplateOptions, Port,
    SecurityGroup, Vpc, VpcOptions,
};
use stackcraft_constructs::ecr::Repository;
use stackcraft_constructs::ecs::{
    CapacityProvider, Cluster, ConnectionEnv, Container, ContainerSecret, Image, Service,
    ServiceOptions, TaskDefinition, TaskOptions, ECS_OPTIMIZED_AMAZON_LINUX_2023,
};
use stackcraft_constructs::efs::{AccessPoint, FileSystem, FileSystemOptions};
use stackcraft_constructs::elasticache::{Cache, Memcached, MemcachedOptions, Redis, RedisOptions};
use stackcraft_constructs::elbv2::{AlbOptions, ApplicationLoadBalancer};
use stackcraft_constructs::rds::{AuroraCluster, AuroraOptions};
use stackcraft_constructs::secretsmanager::{Generated, Secret};
use stackcraft_constructs::sns::Topic;
use stackcraft_constructs::units::Memory;
use stackcraft_core::Stack;

use self::jenkins::{Jenkins, JENKINS_PORT};
use self::settings::{Engine, Settings};
use crate::{Blueprint, Context};

pub const CONTAINER_PLATFORM: Blueprint = Blueprint {
    name: "container-platform",
    summary: "ECS app clusters on EC2 behind ALBs, Aurora MySQL, Redis cache + session, EFS media, private DNS, bastion, Jenkins",
    stack: "platform",
    workloads: &[],
    settings: Blueprint::settings_of::<Settings>,
    build,
};

/// The database Magento uses.
const DATABASE: &str = "magento";
/// The user (uid = gid) that owns the shared media.
const MEDIA_USER: u32 = 10001;

/// Where the default app reads its connections (Magento's `env.php` built from environment).
const DB_ENV: ConnectionEnv = ConnectionEnv {
    host: Some("MAGENTO_DB_HOST"),
    port: Some("MAGENTO_DB_PORT"),
    username: Some("MAGENTO_DB_USER"),
    password: Some("MAGENTO_DB_PASSWORD"),
    tls: Some("MAGENTO_DB_TLS"),
};
const CACHE_ENV: ConnectionEnv = ConnectionEnv {
    host: Some("MAGENTO_CACHE_HOST"),
    port: Some("MAGENTO_CACHE_PORT"),
    username: None,
    password: Some("MAGENTO_CACHE_PASSWORD"),
    tls: Some("MAGENTO_CACHE_TLS"),
};
const SESSION_ENV: ConnectionEnv = ConnectionEnv {
    host: Some("MAGENTO_SESSION_HOST"),
    port: Some("MAGENTO_SESSION_PORT"),
    username: None,
    password: Some("MAGENTO_SESSION_PASSWORD"),
    tls: Some("MAGENTO_SESSION_TLS"),
};

/// The data services every app may use.
struct Data {
    db: AuroraCluster,
    cache: Cache,
    session: Cache,
    media: AccessPoint,
}

fn build(stack: &mut Stack, ctx: &Context) -> Result<(), ConfigError> {
    let cfg: Settings = ctx.settings()?;
    if stack.description().is_none() {
        stack.describe("Container platform: ECS app clusters on EC2, Aurora, Redis, EFS, private DNS, bastion, Jenkins");
    }
    validate(ctx, &cfg)?;
    let region = stack.env().region.clone();
    let zone_label = cfg
        .zone
        .clone()
        .unwrap_or_else(|| ctx.config.project.name.clone());

    // Network: public, app (private) and data (isolated) subnets in every zone.
    let vpc = Vpc::with(
        stack,
        "Network",
        VpcOptions {
            nat_gateways: cfg.nat_gateways,
            ..VpcOptions::default()
        },
    );

    // Data: Aurora, the two caches, the shared media.
    let db = AuroraCluster::mysql(
        stack,
        "Database",
        &vpc,
        AuroraOptions {
            instance_class: cfg.database.instance_class.clone(),
            readers: cfg.database.readers,
            database_name: DATABASE.to_owned(),
            username: "magento".to_owned(),
            ..AuroraOptions::default()
        },
    );
    let cache = cache_for(stack, "Cache", &vpc, cfg.cache);
    let session = cache_for(stack, "Session", &vpc, cfg.session);
    let media_fs = FileSystem::new(stack, "Media", &vpc, FileSystemOptions::default());
    let media = media_fs.add_access_point(stack, "AccessPoint", "/media", MEDIA_USER, MEDIA_USER);
    let data = Data {
        db,
        cache,
        session,
        media,
    };

    // Service discovery: the seed's names in the private zone.
    let zone = PrivateZone::new(
        stack,
        "PrivateZone",
        &format!("{zone_label}.internal"),
        &vpc,
    );
    zone.add_cname(
        stack,
        "DbRecord",
        &format!("db.{region}"),
        data.db.endpoint(),
    );
    zone.add_cname(
        stack,
        "MediaRecord",
        &format!("media.efs.{region}"),
        media_fs.dns_name(),
    );
    zone.add_cname(
        stack,
        "CacheRecord",
        &format!("{}-cache.{region}", engine_name(cfg.cache)),
        data.cache.host(),
    );
    zone.add_cname(
        stack,
        "SessionRecord",
        &format!("{}-session.{region}", engine_name(cfg.session)),
        data.session.host(),
    );

    // Operators: the bastion, which alone may SSH into the servers.
    let bastion = BastionHost::new(
        stack,
        "Bastion",
        &vpc,
        BastionOptions {
            ssh_from: cfg.ssh_from.clone(),
            ..BastionOptions::default()
        },
    );

    // App clusters, in the order the apps name them.
    let mut clusters: BTreeMap<String, (Cluster, CapacityProvider)> = BTreeMap::new();
    for app in &cfg.apps {
        if !clusters.contains_key(&app.cluster) {
            let sizing = cfg.clusters.get(&app.cluster).cloned().unwrap_or_default();
            let built = app_cluster(stack, &app.cluster, &vpc, &bastion, &sizing);
            clusters.insert(app.cluster.clone(), built);
        }
    }

    // Apps.
    let alarms = Topic::new(stack, "Alarms");
    if let Some(email) = &cfg.alarm_email {
        alarms.subscribe_email(stack, "AlarmsEmail", email);
    }
    let mut repositories = Vec::new();
    let mut services = Vec::new();
    let mut blackfire = None;
    for app in &cfg.apps {
        let id = pascal(&app.name);
        let (cluster, capacity) = &clusters[&app.cluster];
        let containers = app
            .containers
            .clone()
            .unwrap_or_else(settings::magento_containers);
        let mut task = TaskDefinition::ec2(
            stack,
            &format!("{id}Task"),
            TaskOptions {
                cpu: app.cpu,
                memory: Memory::mib(app.memory),
                ..TaskOptions::default()
            },
        );
        if containers.iter().any(|c| c.media.is_some()) {
            task.add_efs_volume(stack, "media", &data.media);
        }
        for spec in &containers {
            let image = match &spec.image {
                Some(uri) => Image::Uri(uri.clone()),
                None => {
                    let repository =
                        Repository::new(stack, &format!("{id}{}Images", pascal(&spec.name)));
                    repositories.push(repository.clone());
                    Image::Repository(repository, "latest".to_owned())
                }
            };
            task.add_container(stack, container(spec, image, &data));
        }
        if app.blackfire {
            let credentials = blackfire
                .get_or_insert_with(|| {
                    Secret::generated(
                        stack,
                        "BlackfireCredentials",
                        Generated::credentials(
                            "Blackfire server id (username) and token (password): put the account's values here",
                            "set-the-server-id",
                        ),
                    )
                })
                .clone();
            task.add_container(
                stack,
                Container::new("blackfire", Image::Uri("blackfire/blackfire:2".to_owned()))
                    .port(8307)
                    .env("BLACKFIRE_SOCKET", "tcp://0.0.0.0:8307")
                    .secret(
                        "BLACKFIRE_SERVER_ID",
                        ContainerSecret::new(&credentials, Some("username")),
                    )
                    .secret(
                        "BLACKFIRE_SERVER_TOKEN",
                        ContainerSecret::new(&credentials, Some("password")),
                    ),
            );
        }

        let alb = ApplicationLoadBalancer::new(
            stack,
            &format!("{id}LoadBalancer"),
            &vpc,
            AlbOptions {
                domain: cfg.domains.get(&app.name).map(|d| Domain {
                    name: d.name.clone(),
                    hosted_zone_id: d.hosted_zone_id.clone(),
                }),
                ..AlbOptions::default()
            },
        );
        let port = containers.iter().find_map(|c| c.port).unwrap_or(8080);
        let targets = alb.forward_to(stack, "Targets", &vpc, port, &app.health_path);
        let service = Service::new(
            stack,
            &format!("{id}Service"),
            cluster,
            &task,
            ServiceOptions {
                load_balancer: Some(targets.clone()),
                capacity: Some(capacity.clone()),
                ..ServiceOptions::default()
            },
        );
        let scaling = service.auto_scale(stack, app.min, app.max);
        scaling.on_cpu(stack, 60);
        scaling.on_request_count(stack, &targets, 500);

        // Exactly these edges: the tasks reach the database, both caches and the media.
        data.db
            .connections()
            .allow_from(stack, &service, Port::MYSQL);
        data.cache
            .connections()
            .allow_from(stack, &service, data.cache.engine_port());
        data.session
            .connections()
            .allow_from(stack, &service, data.session.engine_port());
        media_fs
            .connections()
            .allow_from(stack, &service, Port::NFS);

        alb.add_alarms(stack, &alarms);
        targets.add_alarms(stack, &alarms);
        service.add_alarms(stack, &alarms);
        stack.output(&format!("{id}Url"), alb.url()).description =
            Some(format!("The {} app", app.name));
        services.push(service);
    }
    data.db.add_alarms(stack, &alarms);
    data.cache.add_alarms(stack, &alarms);
    data.session.add_alarms(stack, &alarms);

    // Jenkins builds the images and rolls the services.
    let jenkins = Jenkins::new(
        stack,
        "Jenkins",
        &vpc,
        &cfg.jenkins.instance_type,
        Memory::gib(cfg.jenkins.volume_gib),
    );
    jenkins.allow_deploy(stack, &repositories, &services);
    jenkins.connections().allow_from(stack, &bastion, Port::SSH);
    let jenkins_name = zone.add_a(
        stack,
        "JenkinsRecord",
        &format!("jenkins.{region}"),
        jenkins.instance.private_ip(),
    );

    stack.output("BastionId", bastion.instance_id()).description =
        Some(if cfg.ssh_from.is_empty() {
            "aws ssm start-session --target <BastionId>".to_owned()
        } else {
            "SSH from the configured ranges, or aws ssm start-session --target <BastionId>"
                .to_owned()
        });
    stack
        .output(
            "JenkinsUrl",
            format!("http://{jenkins_name}:{JENKINS_PORT}"),
        )
        .description =
        Some("Inside the VPC (port-forward through the bastion's Session Manager)".to_owned());
    stack.output("JenkinsInstanceId", jenkins.instance.id());
    stack.output("PrivateZoneName", zone.name().to_owned());
    Ok(())
}

/// Names that the apps' settings must agree on, checked before anything is built.
fn validate(ctx: &Context, cfg: &Settings) -> Result<(), ConfigError> {
    if cfg.apps.is_empty() {
        return Err(ctx.setting_error("apps", "the platform needs at least one app"));
    }
    let mut seen = std::collections::BTreeSet::new();
    for app in &cfg.apps {
        if app.name.is_empty()
            || !app
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(ctx.setting_error(
                "apps",
                format!("app name {:?}: letters, digits and '-' only", app.name),
            ));
        }
        if !seen.insert(pascal(&app.name)) {
            return Err(ctx.setting_error("apps", format!("two apps are named {:?}", app.name)));
        }
        if let Some(containers) = &app.containers {
            if !containers.iter().any(|c| c.port.is_some()) {
                return Err(ctx.setting_error(
                    "apps",
                    format!(
                        "app {:?}: one container needs a port for the load balancer",
                        app.name
                    ),
                ));
            }
        }
    }
    for name in cfg.domains.keys() {
        if !cfg.apps.iter().any(|a| &a.name == name) {
            return Err(ctx.setting_error(
                &format!("domains.{name}"),
                format!("no app is named {name:?}"),
            ));
        }
    }
    for name in cfg.clusters.keys() {
        if !cfg.apps.iter().any(|a| &a.cluster == name) {
            return Err(ctx.setting_error(
                &format!("clusters.{name}"),
                format!("no app runs on cluster {name:?}"),
            ));
        }
    }
    Ok(())
}

/// One app container from its settings: connections and media where asked.
fn container(spec: &settings::Container, image: Image, data: &Data) -> Container {
    let mut container = Container::new(&spec.name, image);
    let args: Vec<&str> = spec.command.iter().map(String::as_str).collect();
    if !args.is_empty() {
        container = container.command(&args);
    }
    if let Some(port) = spec.port {
        container = container.port(port);
    }
    for (name, value) in &spec.env {
        container = container.env(name, value.as_str());
    }
    if spec.connect {
        container = container
            .connect(&data.db, &DB_ENV)
            .env("MAGENTO_DB_NAME", DATABASE)
            .connect(&data.cache, &CACHE_ENV)
            .connect(&data.session, &SESSION_ENV);
    }
    if let Some(path) = &spec.media {
        container = container.mount("media", path, false);
    }
    if let Some(user) = &spec.user {
        container = container.user(user);
    }
    if spec.writable_root {
        container = container.writable_root();
    }
    container
}

/// One app cluster: its app servers (hardened ECS-optimized instances in the app tier, one per
/// zone where highly available) as the cluster's capacity, SSH only from the bastion.
fn app_cluster(
    stack: &mut Stack,
    name: &str,
    vpc: &Vpc,
    bastion: &BastionHost,
    sizing: &settings::Cluster,
) -> (Cluster, CapacityProvider) {
    let id = pascal(name);
    let cluster = Cluster::new(stack, &format!("{id}Cluster"), vpc);
    let servers = format!("{id}Servers");
    let (group, role) = stack.scope(&servers, |s| {
        let group = SecurityGroup::new(
            s,
            "SecurityGroup",
            vpc,
            &format!("App servers of cluster {name}"),
        );
        (group, cluster.instance_role(s, "Role"))
    });
    group.connections().allow_to_cidr(
        stack,
        "0.0.0.0/0",
        Port::HTTPS,
        "the ECS and SSM endpoints, ECR and package repositories",
    );
    group.connections().allow_from(stack, bastion, Port::SSH);
    let template = stack.scope(&servers, |s| {
        LaunchTemplate::new(
            s,
            "LaunchTemplate",
            &role,
            &[&group],
            LaunchTemplateOptions {
                instance_type: sizing.instance_type.clone(),
                image_id: ECS_OPTIMIZED_AMAZON_LINUX_2023.to_owned(),
                volume_size: 30,
                user_data: Some(cluster.instance_user_data()),
            },
        )
    });
    let group = AutoScalingGroup::new(
        stack,
        &servers,
        vpc,
        &template,
        AutoScalingGroupOptions {
            min: sizing.min,
            max: sizing.max,
            protect_from_scale_in: true,
            ..AutoScalingGroupOptions::default()
        },
    );
    let capacity = cluster.add_capacity(stack, &format!("{id}Capacity"), &group);
    (cluster, capacity)
}

/// A Redis (TLS, AUTH, failover in prod) or Memcached cache.
fn cache_for(stack: &mut Stack, id: &str, vpc: &Vpc, engine: Engine) -> Cache {
    match engine {
        Engine::Redis => Cache::Redis(Redis::new(stack, id, vpc, RedisOptions::default())),
        Engine::Memcached => {
            Cache::Memcached(Memcached::new(stack, id, vpc, MemcachedOptions::default()))
        }
    }
}

fn engine_name(engine: Engine) -> &'static str {
    match engine {
        Engine::Redis => "redis",
        Engine::Memcached => "memcached",
    }
}

/// `magento-admin` → `MagentoAdmin`: an app's name as a construct id.
fn pascal(name: &str) -> String {
    name.split(['-', '_'])
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}
