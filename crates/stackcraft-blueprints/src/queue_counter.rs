//! `queue-counter` (seed 002): a producer API behind a load balancer pushes counts onto a
//! Redis queue; a worker moves them into MySQL; a web page on S3 + CloudFront calls the API.
//!
//! ```text
//!  browser ──► CloudFront ──► S3 (web page, config.json → its own URL)
//!                  │ /count, /health, /openapi.json
//!                  └──► ALB :80 (:443 with api_domain) ──► api (Fargate, counter api :5080)
//!                                     Redis :6379 ◄── api, worker ──► MySQL :3306
//! ```
//!
//! The page calls its own origin: CloudFront sends the API's paths to the load balancer
//! (nothing cached, every method, the viewer's headers but `Host`), so the page and the API
//! share one HTTPS name in every environment and no browser blocks mixed content. Without an
//! `api_domain` the load balancer has no certificate and admits only CloudFront's origin-facing
//! servers (plain HTTP between CloudFront and the load balancer); with one, it serves HTTPS at
//! that domain to everyone and CloudFront reaches it there over HTTPS.
//!
//! Everything that differs between environments (zones, NAT gateways, Multi-AZ, failover,
//! protection, retention, task counts) comes from the constructs' defaults for the
//! environment: prod is highly available across three zones, the others cheap across two.
//!
//! The container image defaults to the `counter` binary of `apps/counter`, built statically into
//! an OCI image at synth, pushed by deploy to the environment's bootstrap image repository and
//! named by digest in the task definitions; set `image` to run any image URI instead.

use std::path::PathBuf;

use counter_contract::{self as contract, command, env, metric};
use stackcraft_config::ConfigError;
use stackcraft_constructs::cloudfront::{Behavior, Origin, PathBehavior, SiteOptions, StaticSite};
use stackcraft_constructs::cloudwatch::{
    Alarm, AlarmOptions, Dashboard, Graph, Metric, Stat, Threshold,
};
use stackcraft_constructs::dns::Domain;
use stackcraft_constructs::ec2::{HasConnections, Port, Vpc, VpcOptions};
use stackcraft_constructs::ecs::{
    Cluster, ConnectionEnv, Container, ContainerCondition, FargateService, FargateTaskOptions,
    Image, RustImage, ServiceOptions, TaskDefinition,
};
use stackcraft_constructs::elasticache::{Redis, RedisMode, RedisOptions};
use stackcraft_constructs::elbv2::{AlbOptions, ApplicationLoadBalancer, Ingress};
use stackcraft_constructs::rds::{Database, DatabaseOptions};
use stackcraft_constructs::servicediscovery::PrivateDnsNamespace;
use stackcraft_constructs::sns::Topic;
use stackcraft_constructs::units::Memory;
use stackcraft_core::Stack;

use crate::{Blueprint, Context};

/// The port the counter's API (and the worker's health endpoint) listens on.
const HTTP_PORT: u16 = contract::DEFAULT_HTTP_PORT;
/// The API's paths, routed by CloudFront to the load balancer (the rest is the page).
const API_PATHS: [&str; 3] = ["/count", contract::HEALTH_PATH, "/openapi.json"];
/// The database the worker writes and the API reads.
const DATABASE: &str = "counter";
/// Where the counter's binary is, in the image stackcraft builds and in `apps/counter`'s
/// Dockerfile alike.
const COUNTER_BINARY: &str = "/usr/local/bin/counter";
/// The counter's package, built into the default image.
const WORKLOAD: &str = "apps/counter";
/// The user the API and the worker connect as (created by `counter migrate`).
const APP_USER: &str = "counter_app";

/// Where the counter reads its Redis connection from.
const REDIS_ENV: ConnectionEnv = ConnectionEnv {
    host: Some(env::REDIS_HOST),
    port: Some(env::REDIS_PORT),
    username: None,
    password: Some(env::REDIS_PASSWORD),
    tls: Some(env::REDIS_TLS),
};

/// The administrator's connection: only the migration gets it.
const ADMIN_MYSQL_ENV: ConnectionEnv = ConnectionEnv {
    host: Some(env::MYSQL_HOST),
    port: Some(env::MYSQL_PORT),
    username: Some(env::MYSQL_USER),
    password: Some(env::MYSQL_PASSWORD),
    tls: Some(env::MYSQL_TLS),
};

