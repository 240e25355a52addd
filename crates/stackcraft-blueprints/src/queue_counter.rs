//! `queue-counter` (seed 002): a producer API behind a load balancer pushes counts onto a
//! Redis queue; a worker moves them into MySQL; a web page on S3 + CloudFront calls the API.
//!
//! ```text
//!  browser ──► CloudFront ──► S3 (web page, config.json → API URL)
//!     │
//!     └──► ALB :80/:443 ──► api (Fargate, counter api :5080) ──► Redis :6379 ◄── worker
//!                                      └──────────► MySQL :3306 ◄─────────────┘
//! ```
//!
//! Everything that differs between environments (zones, NAT gateways, Multi-AZ, failover,
//! protection, retention, task counts) comes from the constructs' defaults for the
//! environment: prod is highly available across three zones, the others cheap across two.
//!
//! The container image defaults to the `counter` binary of `apps/counter`, built statically into
//! an OCI image at synth, pushed by deploy to the environment's bootstrap image repository and
//! named by digest in the task definitions; set `image` to run any image URI instead.

use std::path::PathBuf;

use serde::Deserialize;
use stackcraft_config::ConfigError;
use stackcraft_constructs::cloudfront::{SiteOptions, StaticSite};
use stackcraft_constructs::cloudwatch::{Alarm, Metric, Stat, Threshold};
use stackcraft_constructs::dns::Domain;
use stackcraft_constructs::ec2::{HasConnections, Port, Vpc, VpcOptions};
use stackcraft_constructs::ecs::{
    Cluster, Container, ContainerCondition, ContainerSecret, FargateService, FargateTaskOptions,
    Image, RustImage, ServiceOptions, TaskDefinition,
};
use stackcraft_constructs::elasticache::{Redis, RedisOptions};
use stackcraft_constructs::elbv2::{AlbOptions, ApplicationLoadBalancer};
use stackcraft_constructs::rds::{Database, DatabaseOptions};
use stackcraft_constructs::servicediscovery::PrivateDnsNamespace;
use stackcraft_constructs::sns::Topic;
use stackcraft_core::template::{join, pseudo, Expr, Map, Tagging};
use stackcraft_core::Stack;

use crate::{Blueprint, Context};

