//! The settings of the container platform, as `stackcraft.toml` writes them.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Settings {
    /// The private zone is `<zone>.internal` (default: the project's name).
    pub zone: Option<String>,
    /// IPv4 ranges allowed to SSH into the bastion (default none: Session Manager only).
    #[serde(default)]
    pub ssh_from: Vec<String>,
    /// The engine of the Magento cache (default `redis`).
    #[serde(default)]
    pub cache: Engine,
    /// The engine of the session store (default `redis`).
    #[serde(default)]
    pub session: Engine,
    /// Who is mailed when an alarm fires.
    pub alarm_email: Option<String>,
    /// NAT gateways (default: one per zone in prod, one otherwise).
    pub nat_gateways: Option<u8>,
    /// Sizes of the app clusters by name (default: [`Cluster::default`] for each cluster an
    /// app names).
    #[serde(default)]
    pub clusters: BTreeMap<String, Cluster>,
    /// The apps (default: one Magento app on cluster `app`).
    #[serde(default = "default_apps")]
    pub apps: Vec<App>,
    /// Domains the apps are served at over HTTPS, by app name (default: none, plain HTTP at
    /// the load balancer's name).
    #[serde(default)]
    pub domains: BTreeMap<String, Domain>,
    #[serde(default)]
    pub database: Database,
    #[serde(default)]
    pub jenkins: Jenkins,
}

#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(super) enum Engine {
    #[default]
    Redis,
    Memcached,
}

/// The app servers of one cluster.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Cluster {
    #[serde(default = "default_instance_type")]
    pub instance_type: String,
    /// Servers at least.
    #[serde(default = "one")]
    pub min: u32,
    /// Servers at most (default: twice the desired count).
    pub max: Option<u32>,
}

impl Default for Cluster {
    fn default() -> Self {
        Cluster {
            instance_type: default_instance_type(),
            min: 1,
            max: None,
        }
    }
}

/// One app: a task of containers behind its own load balancer.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct App {
    pub name: String,
    /// The cluster it runs on (default `app`).
    #[serde(default = "default_cluster")]
    pub cluster: String,
    /// Its containers; the first with a port serves the load balancer (default: Magento's
    /// nginx and PHP-FPM).
    pub containers: Option<Vec<Container>>,
    /// Add the Blackfire agent container (its credentials go into the `BlackfireCredentials`
    /// secret, never the template).
    #[serde(default)]
    pub blackfire: bool,
    /// The load balancer's health check path.
    #[serde(default = "default_health_path")]
    pub health_path: String,
    /// CPU units of the task (1024 = 1 vCPU).
    #[serde(default = "default_cpu")]
    pub cpu: u32,
    /// Memory of the task in MiB.
    #[serde(default = "default_memory")]
    pub memory: u32,
    /// Tasks at least (default: one per zone in prod, one otherwise).
    pub min: Option<u32>,
    #[serde(default = "default_max_tasks")]
    pub max: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Domain {
    pub name: String,
    pub hosted_zone_id: String,
}

/// One container of an app.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Container {
    pub name: String,
    /// Any image URI (default: `latest` of a repository of this stack that Jenkins pushes to).
    pub image: Option<String>,
    pub port: Option<u16>,
    #[serde(default)]
    pub command: Vec<String>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Hand it the database and cache connections.
    #[serde(default)]
    pub connect: bool,
    /// Mount the shared media at this path.
    pub media: Option<String>,
    /// `uid:gid` to run as (default: an unprivileged user).
    pub user: Option<String>,
    /// Let it write outside `/tmp` and its mounts.
    #[serde(default)]
    pub writable_root: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Database {
    pub instance_class: Option<String>,
    /// Readers beside the writer (default: one in prod, none otherwise).
    pub readers: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Jenkins {
    #[serde(default = "default_jenkins_type")]
    pub instance_type: String,
    /// Size of the data volume (`/var/lib/jenkins`) in GiB.
    #[serde(default = "default_jenkins_volume")]
    pub volume_gib: u32,
}

impl Default for Jenkins {
    fn default() -> Self {
        Jenkins {
            instance_type: default_jenkins_type(),
            volume_gib: default_jenkins_volume(),
        }
    }
}

/// Where Magento's document root is in the default images, and its media below it.
pub(super) const MEDIA_PATH: &str = "/var/www/html/pub/media";

/// Magento: nginx (static files, reverse proxy to PHP-FPM on localhost:9000 — one task shares
/// one network namespace) and PHP-FPM with the connections; both see the shared media.
pub(super) fn magento_containers() -> Vec<Container> {
    let container = |name: &str, port: u16| Container {
        name: name.to_owned(),
        image: None,
        port: Some(port),
        command: Vec::new(),
        env: BTreeMap::new(),
        connect: false,
        media: Some(MEDIA_PATH.to_owned()),
        user: None,
        writable_root: false,
    };
    let mut nginx = container("nginx", 8080);
    nginx
        .env
        .insert("FASTCGI_PASS".to_owned(), "127.0.0.1:9000".to_owned());
    let mut php = container("php-fpm", 9000);
    php.connect = true;
    vec![nginx, php]
}

fn default_apps() -> Vec<App> {
    vec![App {
        name: "magento".to_owned(),
        cluster: default_cluster(),
        containers: None,
        blackfire: false,
        health_path: default_health_path(),
        cpu: default_cpu(),
        memory: default_memory(),
        min: None,
        max: default_max_tasks(),
    }]
}

fn default_cluster() -> String {
    "app".to_owned()
}

fn default_instance_type() -> String {
    "t3.large".to_owned()
}

fn default_jenkins_type() -> String {
    "t3.medium".to_owned()
}

fn default_jenkins_volume() -> u32 {
    50
}

fn default_health_path() -> String {
    "/health_check.php".to_owned()
}

fn default_cpu() -> u32 {
    1024
}

fn default_memory() -> u32 {
    2048
}

fn default_max_tasks() -> u32 {
    6
}

fn one() -> u32 {
    1
}