/// The application user's connection, what the API and the worker use.
const APP_MYSQL_ENV: ConnectionEnv = ConnectionEnv {
    host: Some(env::MYSQL_HOST),
    port: Some(env::MYSQL_PORT),
    username: Some(env::APP_MYSQL_USER),
    password: Some(env::APP_MYSQL_PASSWORD),
    tls: Some(env::MYSQL_TLS),
};

/// The application user's credentials alone, for the migration that creates the user.
const APP_USER_CREDENTIALS_ENV: ConnectionEnv = ConnectionEnv {
    username: Some(env::APP_MYSQL_USER),
    password: Some(env::APP_MYSQL_PASSWORD),
    host: None,
    port: None,
    tls: None,
};

stackcraft_config::settings! {
    #[derive(Debug)]
    struct Settings {
        /// The counter's container image URI (default: the `counter` binary of `apps/counter`,
        /// built into an image by stackcraft).
        image: Option<String>,
        /// The web page's directory, relative to the project's root.
        site: PathBuf = PathBuf::from("apps/counter/web"),
        /// Name of the Redis stream the API writes and the worker reads.
        queue: String = "counts".to_owned(),
        /// Serve the API at this domain, over HTTPS (certificate and record are created;
        /// default: plain HTTP at the load balancer's name).
        api_domain: Option<DomainSettings>,
        /// Serve the web page at this domain (default: CloudFront's name).
        site_domain: Option<SiteDomainSettings>,
        /// A WAF web ACL (ARN, scope CLOUDFRONT, in us-east-1) for every request of the page
        /// and the API through CloudFront (default: none).
        web_acl_id: Option<String>,
        /// Who is mailed when an alarm fires (default: nobody).
        alarm_email: Option<String>,
        /// NAT gateways (default: one per zone in ha environments, one otherwise; zero is
        /// allowed).
        nat_gateways: Option<u8>,
        /// The producer API's size and scaling.
        api: Service = Service::api(),
        /// The worker's size and scaling.
        worker: Service = Service::worker(),
        database: DatabaseSettings,
        redis: RedisSettings,
    }
}

stackcraft_config::settings! {
    #[derive(Debug)]
    struct DomainSettings {
        /// The domain name.
        name: String,
        /// The Route 53 hosted zone that holds it.
        hosted_zone_id: String,
    }
}

stackcraft_config::settings! {
    #[derive(Debug)]
    struct SiteDomainSettings {
        /// The domain name.
        name: String,
        /// The Route 53 hosted zone that holds it.
        hosted_zone_id: String,
        /// A certificate of us-east-1 for `name` (CloudFront takes no other region's; in
        /// us-east-1 one is created when absent, elsewhere it must be given).
        certificate_arn: Option<String>,
    }
}

stackcraft_config::settings! {
    /// Size and scaling of one service.
    #[derive(Debug)]
    struct Service {
        /// CPU units (1024 = 1 vCPU).
        cpu: u32,
        /// Memory in MiB.
        memory: u32,
        /// Tasks at least (default: one per zone in ha environments, one otherwise).
        min: Option<u32>,
        /// Tasks at most.
        max: u32,
    }
}

impl Service {
    fn api() -> Service {
        Service {
            cpu: 256,
            memory: 512,
            min: None,
            max: 6,
        }
    }

    fn worker() -> Service {
        Service {
            max: 4,
            ..Service::api()
        }
    }
}

stackcraft_config::settings! {
    #[derive(Debug)]
    struct DatabaseSettings {
        /// The MySQL instance class (default `db.t4g.micro`; `db.t4g.medium` in ha
        /// environments).
        instance_class: Option<String>,
        /// Storage in GiB.
        storage: u32 = 20,
    }
}

stackcraft_config::settings! {
    /// The queue's Redis: a replication group by default (one small node, a replica in ha
    /// environments: the queue is one stream whose every write goes to the primary, so more
    /// replicas or shards would add cost, not throughput), or ElastiCache Serverless (the
    /// seed's choice), which follows the load within optional limits but bills at least 1
    /// GB-hour of storage around the clock.
    #[derive(Debug)]
    struct RedisSettings {
        /// `replication-group` or `serverless`.
        mode: RedisModeSetting = RedisModeSetting::ReplicationGroup,
        /// Replication group: the ElastiCache node type (default `cache.t4g.micro`;
        /// `cache.t4g.small` in ha environments).
        node_type: Option<String>,
        /// Serverless: the most data held, in GB (default: no limit of ours).
        max_storage_gb: Option<u32>,
        /// Serverless: the most ElastiCache Processing Units per second (default: no limit
        /// of ours).
        max_ecpu_per_second: Option<u32>,
    }
}

