//! Cloud Map: a private DNS namespace in a VPC, and services that register their tasks in it.

use stackcraft_core::template::{Expr, Target};
use stackcraft_core::Stack;
use stackcraft_resources::servicediscovery::service::{
    DnsConfig, DnsRecord, HealthCheckCustomConfig, RoutingPolicy, Type,
};
use stackcraft_resources::servicediscovery::{self as l1, PrivateDnsNamespaceRef, ServiceRef};

use crate::ec2::Vpc;

/// A private DNS namespace (`counter.internal`), resolvable inside its VPC only.
#[derive(Clone, Debug, PartialEq)]
pub struct PrivateDnsNamespace {
    namespace: PrivateDnsNamespaceRef,
    name: String,
    path: String,
}

impl PrivateDnsNamespace {
    pub fn new(stack: &mut Stack, id: &str, name: &str, vpc: &Vpc) -> PrivateDnsNamespace {
        let path = stack.path_of(id);
        let namespace = stack.add(
            id,
            l1::PrivateDnsNamespace::new(name)
                .vpc(vpc.id())
                .description("Service discovery for the stack's services"),
        );
        PrivateDnsNamespace {
            namespace,
            name: name.to_owned(),
            path,
        }
    }

    pub fn target(&self) -> &Target {
        self.namespace.target()
    }

    pub fn id(&self) -> Expr<String> {
        self.namespace.id()
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// A service `name` in this namespace: tasks registered in it resolve as
    /// `name.<namespace>` (A records, one per healthy task).
    pub fn add_service(&self, stack: &mut Stack, id: &str, name: &str) -> DiscoveryService {
        let records = DnsConfig::new(vec![DnsRecord::new(10, Type::A)])
            .routing_policy(RoutingPolicy::Multivalue);
        let service = l1::Service::new()
            .name(name)
            .namespace_id(self.id())
            .dns_config(records)
            .health_check_custom_config(HealthCheckCustomConfig::new().failure_threshold(1));
        let service = stack.add_at(&format!("{}/{id}", self.path), service);
        DiscoveryService {
            service,
            hostname: format!("{name}.{}", self.name),
        }
    }
}

/// A Cloud Map service handle.
#[derive(Clone, Debug, PartialEq)]
pub struct DiscoveryService {
    service: ServiceRef,
    hostname: String,
}

impl DiscoveryService {
    pub fn target(&self) -> &Target {
        self.service.target()
    }

    pub fn arn(&self) -> Expr<String> {
        self.service.arn()
    }

    /// The DNS name tasks of this service answer to.
    pub fn hostname(&self) -> &str {
        &self.hostname
    }
}
