//! The settings of the container platform, as `stackcraft.toml` writes them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use stackcraft_config::settings::{one_of, SettingType};

stackcraft_config::settings! {
    #[derive(Debug)]
    pub(super) struct Settings {
        /// The private zone is `<zone>.internal` (default: the project's name).
        pub zone: Option<String>,
        /// IPv4 ranges allowed to SSH into the bastion (none: Session Manager only).
        pub ssh_from: Vec<String> = Vec::new(),
        /// The engine of the Magento cache.
        pub cache: Engine = Engine::Redis,
        /// The engine of the session store.
        pub session: Engine = Engine::Redis,
        /// Who is mailed when an alarm fires (default: nobody).
        pub alarm_email: Option<String>,
        /// NAT gateways (default: one per zone in ha environments, one otherwise).
        pub nat_gateways: Option<u8>,
        /// Sizes of the app clusters by name (a cluster an app names and this leaves out gets
        /// the defaults).
        pub clusters: BTreeMap<String, Cluster> = BTreeMap::new(),
        /// The apps: one Magento app on cluster `app` unless given.
        pub apps: Vec<App> = vec![App::named("magento")],
        /// Domains the apps are served at over HTTPS, by app name (an app left out: plain HTTP
        /// at its load balancer's name).
        pub domains: BTreeMap<String, Domain> = BTreeMap::new(),
        /// The Aurora MySQL cluster.
        pub database: Database,
        /// The Jenkins server.
        pub jenkins: Jenkins,
    }
}

#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(super) enum Engine {
    #[default]
    Redis,
    Memcached,
}

impl SettingType for Engine {
    fn type_name() -> String {
        one_of(&[Engine::Redis, Engine::Memcached])
    }
}

stackcraft_config::settings! {
    /// The app servers of one cluster.
    #[derive(Clone, Debug)]
    pub(super) struct Cluster {
        /// The EC2 instance type of the app servers.
        pub instance_type: String = "t3.large".to_owned(),
        /// Servers at least.
        pub min: u32 = 1,
        /// Servers at most (default: twice the desired count).
        pub max: Option<u32>,
    }
}

impl Default for Cluster {
    fn default() -> Self {
        Cluster::absent().expect("every key of a cluster has a default")
    }
}

stackcraft_config::settings! {
    /// One app: a task of containers behind its own load balancer.
    #[derive(Debug)]
    pub(super) struct App {
        /// The app's name (its load balancer, service and domain are named after it).
        pub name: String,
        /// The cluster it runs on.
        pub cluster: String = "app".to_owned(),
        /// Its containers; the first with a port serves the load balancer (default: Magento's
        /// nginx and PHP-FPM).
        pub containers: Option<Vec<Container>>,
        /// Add the Blackfire agent container (its credentials go into the
        /// `BlackfireCredentials` secret, never the template).
        pub blackfire: bool = false,
        /// The load balancer's health check path.
        pub health_path: String = "/health_check.php".to_owned(),
        /// CPU units of the task (1024 = 1 vCPU).
        pub cpu: u32 = 1024,
        /// Memory of the task in MiB.
        pub memory: u32 = 2048,
        /// Tasks at least (default: one per zone in ha environments, one otherwise).
        pub min: Option<u32>,
        /// Tasks at most.
        pub max: u32 = 6,
    }
}

impl App {
    /// An app with every default but its name, read as if the file wrote only `name`.
    fn named(name: &str) -> App {
        let written = serde::de::value::MapDeserializer::<_, serde::de::value::Error>::new(
            std::iter::once(("name", name)),
        );
        App::deserialize(written).expect("only an app's name is required")
    }
}

stackcraft_config::settings! {
    #[derive(Debug)]
    pub(super) struct Domain {
        /// The domain name.
        pub name: String,
        /// The Route 53 hosted zone that holds it.
        pub hosted_zone_id: String,
    }
}

stackcraft_config::settings! {
    /// One container of an app.
    #[derive(Clone, Debug)]
    pub(super) struct Container {
        /// The container's name.
        pub name: String,
        /// Any image URI (default: `latest` of a repository of this stack that Jenkins pushes
        /// to).
        pub image: Option<String>,
        /// The port it listens on (default: none).
        pub port: Option<u16>,
        /// The command (default: the image's).
        pub command: Vec<String> = Vec::new(),
        /// Environment variables.
        pub env: BTreeMap<String, String> = BTreeMap::new(),
        /// Hand it the database and cache connections.
        pub connect: bool = false,
        /// Mount the shared media at this path (default: not mounted).
        pub media: Option<String>,
        /// `uid:gid` to run as (default: an unprivileged user).
        pub user: Option<String>,
        /// Let it write outside `/tmp` and its mounts.
        pub writable_root: bool = false,
    }
}

stackcraft_config::settings! {
    #[derive(Debug)]
    pub(super) struct Database {
        /// The instance class of every instance (default `db.t4g.medium`; `db.r7g.large` in
        /// ha environments).
        pub instance_class: Option<String>,
        /// Readers beside the writer (default: one in ha environments, none otherwise).
        pub readers: Option<u32>,
    }
}

stackcraft_config::settings! {
    #[derive(Debug)]
    pub(super) struct Jenkins {
        /// The EC2 instance type of the Jenkins server.
        pub instance_type: String = "t3.medium".to_owned(),
        /// Size of the data volume (`/var/lib/jenkins`) in GiB.
        pub volume_gib: u32 = 50,
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