/// The port the counter's API (and the worker's health endpoint) listens on.
const HTTP_PORT: u16 = 5080;
/// The database the worker writes and the API reads.
const DATABASE: &str = "counter";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    /// The counter's container image (default: the `counter` binary of `apps/counter`, built).
    image: Option<String>,
    /// The web page's directory, relative to the project's root.
    #[serde(default = "default_site")]
    site: PathBuf,
    /// Name of the Redis stream the API writes and the worker reads.
    #[serde(default = "default_queue")]
    queue: String,
    /// Serve the API at this domain, over HTTPS (certificate and record are created).
    api_domain: Option<DomainSettings>,
    /// Serve the web page at this domain.
    site_domain: Option<SiteDomainSettings>,
    /// Who is mailed when an alarm fires.
    alarm_email: Option<String>,
    /// NAT gateways (default: one per zone in prod, one otherwise; zero is allowed).
    nat_gateways: Option<u8>,
    #[serde(default = "Service::api")]
    api: Service,
    #[serde(default = "Service::worker")]
    worker: Service,
    #[serde(default)]
    database: DatabaseSettings,
    #[serde(default)]
    redis: RedisSettings,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DomainSettings {
    name: String,
    hosted_zone_id: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SiteDomainSettings {
    name: String,
    hosted_zone_id: String,
    /// A certificate of us-east-1 for `name` (CloudFront takes no other region's).
    certificate_arn: Option<String>,
}

/// Size and scaling of one service.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Service {
    cpu: u32,
    memory: u32,
    /// Tasks at least (default: one per zone in prod, one otherwise).
    min: Option<u32>,
    max: u32,
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

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DatabaseSettings {
    instance_class: Option<String>,
    storage: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RedisSettings {
    node_type: Option<String>,
}

fn default_site() -> PathBuf {
    PathBuf::from("apps/counter/web")
}

fn default_queue() -> String {
    "counts".to_owned()
}

pub const QUEUE_COUNTER: Blueprint = Blueprint {
    name: "queue-counter",
    summary: "ALB → producer API on Fargate → Redis queue → worker → MySQL; web page on CloudFront",
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
    let queue = Redis::new(
        stack,
        "Queue",
        &vpc,
        RedisOptions {
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
            storage: cfg.database.storage.unwrap_or(20),
            database_name: DATABASE.to_owned(),
            username: "counter".to_owned(),
            ..DatabaseOptions::default()
        },
    );
    let image = match &cfg.image {
        Some(uri) => Image::Uri(uri.clone()),
        None => RustImage::new("apps/counter", "counter", "counter")
            .port(HTTP_PORT)
            .build(stack),
    };

    // The API behind the load balancer, the web page in front of it.
    let alb = ApplicationLoadBalancer::new(
        stack,
        "LoadBalancer",
        &vpc,
        AlbOptions {
            domain: cfg
                .api_domain
                .as_ref()
                .map(|d| domain(&d.name, &d.hosted_zone_id)),
            ..AlbOptions::default()
        },
    );
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
            connect_to: vec![alb.url()],
            ..SiteOptions::default()
        },
    );

    // The services: same image, same configuration, different command.
    let cluster = Cluster::new(stack, "Cluster", &vpc);
    let namespace = PrivateDnsNamespace::new(stack, "Discovery", "counter.internal", &vpc);
    let counter = |name: &str, command: &str| {
        Container::new(name, image.clone())
            .command(&[command])
            .env("HTTP_PORT", HTTP_PORT.to_string())
            .env("LOG_FORMAT", "json")
            .env("REDIS_HOST", queue.host())
            .env("REDIS_PORT", queue.port())
            .env("REDIS_TLS", "true")
            .env("REDIS_CLUSTER", "false")
            .env("REDIS_QUEUE", cfg.queue.as_str())
            .env("MYSQL_HOST", db.endpoint())
            .env("MYSQL_PORT", db.port())
            .env("MYSQL_TLS", "true")
            .env("MYSQL_DATABASE", DATABASE)
            .env("MIGRATE_ON_START", "false")
            .env("CORS_ALLOW_ORIGINS", site.url())
            .secret(
                "REDIS_PASSWORD",
                ContainerSecret::new(queue.auth_token(), None),
            )
            .secret(
                "MYSQL_USER",
                ContainerSecret::new(db.secret(), Some("username")),
            )
            .secret(
                "MYSQL_PASSWORD",
                ContainerSecret::new(db.secret(), Some("password")),
            )
    };

    let targets = alb.forward_to(stack, "ApiTargets", &vpc, HTTP_PORT, "/health");
    let mut api_task = TaskDefinition::fargate(stack, "ApiTask", size(&cfg.api));
    api_task.add_container(stack, counter("api", "api").port(HTTP_PORT));
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
    worker_task.add_container(stack, counter("migrate", "migrate").not_essential());
    worker_task.add_container(
        stack,
        counter("worker", "worker")
            .port(HTTP_PORT)
            .after("migrate", ContainerCondition::Success),
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
    let depth = queue_depth(&cfg.queue);
    let dimensions: Vec<(&str, Expr<String>)> = depth
        .dimensions
        .iter()
        .map(|(name, value)| (name.as_str(), value.clone()))
        .collect();
    worker_scaling.on_metric(
        stack,
        "QueueScaling",
        &depth.namespace,
        &depth.name,
        &dimensions,
        100,
    );

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
    Alarm::new(
        stack,
        "QueueDepthAlarm",
        "More than 1000 counts waiting in the queue for 15 minutes: the worker cannot keep up",
        &queue_depth(&cfg.queue),
        Threshold::Above(1000.0),
        3,
        &alarms,
    );

    dashboard(
        stack,
        "Dashboard",
        &[
            ("Requests", vec![alb.metric("RequestCount")]),
            (
                "Server errors",
                vec![
                    alb.metric("HTTPCode_ELB_5XX_Count"),
                    alb.metric("HTTPCode_Target_5XX_Count"),
                ],
            ),
            (
                "Latency (s)",
                vec![alb.metric("TargetResponseTime").stat(Stat::Average)],
            ),
            ("Queue depth", vec![queue_depth(&cfg.queue)]),
            (
                "Service CPU (%)",
                vec![
                    api.metric("CPUUtilization"),
                    worker.metric("CPUUtilization"),
                ],
            ),
            (
                "Service memory (%)",
                vec![
                    api.metric("MemoryUtilization"),
                    worker.metric("MemoryUtilization"),
                ],
            ),
            ("Database CPU (%)", vec![db.metric("CPUUtilization")]),
            (
                "Database connections",
                vec![db.metric("DatabaseConnections")],
            ),
        ],
    );

    stack.output("ApiUrl", alb.url()).description = Some(if alb.is_https() {
        "The API, over HTTPS".to_owned()
    } else {
        "The API over plain HTTP: no api_domain is configured, so there is no certificate"
            .to_owned()
    });
    stack.output("SiteUrl", site.url());
    stack.output("SiteBucket", site.bucket().name()).description =
        Some("Deploy uploads the web page and its config.json (apiUrl = ApiUrl) here".to_owned());
    Ok(())
}

/// Counts waiting in the queue: published by the worker (CloudWatch embedded metric format
/// in its logs) as `Counter/QueueDepth` with dimension `Queue`.
fn queue_depth(queue: &str) -> Metric {
    Metric::new("Counter", "QueueDepth")
        .dimension("Queue", queue)
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
        memory: service.memory,
        ..FargateTaskOptions::default()
    }
}

