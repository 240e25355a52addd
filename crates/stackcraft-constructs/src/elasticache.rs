//! ElastiCache in isolated subnets, encrypted in transit:
//! - `Redis`: a replication group encrypted at rest, with an AUTH token generated in Secrets
//!   Manager; one node in dev, a replica with automatic failover and Multi-AZ where the
//!   environment is highly available, snapshots where it is protected. Or, with
//!   [`RedisMode::Serverless`], ElastiCache Serverless: capacity that follows the load (within
//!   optional limits), always Multi-AZ, the same generated password as its default user's;
//! - `Memcached`: a cluster of nodes spread over the zones where highly available;
//! - `Cache`: either, for architectures where the engine is a setting.

use stackcraft_core::template::{sub_with, Expr, Target};
use stackcraft_core::Stack;
use stackcraft_resources::elasticache::serverless_cache::{
    CacheUsageLimits, DataStorage, EcpuPerSecond,
};
use stackcraft_resources::elasticache::user::{AuthenticationMode, Engine};
use stackcraft_resources::elasticache::{
    self as l1, CacheClusterRef, ReplicationGroupRef, ServerlessCacheRef, SubnetGroupRef,
};

use crate::cloudwatch::{Alarm, AlarmOptions, Metric, Stat, Threshold};
use crate::ec2::{Connections, HasConnections, Port, SecurityGroup, SubnetKind, Vpc};
use crate::ecs::{Connectable, ContainerSecret, Endpoint};
use crate::secretsmanager::{Generated, Secret};
use crate::sns::Topic;

/// How the Redis capacity is provided.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum RedisMode {
    /// A replication group of fixed nodes (`node_type`, `nodes`): a primary that takes every
    /// write, replicas for failover. Cheapest for small steady loads (one `cache.t4g.micro`).
    #[default]
    ReplicationGroup,
    /// ElastiCache Serverless: storage and compute follow the load, within the limits given
    /// (none: AWS's own). Billed per GB-hour stored (at least 1 GB) and per ECPU.
    Serverless {
        /// The most data it may hold, in GB (1 to 5000).
        max_storage_gb: Option<u32>,
        /// The most ElastiCache Processing Units per second (1000 to 15000000).
        max_ecpu_per_second: Option<u32>,
    },
}

/// Choices that differ from the environment's defaults.
#[derive(Clone, Debug, Default)]
pub struct RedisOptions {
    /// A replication group (default) or serverless.
    pub mode: RedisMode,
    /// Default `cache.t4g.micro`; `cache.t4g.small` where highly available (replication
    /// group only).
    pub node_type: Option<String>,
    /// Nodes: the primary and its replicas (default: 2 where highly available, 1 otherwise;
    /// replication group only).
    pub nodes: Option<u32>,
    /// Days of daily snapshots kept (default: 7 where protected, 0 otherwise).
    pub snapshot_days: Option<u32>,
}

/// The Redis resource behind the handle.
#[derive(Clone, Debug, PartialEq)]
enum Deployment {
    Group {
        group: ReplicationGroupRef,
        nodes: u32,
    },
    Serverless {
        cache: ServerlessCacheRef,
    },
}

/// A Redis handle.
#[derive(Clone, Debug, PartialEq)]
pub struct Redis {
    deployment: Deployment,
    security_group: SecurityGroup,
    auth: Secret,
    path: String,
}

