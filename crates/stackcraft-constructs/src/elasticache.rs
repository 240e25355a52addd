//! ElastiCache in isolated subnets, encrypted in transit:
//! - `Redis`: a replication group encrypted at rest, with an AUTH token generated in Secrets
//!   Manager; one node in dev, a replica with automatic failover and Multi-AZ where the
//!   environment is highly available, snapshots where it is protected;
//! - `Memcached`: a cluster of nodes spread over the zones where highly available;
//! - `Cache`: either, for architectures where the engine is a setting.

use stackcraft_core::template::{sub_with, Expr, Target};
use stackcraft_core::Stack;
use stackcraft_resources::elasticache::{
    self as l1, CacheClusterRef, ReplicationGroupRef, SubnetGroupRef,
};

use crate::cloudwatch::{Alarm, AlarmOptions, Metric, Stat, Threshold};
use crate::ec2::{Connections, HasConnections, Port, SecurityGroup, SubnetKind, Vpc};
use crate::ecs::{Connectable, ContainerSecret, Endpoint};
use crate::secretsmanager::{Generated, Secret};
use crate::sns::Topic;

/// Choices that differ from the environment's defaults.
#[derive(Clone, Debug, Default)]
pub struct RedisOptions {
    /// Default `cache.t4g.micro`; `cache.t4g.small` where highly available.
    pub node_type: Option<String>,
    /// Nodes: the primary and its replicas (default: 2 where highly available, 1 otherwise).
    pub nodes: Option<u32>,
    /// Days of daily snapshots kept (default: 7 where protected, 0 otherwise).
    pub snapshot_days: Option<u32>,
}

/// A Redis handle.
#[derive(Clone, Debug, PartialEq)]
pub struct Redis {
    group: ReplicationGroupRef,
    security_group: SecurityGroup,
    auth: Secret,
    path: String,
    nodes: u32,
}

impl Redis {
    pub fn new(stack: &mut Stack, id: &str, vpc: &Vpc, options: RedisOptions) -> Redis {
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
            group,
            security_group,
            auth,
            path,
            nodes,
        }
    }

    pub fn target(&self) -> &Target {
        self.group.target()
    }

    /// A metric of node `n` (1-based: `<group>-001` is the first), averaged.
    pub fn node_metric(&self, n: u32, name: &str) -> Metric {
        let cluster = sub_with(format!("${{Group}}-{n:03}"), [("Group", self.id())]);
        Metric::new("AWS/ElastiCache", name)
            .dimension("CacheClusterId", cluster)
            .stat(Stat::Average)
    }

    /// Alarms to `topic`, for every node: engine CPU or memory above 80% for 15 minutes, and
    /// any eviction (a queue must never lose a message to memory pressure).
    pub fn add_alarms(&self, stack: &mut Stack, topic: &Topic) {
        stack.scope(&self.path, |s| {
            for n in 1..=self.nodes {
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

    /// The replication group id (`Ref`): with `-001` etc. the `CacheClusterId` of its nodes.
    pub fn id(&self) -> Expr<String> {
        self.group.ref_()
    }

    /// The primary endpoint's host name.
    pub fn host(&self) -> Expr<String> {
        self.group.primary_end_point_address()
    }

    pub fn port(&self) -> Expr<String> {
        self.group.primary_end_point_port()
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