/// A CloudWatch dashboard of line graphs, two per row, one per `(title, metrics)`.
fn dashboard(stack: &mut Stack, id: &str, graphs: &[(&str, Vec<Metric>)]) {
    let text = |s: String| Expr::from(s);
    let mut body = vec![text("{\"widgets\":[".to_owned())];
    for (i, (title, metrics)) in graphs.iter().enumerate() {
        let (x, y) = ((i % 2) * 12, (i / 2) * 6);
        let separator = if i == 0 { "" } else { "," };
        body.push(text(format!(
            "{separator}{{\"type\":\"metric\",\"x\":{x},\"y\":{y},\"width\":12,\"height\":6,\"properties\":{{\"title\":{},\"view\":\"timeSeries\",\"region\":\"",
            serde_json::Value::from(*title)
        )));
        body.push(pseudo::region());
        body.push(text("\",\"metrics\":[".to_owned()));
        for (j, metric) in metrics.iter().enumerate() {
            let separator = if j == 0 { "" } else { "," };
            body.push(text(format!(
                "{separator}[\"{}\",\"{}\"",
                metric.namespace, metric.name
            )));
            for (name, value) in &metric.dimensions {
                body.push(text(format!(",\"{name}\",\"")));
                body.push(value.clone());
                body.push(text("\"".to_owned()));
            }
            let stat = format!("{:?}", metric.statistic);
            body.push(text(format!(
                ",{{\"stat\":\"{stat}\",\"period\":{}}}]",
                metric.period
            )));
        }
        body.push(text("]}}".to_owned()));
    }
    body.push(text("]}".to_owned()));
    let mut properties = Map::new();
    properties.insert("DashboardBody".to_owned(), join("", body).into());
    stack.add_raw(id, "AWS::CloudWatch::Dashboard", properties, Tagging::None);
}