impl Redis {
    pub fn new(stack: &mut Stack, id: &str, vpc: &Vpc, options: RedisOptions) -> Redis {
        if let RedisMode::Serverless {
            max_storage_gb,
            max_ecpu_per_second,
        } = &options.mode
        {
            return Redis::serverless(
                stack,
                id,
                vpc,
                &options,
                *max_storage_gb,
                *max_ecpu_per_second,
            );
        }
        let env = stack.env().clone();
        let (ha, protected) = (env.is_highly_available(), env.is_protected());
        let path = stack.path_of(id);
        let nodes = options.nodes.unwrap_or(if ha { 2 } else { 1 });
        let failover = nodes > 1;
        let (auth, security_group, subnets) = stack.scope(id, |s| {
            // AUTH tokens are 16 to 128 printable characters without / " @ or spaces.
            let auth =
                Secret::generated(s, "AuthToken", Generated::password("Redis AUTH token", 64));
            let group = SecurityGroup::new(s, "SecurityGroup", vpc, &format!("Redis {id}"));
            (auth, group, isolated_subnet_group(s, vpc))
        });
        let node_type = options.node_type.clone().unwrap_or_else(|| {
            if ha {
                "cache.t4g.small".to_owned()
            } else {
                "cache.t4g.micro".to_owned()
            }
        });
        let snapshot_days = options
            .snapshot_days
            .unwrap_or(if protected { 7 } else { 0 });
        let group = l1::ReplicationGroup::new(format!("Redis {id}"))
            .engine("redis")
            .engine_version("7.1")
            .cache_node_type(node_type.as_str())
            .num_cache_clusters(nodes)
            .automatic_failover_enabled(failover)
            .multi_az_enabled(failover)
            .at_rest_encryption_enabled(true)
            .transit_encryption_enabled(true)
            .auth_token(auth.resolve(None))
            .port(6379)
            .auto_minor_version_upgrade(true)
            .snapshot_retention_limit(snapshot_days)
            .cache_subnet_group_name(subnets.ref_())
            .security_group_ids(vec![security_group.id()]);
        let group = stack.add(id, group);
        let policy = if snapshot_days > 0 {
            env.snapshot_policy()
        } else {
            env.removal_policy()
        };
        stack.set_removal_policy(group.target(), policy);
        stack.suppress(
            auth.target(),
            "CKV_AWS_304",
            "A Redis AUTH token changes through a ModifyReplicationGroup with a rotate strategy, which no hosted rotation function performs; the token never leaves Secrets Manager and the cache admits only the stack's services on 6379.",
        );
        Redis {
            deployment: Deployment::Group { group, nodes },
            security_group,
            auth,
            path,
        }
    }

    /// ElastiCache Serverless in the isolated subnets; clients authenticate as its `default`
    /// user with the generated password (the same contract as a replication group's token).
    fn serverless(
        stack: &mut Stack,
        id: &str,
        vpc: &Vpc,
        options: &RedisOptions,
        max_storage_gb: Option<u32>,
        max_ecpu_per_second: Option<u32>,
    ) -> Redis {
        let env = stack.env().clone();
        let path = stack.path_of(id);
        for (setting, given) in [
            ("node_type", options.node_type.is_some()),
            ("nodes", options.nodes.is_some()),
        ] {
            if given {
                stack.error(&path, format!("{setting} is a setting of a replication group; a serverless cache sizes itself"));
            }
        }
        if max_storage_gb.is_some_and(|gb| !(1..=5000).contains(&gb)) {
            stack.error(&path, "max_storage_gb must be 1 to 5000".to_owned());
        }
        if max_ecpu_per_second.is_some_and(|e| !(1000..=15_000_000).contains(&e)) {
            stack.error(
                &path,
                "max_ecpu_per_second must be 1000 to 15000000".to_owned(),
            );
        }
        // Names of serverless caches, users and groups: lowercase letters, digits, hyphens.
        let name = resource_name(&format!("{}-{id}", stack.deployed_name()));
        let snapshot_days = options
            .snapshot_days
            .unwrap_or(if env.is_protected() { 7 } else { 0 });
        let (auth, security_group, group) = stack.scope(id, |s| {
            let auth =
                Secret::generated(s, "AuthToken", Generated::password("Redis AUTH token", 64));
            let security_group =
                SecurityGroup::new(s, "SecurityGroup", vpc, &format!("Redis {id}"));
            // A user group must hold a user named `default`: it is the one clients log in as.
            let user = s.add(
                "DefaultUser",
                l1::User::new(Engine::Redis, format!("{name}-default"), "default")
                    .access_string("on ~* +@all")
                    .authentication_mode(
                        AuthenticationMode::new("password").passwords(vec![auth.resolve(None)]),
                    ),
            );
            let group = s.add(
                "UserGroup",
                l1::UserGroup::new(
                    stackcraft_resources::elasticache::user_group::Engine::Redis,
                    name.as_str(),
                    vec![user.ref_()],
                ),
            );
            (auth, security_group, group)
        });
        let mut cache = l1::ServerlessCache::new("redis", name.as_str())
            .description(format!("Redis {id}"))
            .major_engine_version("7")
            .subnet_ids(vpc.subnet_ids(SubnetKind::Isolated))
            .security_group_ids(vec![security_group.id()])
            .user_group_id(group.ref_())
            .snapshot_retention_limit(i64::from(snapshot_days));
        if max_storage_gb.is_some() || max_ecpu_per_second.is_some() {
            let mut limits = CacheUsageLimits::new();
            if let Some(gb) = max_storage_gb {
                limits = limits.data_storage(DataStorage::new("GB").maximum(i64::from(gb)));
            }
            if let Some(ecpu) = max_ecpu_per_second {
                limits = limits.ecpu_per_second(EcpuPerSecond::new().maximum(i64::from(ecpu)));
            }
            cache = cache.cache_usage_limits(limits);
        }
        let cache = stack.add(id, cache);
        // CloudFormation keeps no final snapshot of a serverless cache: retain it instead.
        stack.set_removal_policy(cache.target(), env.removal_policy());
        stack.suppress(
            auth.target(),
            "CKV_AWS_304",
            "The password of the cache's default user changes through ModifyUser, which no hosted rotation function performs; it never leaves Secrets Manager and the cache admits only the stack's services on 6379.",
        );
        Redis {
            deployment: Deployment::Serverless { cache },
            security_group,
            auth,
            path,
        }
    }

