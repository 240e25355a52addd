//! The graph as text for renderers elsewhere: Mermaid flowcharts and Graphviz DOT.

use std::fmt::Write;

use crate::groups::{self, Group};
use crate::model::{EdgeKind, Graph};

/// A Mermaid flowchart (left to right), groups as nested subgraphs.
pub fn mermaid(graph: &Graph) -> String {
    let mut out = String::from("flowchart LR\n");
    let (outside, account) = groups::tree(graph);
    for n in outside {
        mermaid_node(&mut out, graph, n, 1);
    }
    mermaid_group(&mut out, graph, &account, 1);
    for edge in &graph.edges {
        let (from, to) = (node_id(graph, edge.from), node_id(graph, edge.to));
        let arrow = match edge.kind {
            EdgeKind::Network => "-->",
            EdgeKind::Event => "==>",
            EdgeKind::Reference | EdgeKind::CrossStack => "-.->",
        };
        match &edge.label {
            Some(l) => writeln!(out, "  {from} {arrow}|\"{}\"| {to}", mermaid_escape(l)),
            None => writeln!(out, "  {from} {arrow} {to}"),
        }
        .expect("writing to a String");
    }
    out
}

fn mermaid_group(out: &mut String, graph: &Graph, group: &Group, depth: usize) {
    let pad = "  ".repeat(depth);
    writeln!(
        out,
        "{pad}subgraph {}[\"{}\"]",
        group.id,
        mermaid_escape(&group.label)
    )
    .unwrap();
    for &n in &group.nodes {
        mermaid_node(out, graph, n, depth + 1);
    }
    for child in &group.children {
        mermaid_group(out, graph, child, depth + 1);
    }
    writeln!(out, "{pad}end").unwrap();
}

fn mermaid_node(out: &mut String, graph: &Graph, n: usize, depth: usize) {
    let node = &graph.nodes[n];
    let label = format!(
        "{}<br/><small>{}</small>",
        mermaid_escape(&node.label),
        node.service.title
    );
    let pad = "  ".repeat(depth);
    writeln!(out, "{pad}{}[\"{label}\"]", node_id(graph, n)).unwrap();
}

/// A Graphviz digraph (left to right), groups as nested clusters.
pub fn dot(graph: &Graph) -> String {
    let mut out = String::from(
        "digraph architecture {\n  rankdir=LR;\n  compound=true;\n  \
         node [shape=box, style=\"rounded,filled\", fillcolor=white, fontname=\"Helvetica\"];\n  \
         edge [fontname=\"Helvetica\", fontsize=10];\n",
    );
    writeln!(out, "  label=\"{}\";", dot_escape(&graph.title)).unwrap();
    let (outside, account) = groups::tree(graph);
    for n in outside {
        dot_node(&mut out, graph, n, 1);
    }
    dot_group(&mut out, graph, &account, 1);
    for edge in &graph.edges {
        let style = match edge.kind {
            EdgeKind::Network => "solid",
            EdgeKind::Event => "bold",
            EdgeKind::Reference => "dashed",
            EdgeKind::CrossStack => "dotted",
        };
        write!(
            out,
            "  {} -> {} [style={style}",
            node_id(graph, edge.from),
            node_id(graph, edge.to)
        )
        .unwrap();
        if let Some(l) = &edge.label {
            write!(out, ", label=\"{}\"", dot_escape(l)).unwrap();
        }
        out.push_str("];\n");
    }
    out.push_str("}\n");
    out
}

fn dot_group(out: &mut String, graph: &Graph, group: &Group, depth: usize) {
    let pad = "  ".repeat(depth);
    writeln!(out, "{pad}subgraph cluster_{} {{", group.id).unwrap();
    writeln!(out, "{pad}  label=\"{}\";", dot_escape(&group.label)).unwrap();
    for &n in &group.nodes {
        dot_node(out, graph, n, depth + 1);
    }
    for child in &group.children {
        dot_group(out, graph, child, depth + 1);
    }
    writeln!(out, "{pad}}}").unwrap();
}

fn dot_node(out: &mut String, graph: &Graph, n: usize, depth: usize) {
    let node = &graph.nodes[n];
    let pad = "  ".repeat(depth);
    writeln!(
        out,
        "{pad}{} [label=\"{}\\n{}\", color=\"{}\"];",
        node_id(graph, n),
        dot_escape(&node.label),
        node.service.title,
        node.service.category.color()
    )
    .unwrap();
}

fn node_id(graph: &Graph, n: usize) -> String {
    format!("n_{}", groups::ident(&graph.nodes[n].id))
}

/// A label inside Mermaid's double quotes.
fn mermaid_escape(text: &str) -> String {
    text.replace('"', "#quot;")
}

/// A label inside DOT's double quotes.
fn dot_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}
