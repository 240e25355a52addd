//! `ec2::SecurityGroup` and the connections model.
//!
//! A security group created here allows nothing, in or out. Traffic is allowed edge by edge:
//! `db.connections().allow_from(stack, &service, Port::MYSQL)` writes the ingress rule on the
//! database's group *and* the matching egress rule on the service's group, both described, so
//! the template reads as the graph of who talks to whom.

use stackcraft_core::template::{Expr, Target};
use stackcraft_core::Stack;
use stackcraft_resources::ec2::security_group::Egress;
use stackcraft_resources::ec2::{self as l1, SecurityGroupRef};

use super::Vpc;

/// A protocol and port range, with the name descriptions use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Port {
    pub protocol: &'static str,
    pub from: u16,
    pub to: u16,
    pub label: &'static str,
}

impl Port {
    pub const HTTP: Port = Port::tcp_named(80, "HTTP");
    pub const HTTPS: Port = Port::tcp_named(443, "HTTPS");
    pub const SSH: Port = Port::tcp_named(22, "SSH");
    pub const MYSQL: Port = Port::tcp_named(3306, "MySQL");
    pub const POSTGRES: Port = Port::tcp_named(5432, "PostgreSQL");
    pub const REDIS: Port = Port::tcp_named(6379, "Redis");
    pub const MEMCACHED: Port = Port::tcp_named(11211, "Memcached");
    pub const NFS: Port = Port::tcp_named(2049, "NFS");

    /// One TCP port.
    pub const fn tcp(port: u16) -> Port {
        Port::tcp_named(port, "TCP")
    }

    pub const fn tcp_named(port: u16, label: &'static str) -> Port {
        Port {
            protocol: "tcp",
            from: port,
            to: port,
            label,
        }
    }

    /// `MySQL 3306`, `TCP 5080`.
    pub fn describe(&self) -> String {
        if self.from == self.to {
            format!("{} {}", self.label, self.from)
        } else {
            format!("{} {}-{}", self.label, self.from, self.to)
        }
    }

    fn id(&self) -> String {
        if self.from == self.to {
            format!("{}", self.from)
        } else {
            format!("{}to{}", self.from, self.to)
        }
    }
}

/// A security group handle; `name` (its owner's construct path) is what rule descriptions say.
#[derive(Clone, Debug, PartialEq)]
pub struct SecurityGroup {
    group: SecurityGroupRef,
    path: String,
    name: String,
}

/// The egress rule that replaces EC2's default "allow all outbound": it matches no traffic
/// (ICMP type 252 code 86 to the broadcast address), so a group allows only what is added.
fn no_egress() -> Egress {
    Egress::new("icmp")
        .cidr_ip("255.255.255.255/32")
        .from_port(252)
        .to_port(86)
        .description("Disallow all traffic")
}

impl SecurityGroup {
    /// A group in `vpc` that allows no traffic until connections are added.
    pub fn new(stack: &mut Stack, id: &str, vpc: &Vpc, description: &str) -> SecurityGroup {
        let path = stack.path_of(id);
        let name = path
            .rsplit_once("/SecurityGroup")
            .map_or(path.as_str(), |(owner, _)| owner)
            .to_owned();
        let group = stack.add(
            id,
            l1::SecurityGroup::new(description)
                .vpc_id(vpc.id())
                .security_group_egress(vec![no_egress()]),
        );
        SecurityGroup { group, path, name }
    }

    pub fn target(&self) -> &Target {
        self.group.target()
    }

    /// The group id (`Fn::GetAtt GroupId`).
    pub fn id(&self) -> Expr<String> {
        self.group.group_id()
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// The name rule descriptions use for this group's owner.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn connections(&self) -> Connections {
        Connections {
            group: self.clone(),
        }
    }
}

/// Anything that has a security group: services, databases, caches, load balancers.
pub trait HasConnections {
    fn connections(&self) -> Connections;
}

impl HasConnections for SecurityGroup {
    fn connections(&self) -> Connections {
        SecurityGroup::connections(self)
    }
}

impl HasConnections for Connections {
    fn connections(&self) -> Connections {
        self.clone()
    }
}