    pub fn target(&self) -> &Target {
        match &self.deployment {
            Deployment::Group { group, .. } => group.target(),
            Deployment::Serverless { cache } => cache.target(),
        }
    }

    /// Whether it is ElastiCache Serverless.
    pub fn is_serverless(&self) -> bool {
        matches!(self.deployment, Deployment::Serverless { .. })
    }

    /// A metric of node `n` (1-based: `<group>-001` is the first) of a replication group, or of
    /// the whole serverless cache, averaged.
    pub fn node_metric(&self, n: u32, name: &str) -> Metric {
        let metric = Metric::new("AWS/ElastiCache", name).stat(Stat::Average);
        match &self.deployment {
            Deployment::Group { .. } => {
                let cluster = sub_with(format!("${{Group}}-{n:03}"), [("Group", self.id())]);
                metric.dimension("CacheClusterId", cluster)
            }
            Deployment::Serverless { cache } => metric.dimension("clusterId", cache.ref_()),
        }
    }

    /// Alarms to `topic`. A replication group, for every node: engine CPU or memory above 80%
    /// for 15 minutes, and any eviction (a queue must never lose a message to memory
    /// pressure). A serverless cache: any throttled command (it hit its ECPU limit) and any
    /// eviction (it hit its storage limit).
    pub fn add_alarms(&self, stack: &mut Stack, topic: &Topic) {
        let nodes = match &self.deployment {
            Deployment::Group { nodes, .. } => *nodes,
            Deployment::Serverless { .. } => {
                stack.scope(&self.path, |s| {
                    for (id, metric, what) in [
                        ("ThrottledAlarm", "ThrottledCmds", "throttled commands: it reached its ECPU limit"),
                        ("EvictionsAlarm", "Evictions", "evicted keys (queued messages may be lost): it reached its storage limit"),
                    ] {
                        Alarm::new(
                            s,
                            id,
                            &self.node_metric(1, metric).stat(Stat::Sum),
                            AlarmOptions {
                                description: format!("Redis {what}"),
                                threshold: Threshold::Above(0.0),
                                periods: 1,
                                notify: Some(topic.clone()),
                            },
                        );
                    }
                });
                return;
            }
        };
        stack.scope(&self.path, |s| {
            for n in 1..=nodes {
                Alarm::new(
                    s,
                    &format!("Node{n}CpuAlarm"),
                    &self.node_metric(n, "EngineCPUUtilization"),
                    AlarmOptions {
                        description: format!("Redis node {n}: engine CPU above 80% for 15 minutes"),
                        threshold: Threshold::Above(80.0),
                        periods: 3,
                        notify: Some(topic.clone()),
                    },
                );
                Alarm::new(
                    s,
                    &format!("Node{n}MemoryAlarm"),
                    &self.node_metric(n, "DatabaseMemoryUsagePercentage"),
                    AlarmOptions {
                        description: format!("Redis node {n}: memory above 80% for 15 minutes"),
                        threshold: Threshold::Above(80.0),
                        periods: 3,
                        notify: Some(topic.clone()),
                    },
                );
                Alarm::new(
                    s,
                    &format!("Node{n}EvictionsAlarm"),
                    &self.node_metric(n, "Evictions").stat(Stat::Sum),
                    AlarmOptions {
                        description: format!(
                            "Redis node {n} evicted keys: queued messages may be lost"
                        ),
                        threshold: Threshold::Above(0.0),
                        periods: 1,
                        notify: Some(topic.clone()),
                    },
                );
            }
        });
    }

