//! Architecture diagrams from synthesized stacks.
//!
//! [`graph`] reads an [`Assembly`] (templates and construct paths) and keeps what a person
//! recognises: load balancers, services, databases, buckets, functions, queues… Plumbing
//! (route tables, policies, permissions, security-group rules, log groups, roles, target
//! groups, listeners) folds into the construct that owns it. Nodes are grouped as an
//! architect draws them: account and region, VPC, availability zone, subnet tier; services
//! outside a VPC stand around it, global ones (CloudFront, Route 53) beside the region.
//! Edges come from references, security-group rules (with their ports), event sources and
//! values passed between stacks.
//!
//! [`render`] writes the graph as SVG (laid out here, self-contained: no fonts, scripts or
//! images to fetch), Mermaid or Graphviz DOT. Output is deterministic.

mod build;
mod groups;
mod icons;
mod layout;
mod model;
mod network;
mod refs;
mod route;
pub mod service;
mod svg;
mod text;
mod text_metrics;

pub use build::graph;
pub use groups::{tree, Group};
pub use layout::{scene, EdgePath, GroupBox, GroupStyle, NodeBox, Rect, Scene};
pub use model::{Edge, EdgeKind, Graph, Node, Placement, StackInfo, Subnet, Tier, Vpc};

use stackcraft_core::Assembly;

/// The output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    Svg,
    Mermaid,
    Dot,
}

/// The graph in a format.
pub fn render(graph: &Graph, format: Format) -> String {
    match format {
        Format::Svg => svg::svg(graph, &layout::scene(graph)),
        Format::Mermaid => text::mermaid(graph),
        Format::Dot => text::dot(graph),
    }
}

/// The diagram of an assembly in a format.
pub fn diagram(assembly: &Assembly, format: Format) -> String {
    render(&graph(assembly), format)
}