/// The network edges of one security group.
#[derive(Clone, Debug, PartialEq)]
pub struct Connections {
    group: SecurityGroup,
}

impl Connections {
    pub fn security_group(&self) -> &SecurityGroup {
        &self.group
    }

    /// Lets `peer` reach this group on `port`: ingress here, the matching egress on the peer.
    pub fn allow_from(&self, stack: &mut Stack, peer: &impl HasConnections, port: Port) {
        let peer = peer.connections().group;
        let me = &self.group;
        // Each edge once, however often it is asked for: rules are children of their group.
        let ingress = format!("IngressFrom{}Port{}", peer.group.logical_id(), port.id());
        stack.child_or_add(me.target(), &ingress, || {
            l1::SecurityGroupIngress::new(port.protocol)
                .group_id(me.id())
                .source_security_group_id(peer.id())
                .from_port(port.from)
                .to_port(port.to)
                .description(format!("{} from {}", port.describe(), peer.name))
        });
        let egress = format!("EgressTo{}Port{}", me.group.logical_id(), port.id());
        stack.child_or_add(peer.target(), &egress, || {
            l1::SecurityGroupEgress::new(peer.id(), port.protocol)
                .destination_security_group_id(me.id())
                .from_port(port.from)
                .to_port(port.to)
                .description(format!("{} to {}", port.describe(), me.name))
        });
    }

    /// Lets this group reach `peer` on `port` (the same edge as `peer.allow_from(self)`).
    pub fn allow_to(&self, stack: &mut Stack, peer: &impl HasConnections, port: Port) {
        peer.connections().allow_from(stack, self, port);
    }

    /// Ingress on `port` from an IPv4 range (`0.0.0.0/0` is the whole internet); returns the
    /// rule (to suppress a check on it with the reason it is open).
    pub fn allow_from_cidr(&self, stack: &mut Stack, cidr: &str, port: Port, why: &str) -> Target {
        let id = format!("IngressFrom{}Port{}", cidr_id(cidr), port.id());
        stack.child_or_add(self.group.target(), &id, || {
            l1::SecurityGroupIngress::new(port.protocol)
                .group_id(self.group.id())
                .cidr_ip(cidr)
                .from_port(port.from)
                .to_port(port.to)
                .description(format!("{} from {cidr}: {why}", port.describe()))
        })
    }

    /// Ingress on `port` from the addresses of a managed prefix list (`pl-...`), e.g.
    /// CloudFront's origin-facing servers; `name` says whose they are in the description.
    /// A reference counts as the list's maximum entries against the group's rule quota.
    pub fn allow_from_prefix_list(
        &self,
        stack: &mut Stack,
        prefix_list_id: &str,
        name: &str,
        port: Port,
    ) -> Target {
        let id = format!(
            "IngressFromPrefixList{}Port{}",
            prefix_list_id.trim_start_matches("pl-"),
            port.id()
        );
        stack.child_or_add(self.group.target(), &id, || {
            l1::SecurityGroupIngress::new(port.protocol)
                .group_id(self.group.id())
                .source_prefix_list_id(prefix_list_id)
                .from_port(port.from)
                .to_port(port.to)
                .description(format!(
                    "{} from {name} ({prefix_list_id})",
                    port.describe()
                ))
        })
    }

    /// Egress on `port` to an IPv4 range, e.g. HTTPS to the AWS APIs through the NAT gateway.
    pub fn allow_to_cidr(&self, stack: &mut Stack, cidr: &str, port: Port, why: &str) {
        let id = format!("EgressTo{}Port{}", cidr_id(cidr), port.id());
        stack.child_or_add(self.group.target(), &id, || {
            l1::SecurityGroupEgress::new(self.group.id(), port.protocol)
                .cidr_ip(cidr)
                .from_port(port.from)
                .to_port(port.to)
                .description(format!("{} to {cidr}: {why}", port.describe()))
        });
    }
}

/// `0.0.0.0/0` → `Anywhere`, `10.0.0.0/16` → `10x0x0x0x16`.
fn cidr_id(cidr: &str) -> String {
    if cidr == "0.0.0.0/0" {
        "Anywhere".to_owned()
    } else {
        format!("Cidr{}", cidr.replace(['.', '/'], "x"))
    }
}