    /// The replication group id (`Ref`): with `-001` etc. the `CacheClusterId` of its nodes;
    /// the serverless cache's name.
    pub fn id(&self) -> Expr<String> {
        match &self.deployment {
            Deployment::Group { group, .. } => group.ref_(),
            Deployment::Serverless { cache } => cache.ref_(),
        }
    }

    /// The primary (or serverless) endpoint's host name.
    pub fn host(&self) -> Expr<String> {
        match &self.deployment {
            Deployment::Group { group, .. } => group.primary_end_point_address(),
            Deployment::Serverless { cache } => cache.endpoint_address(),
        }
    }

    pub fn port(&self) -> Expr<String> {
        match &self.deployment {
            Deployment::Group { group, .. } => group.primary_end_point_port(),
            Deployment::Serverless { cache } => cache.endpoint_port(),
        }
    }

    /// The AUTH token (a plain-string secret); clients connect with TLS and this password.
    pub fn auth_token(&self) -> &Secret {
        &self.auth
    }
}

impl Connectable for Redis {
    /// The primary's endpoint; TLS and the AUTH token are always required.
    fn client_endpoint(&self) -> Endpoint {
        Endpoint {
            host: self.host(),
            port: self.port(),
            username: None,
            password: Some(ContainerSecret::new(&self.auth, None)),
            tls: true,
        }
    }
}

impl HasConnections for Redis {
    fn connections(&self) -> Connections {
        self.security_group.connections()
    }
}

/// `Counter-Dev-Queue` → `counter-dev-queue`: lowercase letters, digits and single hyphens,
/// starting with a letter, at most 40 characters (ElastiCache's names and ids).
fn resource_name(raw: &str) -> String {
    let mut name = String::new();
    for c in raw.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            name.push(c);
        } else if !name.ends_with('-') && !name.is_empty() {
            name.push('-');
        }
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        name.insert_str(0, "r-");
    }
    // Room for the `-default` of the user id.
    name.truncate(31);
    name.trim_end_matches('-').to_owned()
}

/// The subnet group of a cache: the isolated subnets (created in the current scope).
fn isolated_subnet_group(s: &mut Stack, vpc: &Vpc) -> SubnetGroupRef {
    s.add(
        "SubnetGroup",
        l1::SubnetGroup::new(
            "Isolated subnets of the cache",
            vpc.subnet_ids(SubnetKind::Isolated),
        ),
    )
}

/// Choices for a Memcached cluster.
#[derive(Clone, Debug, Default)]
pub struct MemcachedOptions {
    /// Default `cache.t4g.micro`; `cache.t4g.small` where highly available.
    pub node_type: Option<String>,
    /// Nodes (default: one per zone where highly available, 1 otherwise).
    pub nodes: Option<u32>,
}

/// A Memcached cluster handle. Memcached has no authentication: only the security group
/// decides who connects (over TLS).
#[derive(Clone, Debug, PartialEq)]
pub struct Memcached {
    cluster: CacheClusterRef,
    security_group: SecurityGroup,
    path: String,
}