#[derive(Clone, Copy, Debug, Default, serde::Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
enum RedisModeSetting {
    #[default]
    ReplicationGroup,
    Serverless,
}

impl stackcraft_config::settings::SettingType for RedisModeSetting {
    fn type_name() -> String {
        stackcraft_config::settings::one_of(&[
            RedisModeSetting::ReplicationGroup,
            RedisModeSetting::Serverless,
        ])
    }
}

pub const QUEUE_COUNTER: Blueprint = Blueprint {
    name: "queue-counter",
    summary: "ALB → producer API on Fargate → Redis queue → worker → MySQL; web page on CloudFront",
    stack: "counter",
    workloads: &[WORKLOAD],
    settings: Blueprint::settings_of::<Settings>,
    build,
};

fn build(stack: &mut Stack, ctx: &Context) -> Result<(), ConfigError> {
    let cfg: Settings = ctx.settings()?;
    if stack.description().is_none() {
        stack.describe(
            "Queue counter: API and worker on Fargate, Redis queue, MySQL, web page on CloudFront",
        );
    }
    let site_dir = stack.source_dir().join(&cfg.site);

    // Network, data, image.
    let vpc = Vpc::with(
        stack,
        "Network",
        VpcOptions {
            nat_gateways: cfg.nat_gateways,
            ..VpcOptions::default()
        },
    );
    if cfg.redis.mode == RedisModeSetting::ReplicationGroup
        && (cfg.redis.max_storage_gb.is_some() || cfg.redis.max_ecpu_per_second.is_some())
    {
        let path = stack.path_of("Queue");
        stack.error(
            &path,
            "redis.max_storage_gb and redis.max_ecpu_per_second limit a serverless cache: set redis.mode = \"serverless\"".to_owned(),
        );
    }
    let queue = Redis::new(
        stack,
        "Queue",
        &vpc,
        RedisOptions {
            mode: match cfg.redis.mode {
                RedisModeSetting::ReplicationGroup => RedisMode::ReplicationGroup,
                RedisModeSetting::Serverless => RedisMode::Serverless {
                    max_storage_gb: cfg.redis.max_storage_gb,
                    max_ecpu_per_second: cfg.redis.max_ecpu_per_second,
                },
            },
            node_type: cfg.redis.node_type.clone(),
            ..RedisOptions::default()
        },
    );
    let db = Database::mysql(
        stack,
        "Database",
        &vpc,
        DatabaseOptions {
            instance_class: cfg.database.instance_class.clone(),
            storage: cfg.database.storage,
            database_name: DATABASE.to_owned(),
            username: "counter".to_owned(),
            ..DatabaseOptions::default()
        },
    );
    let image = match &cfg.image {
        Some(uri) => Image::Uri(uri.clone()),
        None => RustImage::new(WORKLOAD, "counter", "counter")
            .port(HTTP_PORT)
            .build(stack),
    };

    // The API behind the load balancer, the web page and the API's paths on CloudFront. With
    // its own domain the API serves HTTPS to anyone there; without, only through CloudFront.
    let api_domain = cfg
        .api_domain
        .as_ref()
        .map(|d| domain(&d.name, &d.hosted_zone_id));
    let alb = ApplicationLoadBalancer::new(
        stack,
        "LoadBalancer",
        &vpc,
        AlbOptions {
            ingress: if api_domain.is_some() {
                Ingress::Internet
            } else {
                Ingress::cloudfront()
            },
            domain: api_domain,
            ..AlbOptions::default()
        },
    );
    let api_origin = Origin::load_balancer(&alb);
    let site = StaticSite::new(
        stack,
        "Site",
        SiteOptions {
            source: Some(site_dir),
            domain: cfg
                .site_domain
                .as_ref()
                .map(|d| domain(&d.name, &d.hosted_zone_id)),
            certificate_arn: cfg
                .site_domain
                .as_ref()
                .and_then(|d| d.certificate_arn.clone()),
            behaviors: API_PATHS
                .iter()
                .map(|path| PathBehavior::new(path, Behavior::api(api_origin.clone())))
                .collect(),
            web_acl_id: cfg.web_acl_id.clone(),
            ..SiteOptions::default()
        },
    );
    site_checks(stack, &site, &cfg, alb.is_https());

    // The services: same image, same configuration, different command.
    let cluster = Cluster::new(stack, "Cluster", &vpc);
    let namespace = PrivateDnsNamespace::new(stack, "Discovery", "counter.internal", &vpc);
    let app_user = db.add_user(stack, "AppUser", APP_USER);
    // What every container of the counter reads; the database credentials differ by role.
    let counter = |name: &str, command: &str| {
        Container::new(name, image.clone())
            .command(&[command])
            .env(env::HTTP_PORT, HTTP_PORT.to_string())
            .env(env::LOG_FORMAT, "json")
            .connect(&queue, &REDIS_ENV)
            .env(env::REDIS_CLUSTER, "false")
            .env(env::REDIS_QUEUE, cfg.queue.as_str())
            .env(env::MYSQL_DATABASE, DATABASE)
            .env(env::MIGRATE_ON_START, "false")
            .env(env::CORS_ALLOW_ORIGINS, site.url())
    };
    // The API and the worker as the application user, never the administrator.
    // Each checks itself: the image has no shell or curl, so `counter health` probes /health.
    let service = |name: &str, command: &str| {
        counter(name, command)
            .connect(&app_user, &APP_MYSQL_ENV)
            .port(HTTP_PORT)
            .health_check(&["CMD", COUNTER_BINARY, command::HEALTH])
    };
    // The migration creates the schema and the application user as the administrator.
    let migration = counter("migrate", command::MIGRATE)
        .connect(&db, &ADMIN_MYSQL_ENV)
        .connect(&app_user, &APP_USER_CREDENTIALS_ENV)
        .not_essential();

    let targets = alb.forward_to(stack, "ApiTargets", &vpc, HTTP_PORT, contract::HEALTH_PATH);
    let mut api_task = TaskDefinition::fargate(stack, "ApiTask", size(&cfg.api));
    api_task.add_container(stack, service("api", command::API));
    let api_discovery = namespace.add_service(stack, "Api", "api");
    let api = FargateService::new(
        stack,
        "Api",
        &cluster,
        &api_task,
        ServiceOptions {
            load_balancer: Some(targets.clone()),
            discovery: Some(api_discovery),
            ..ServiceOptions::default()
        },
    );
    let api_scaling = api.auto_scale(stack, cfg.api.min, cfg.api.max);
    api_scaling.on_cpu(stack, 60);
    api_scaling.on_request_count(stack, &targets, 500);

    // The worker migrates the schema before it starts (a one-off container that must exit 0).
    let mut worker_task = TaskDefinition::fargate(stack, "WorkerTask", size(&cfg.worker));
    worker_task.add_container(stack, migration);
    worker_task.add_container(
        stack,
        service("worker", command::WORKER).after("migrate", ContainerCondition::Success),
    );
    let worker_discovery = namespace.add_service(stack, "Worker", "worker");
    let worker = FargateService::new(
        stack,
        "Worker",
        &cluster,
        &worker_task,
        ServiceOptions {
            discovery: Some(worker_discovery),
            ..ServiceOptions::default()
        },
    );
    let worker_scaling = worker.auto_scale(stack, cfg.worker.min, cfg.worker.max);
    worker_scaling.on_cpu(stack, 60);
    // About 100 waiting counts per worker.
    let depth_per_worker = queue_depth(&cfg.queue).stat(Stat::Average);
    worker_scaling.on_metric(stack, "QueueScaling", &depth_per_worker, 100);

    // Exactly these edges: both services reach Redis and MySQL, nothing else comes in.
    for service in [&api, &worker] {
        queue.connections().allow_from(stack, service, Port::REDIS);
        db.connections().allow_from(stack, service, Port::MYSQL);
    }

    // Alarms mail whoever is on call.
    let alarms = Topic::new(stack, "Alarms");
    if let Some(email) = &cfg.alarm_email {
        alarms.subscribe_email(stack, "AlarmsEmail", email);
    }
    alb.add_alarms(stack, &alarms);
    targets.add_alarms(stack, &alarms);
    api.add_alarms(stack, &alarms);
    worker.add_alarms(stack, &alarms);
    queue.add_alarms(stack, &alarms);
    db.add_alarms(stack, &alarms);
    Alarm::new(stack, "QueueDepthAlarm", &queue_depth(&cfg.queue), AlarmOptions { description: "More than 1000 counts waiting in the queue for 15 minutes: the worker cannot keep up".to_owned(), threshold: Threshold::Above(1000.0), periods: 3, notify: Some(alarms.clone()) });

    Dashboard::new(
        stack,
        "Dashboard",
        &[
            Graph::new("Requests", vec![alb.metric("RequestCount")]),
            Graph::new(
                "Server errors",
                vec![
                    alb.metric("HTTPCode_ELB_5XX_Count"),
                    alb.metric("HTTPCode_Target_5XX_Count"),
                ],
            ),
            Graph::new(
                "Latency (s)",
                vec![alb.metric("TargetResponseTime").stat(Stat::Average)],
            ),
            Graph::new("Queue depth", vec![queue_depth(&cfg.queue)]),
            Graph::new(
                "Service CPU (%)",
                vec![
                    api.metric("CPUUtilization"),
                    worker.metric("CPUUtilization"),
                ],
            ),
            Graph::new(
                "Service memory (%)",
                vec![
                    api.metric("MemoryUtilization"),
                    worker.metric("MemoryUtilization"),
                ],
            ),
            Graph::new("Database CPU (%)", vec![db.metric("CPUUtilization")]),
            Graph::new(
                "Database connections",
                vec![db.metric("DatabaseConnections")],
            ),
        ],
    );

    let (api_url, about) = if alb.is_https() {
        (
            alb.url(),
            "The API at its own domain, over HTTPS (also at SiteUrl/count)",
        )
    } else {
        (
            site.url(),
            "The API through CloudFront, over HTTPS (the load balancer admits only CloudFront)",
        )
    };
    stack.output("ApiUrl", api_url).description = Some(about.to_owned());
    stack.output("SiteUrl", site.url());
    // The page calls its own origin, which routes the API's paths to the load balancer.
    site.config_from_output(stack, "apiUrl", "SiteUrl");
    stack.output("SiteBucket", site.bucket().name()).description = Some(
        "Holds the web page: after this stack deploys, stackcraft deploy publishes the page's \
         files here with config.json written from the outputs (apiUrl = SiteUrl), removes files \
         no longer in the page, and invalidates the changed paths in CloudFront"
            .to_owned(),
    );
    Ok(())
}

