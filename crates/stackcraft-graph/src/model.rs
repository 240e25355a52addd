//! The architecture graph: what a diagram shows, before any geometry.

use crate::service::Service;

/// An environment's architecture: nodes a person recognises, where they live, and what
/// connects them.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Graph {
    /// The project and environment (`stackcraft-demo · prod`).
    pub title: String,
    /// The account id, when the environment names one.
    pub account: Option<String>,
    pub region: String,
    /// The stacks drawn, in dependency order (producers first).
    pub stacks: Vec<StackInfo>,
    pub vpcs: Vec<Vpc>,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

/// One stack of the graph.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct StackInfo {
    pub name: String,
    pub deployed_name: String,
    /// Stacks this one reads from (deployed first).
    pub dependencies: Vec<String>,
}

/// A VPC and its subnets, grouped by zone and tier.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Vpc {
    /// `stack/LogicalId`.
    pub id: String,
    pub stack: String,
    /// The construct path (`Network`).
    pub path: String,
    pub cidr: Option<String>,
    /// Zone labels in order (`zone 1`, `zone 2`, or the literal zone name).
    pub zones: Vec<String>,
    pub subnets: Vec<Subnet>,
}

impl Vpc {
    /// The tiers that have at least one subnet, public first.
    pub fn tiers(&self) -> Vec<Tier> {
        let mut tiers: Vec<Tier> = self.subnets.iter().map(|s| s.tier).collect();
        tiers.sort();
        tiers.dedup();
        tiers
    }

    /// The subnet of a tier in a zone, if any.
    pub fn subnet(&self, tier: Tier, zone: usize) -> Option<&Subnet> {
        self.subnets
            .iter()
            .find(|s| s.tier == tier && s.zone == zone)
    }
}

/// One subnet.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Subnet {
    pub logical_id: String,
    /// Index into [`Vpc::zones`].
    pub zone: usize,
    pub tier: Tier,
    pub cidr: Option<String>,
}

/// How a subnet reaches the internet, the order an architect stacks them in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    /// Routes to an internet gateway.
    Public,
    /// Routes out through a NAT gateway (or another target), not in.
    Private,
    /// No route out of the VPC.
    Isolated,
}

impl Tier {
    pub fn title(self) -> &'static str {
        match self {
            Tier::Public => "Public subnet",
            Tier::Private => "Private subnet",
            Tier::Isolated => "Isolated subnet",
        }
    }
}

/// Where a node is drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Outside the account: the people and systems on the internet.
    Internet,
    /// A global service of the account (CloudFront, Route 53).
    Global,
    /// A regional service outside any VPC (S3, DynamoDB, a Lambda function outside a VPC).
    Region,
    /// In a VPC but in no subnet (gateways, gateway endpoints).
    Vpc { vpc: usize },
    /// In subnets of one tier, in the listed zones (one copy is drawn per zone).
    Subnets {
        vpc: usize,
        tier: Tier,
        zones: Vec<usize>,
    },
}

/// A resource a person recognises, with the plumbing folded into it.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Node {
    /// `stack/LogicalId`, or `internet`.
    pub id: String,
    pub stack: Option<String>,
    pub logical_id: Option<String>,
    /// The construct path (`Database`, `Api`).
    pub path: String,
    /// What the diagram writes on the node.
    pub label: String,
    pub service: &'static Service,
    /// Logical ids of the resources folded into this node, itself first.
    pub members: Vec<String>,
    pub placement: Placement,
}

/// What an edge means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EdgeKind {
    /// A security-group rule lets traffic through (labelled with the ports).
    Network,
    /// An event source delivers to its target (S3 → SNS → Lambda, API → function).
    Event,
    /// One resource names another (`Ref`, `Fn::GetAtt`, `Fn::Sub`) in the same stack.
    Reference,
    /// A stack reads a value of another stack (through an SSM parameter).
    CrossStack,
}

/// A directed connection: `from` uses, calls or sends to `to`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Edge {
    /// Index into [`Graph::nodes`].
    pub from: usize,
    pub to: usize,
    pub kind: EdgeKind,
    /// Ports or protocol, when known (`TCP 3306`).
    pub label: Option<String>,
}

impl Graph {
    /// The node with this construct path in this stack.
    pub fn node(&self, stack: &str, path: &str) -> Option<&Node> {
        self.nodes
            .iter()
            .find(|n| n.stack.as_deref() == Some(stack) && n.path == path)
    }

    /// Index of the node a resource is drawn as (itself or the owner it is folded into).
    pub fn owner_of(&self, stack: &str, logical_id: &str) -> Option<usize> {
        self.nodes.iter().position(|n| {
            n.stack.as_deref() == Some(stack) && n.members.iter().any(|m| m == logical_id)
        })
    }

    /// The edges between two nodes, by construct path (`stack`, `path`).
    pub fn edges_between(&self, from: (&str, &str), to: (&str, &str)) -> Vec<&Edge> {
        let index = |(stack, path): (&str, &str)| {
            self.nodes
                .iter()
                .position(|n| n.stack.as_deref() == Some(stack) && n.path == path)
        };
        let (Some(a), Some(b)) = (index(from), index(to)) else {
            return Vec::new();
        };
        self.edges
            .iter()
            .filter(|e| e.from == a && e.to == b)
            .collect()
    }
}