impl Memcached {
    pub fn new(stack: &mut Stack, id: &str, vpc: &Vpc, options: MemcachedOptions) -> Memcached {
        let env = stack.env().clone();
        let ha = env.is_highly_available();
        let path = stack.path_of(id);
        let (security_group, subnets) = stack.scope(id, |s| {
            let group = SecurityGroup::new(s, "SecurityGroup", vpc, &format!("Memcached {id}"));
            (group, isolated_subnet_group(s, vpc))
        });
        let nodes = options
            .nodes
            .unwrap_or(if ha { vpc.az_count() as u32 } else { 1 });
        let node_type = options.node_type.clone().unwrap_or_else(|| {
            if ha {
                "cache.t4g.small".to_owned()
            } else {
                "cache.t4g.micro".to_owned()
            }
        });
        let az_mode = if nodes > 1 { "cross-az" } else { "single-az" };
        let cluster = l1::CacheCluster::new(node_type.as_str(), "memcached", i64::from(nodes))
            .engine_version("1.6.22")
            .az_mode(az_mode)
            .port(i64::from(Port::MEMCACHED.from))
            .transit_encryption_enabled(true)
            .auto_minor_version_upgrade(true)
            .cache_subnet_group_name(subnets.ref_())
            .vpc_security_group_ids(vec![security_group.id()]);
        let cluster = stack.add(id, cluster);
        Memcached {
            cluster,
            security_group,
            path,
        }
    }

    pub fn target(&self) -> &Target {
        self.cluster.target()
    }

    /// The configuration endpoint's host name (clients discover the nodes from it).
    pub fn host(&self) -> Expr<String> {
        self.cluster.configuration_endpoint_address()
    }

    pub fn port(&self) -> Expr<String> {
        self.cluster.configuration_endpoint_port()
    }

    /// A metric of the cluster (`AWS/ElastiCache`, by `CacheClusterId`), averaged.
    pub fn metric(&self, name: &str) -> Metric {
        Metric::new("AWS/ElastiCache", name)
            .dimension("CacheClusterId", self.cluster.ref_())
            .stat(Stat::Average)
    }

    /// Alarms to `topic`: CPU above 80% for 15 minutes.
    pub fn add_alarms(&self, stack: &mut Stack, topic: &Topic) {
        stack.scope(&self.path, |s| {
            Alarm::new(
                s,
                "CpuAlarm",
                &self.metric("CPUUtilization"),
                AlarmOptions {
                    description: "Memcached CPU above 80% for 15 minutes".to_owned(),
                    threshold: Threshold::Above(80.0),
                    periods: 3,
                    notify: Some(topic.clone()),
                },
            );
        });
    }
}

impl Connectable for Memcached {
    /// The configuration endpoint over TLS, no credentials.
    fn client_endpoint(&self) -> Endpoint {
        Endpoint {
            host: self.host(),
            port: self.port(),
            username: None,
            password: None,
            tls: true,
        }
    }
}

impl HasConnections for Memcached {
    fn connections(&self) -> Connections {
        self.security_group.connections()
    }
}

/// A cache whose engine is a choice of the architecture (a setting).
#[derive(Clone, Debug, PartialEq)]
pub enum Cache {
    Redis(Redis),
    Memcached(Memcached),
}

impl Cache {
    /// The host clients connect to: the primary (Redis) or the configuration endpoint.
    pub fn host(&self) -> Expr<String> {
        match self {
            Cache::Redis(redis) => redis.host(),
            Cache::Memcached(memcached) => memcached.host(),
        }
    }

    /// The engine's port.
    pub fn engine_port(&self) -> Port {
        match self {
            Cache::Redis(_) => Port::REDIS,
            Cache::Memcached(_) => Port::MEMCACHED,
        }
    }

    pub fn add_alarms(&self, stack: &mut Stack, topic: &Topic) {
        match self {
            Cache::Redis(redis) => redis.add_alarms(stack, topic),
            Cache::Memcached(memcached) => memcached.add_alarms(stack, topic),
        }
    }
}

impl Connectable for Cache {
    fn client_endpoint(&self) -> Endpoint {
        match self {
            Cache::Redis(redis) => redis.client_endpoint(),
            Cache::Memcached(memcached) => memcached.client_endpoint(),
        }
    }
}

impl HasConnections for Cache {
    fn connections(&self) -> Connections {
        match self {
            Cache::Redis(redis) => redis.connections(),
            Cache::Memcached(memcached) => memcached.connections(),
        }
    }
}
