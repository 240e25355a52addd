//! The graph as text for renderers elsewhere: Mermaid flowcharts and Graphviz DOT.

use std::fmt::Write;

use crate::groups::{self, Group};
use crate::model::{EdgeKind, Graph};

/// A Mermaid flowchart (left to right), groups as nested subgraphs.
pub fn mermaid(graph: &Graph) -> String {
    let mut out = String::from("flowchart LR\n");
    let (outside, account) = groups::tree(graph);
    for n in outside {
        writeln!(out, "  {}", mermaid_node(graph, n)).unwrap();
    }
    write_group(&mut out, graph, &account, 1, &MERMAID);
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

fn mermaid_node(graph: &Graph, n: usize) -> String {
    let node = &graph.nodes[n];
    format!(
        "{}[\"{}<br/><small>{}</small>\"]",
        node_id(graph, n),
        mermaid_escape(&node.label),
        node.service.title
    )
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
        writeln!(out, "  {}", dot_node(graph, n)).unwrap();
    }
    write_group(&mut out, graph, &account, 1, &DOT);
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

/// How a format writes a group and a node.
struct Syntax {
    open: fn(&Group) -> String,
    close: &'static str,
    node: fn(&Graph, usize) -> String,
}

const MERMAID: Syntax = Syntax {
    open: |g| format!("subgraph {}[\"{}\"]", g.id, mermaid_escape(&g.label)),
    close: "end",
    node: mermaid_node,
};

const DOT: Syntax = Syntax {
    open: |g| {
        format!(
            "subgraph cluster_{} {{ label=\"{}\";",
            g.id,
            dot_escape(&g.label)
        )
    },
    close: "}",
    node: dot_node,
};

/// A group, its nodes and its subgroups, indented by depth.
fn write_group(out: &mut String, graph: &Graph, group: &Group, depth: usize, syntax: &Syntax) {
    let pad = "  ".repeat(depth);
    writeln!(out, "{pad}{}", (syntax.open)(group)).unwrap();
    for &n in &group.nodes {
        writeln!(out, "{pad}  {}", (syntax.node)(graph, n)).unwrap();
    }
    for child in &group.children {
        write_group(out, graph, child, depth + 1, syntax);
    }
    writeln!(out, "{pad}{}", syntax.close).unwrap();
}

fn dot_node(graph: &Graph, n: usize) -> String {
    let node = &graph.nodes[n];
    format!(
        "{} [label=\"{}\\n{}\", color=\"{}\"];",
        node_id(graph, n),
        dot_escape(&node.label),
        node.service.title,
        node.service.category.color()
    )
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