/// Why the distribution of page and API goes without what some checks ask for.
fn site_checks(stack: &mut Stack, site: &StaticSite, cfg: &Settings, api_https: bool) {
    let distribution = site.target().clone();
    if !api_https {
        stack.suppress(
            &distribution,
            "SC-CF-005",
            "No api_domain is configured, so the load balancer has no certificate: CloudFront reaches it over HTTP, and the load balancer admits nothing but CloudFront's origin-facing servers. Configure api_domain for HTTPS to the origin.",
        );
    }
    if cfg.web_acl_id.is_none() {
        stack.suppress(
            &distribution,
            "CKV_AWS_68",
            "No web_acl_id is configured: the page is static and the API takes one integer per request behind autoscaled tasks; a web ACL for CloudFront lives in us-east-1 and costs per request, so it is the operator's choice (set web_acl_id).",
        );
    }
    stack.suppress(
        &distribution,
        "CKV_AWS_310",
        "Two origins in one region: the page's bucket (S3's durability) and the API's load balancer across every zone of the VPC; there is no second region to fail over to.",
    );
}

/// Counts waiting in the queue: published by the worker (CloudWatch embedded metric format
/// in its logs) as `Counter/QueueDepth` with dimension `Queue`.
fn queue_depth(queue: &str) -> Metric {
    Metric::new(metric::NAMESPACE, metric::QUEUE_DEPTH)
        .dimension(metric::QUEUE_DIMENSION, queue)
        .stat(Stat::Maximum)
}

fn domain(name: &str, hosted_zone_id: &str) -> Domain {
    Domain {
        name: name.to_owned(),
        hosted_zone_id: hosted_zone_id.to_owned(),
    }
}

fn size(service: &Service) -> FargateTaskOptions {
    FargateTaskOptions {
        cpu: service.cpu,
        memory: Memory::mib(service.memory),
        ..FargateTaskOptions::default()
    }
}
