//! The scene as one self-contained SVG document: styles inline, glyphs drawn as paths, the
//! fonts every system has.

use std::fmt::Write;

use crate::icons;
use crate::layout::{
    GroupStyle, Rect, Scene, EDGE_LABEL_SIZE, GROUP_LABEL_SIZE, ICON, LABEL_SIZE, TITLE_SIZE,
};
use crate::model::{EdgeKind, Graph, Tier};
use crate::text_metrics::width;

const FONT: &str = "DejaVu Sans, Verdana, Arial, sans-serif";

const EDGE_KINDS: [(EdgeKind, &str, &str); 4] = [
    (
        EdgeKind::Network,
        "network",
        "network traffic (security group rule)",
    ),
    (EdgeKind::Event, "event", "event delivery"),
    (EdgeKind::Reference, "reference", "uses (reference)"),
    (
        EdgeKind::CrossStack,
        "cross-stack",
        "reads from another stack",
    ),
];

const STYLE: &str = "
.group{stroke-width:1.5}
.group-account{fill:none;stroke:#232F3E}
.group-global{fill:#F7F3FF;stroke:#8C4FFF;stroke-dasharray:6 4}
.group-region{fill:none;stroke:#00A4A6;stroke-dasharray:8 4}
.group-stack{fill:#FBFCFD;stroke:#9BA7B4;stroke-width:1}
.group-vpc{fill:#FFFFFF;stroke:#8C4FFF}
.group-zone{fill:none;stroke:#147EBA;stroke-dasharray:5 4}
.group-public{fill:#F2F7E9;stroke:#7AA116}
.group-private{fill:#E6F5F6;stroke:#00A4A6}
.group-isolated{fill:#F1F3F5;stroke:#7D8998}
.group-label{font-size:12px;font-weight:bold;fill:#232F3E;paint-order:stroke;stroke:#FFFFFF;stroke-width:3px;stroke-linejoin:round}
.node-box{fill:#FFFFFF;stroke:#C6CDD5;stroke-width:1}
.node-label{font-size:13px;font-weight:bold;fill:#16191F}
.node-title{font-size:11px;fill:#545B64}
.glyph{fill:none;stroke:#FFFFFF;stroke-width:1.6;stroke-linecap:round;stroke-linejoin:round}
.edge{fill:none}
.edge-network{stroke:#232F3E;stroke-width:1.4}
.edge-event{stroke:#E7157B;stroke-width:1.6;stroke-dasharray:7 3}
.edge-reference{stroke:#7D8998;stroke-width:1.2;stroke-dasharray:2 3}
.edge-cross-stack{stroke:#8C4FFF;stroke-width:1.6;stroke-dasharray:9 4}
.edge-label rect{fill:#FFFFFF;stroke:#C6CDD5}
.edge-label text{font-size:10px;fill:#232F3E}
.title{font-size:16px;font-weight:bold;fill:#16191F}
.legend{font-size:11px;fill:#545B64}
";

fn color(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Network => "#232F3E",
        EdgeKind::Event => "#E7157B",
        EdgeKind::Reference => "#7D8998",
        EdgeKind::CrossStack => "#8C4FFF",
    }
}

fn class(kind: EdgeKind) -> &'static str {
    EDGE_KINDS
        .iter()
        .find(|(k, _, _)| *k == kind)
        .map_or("reference", |(_, c, _)| c)
}

fn group_class(style: GroupStyle) -> &'static str {
    match style {
        GroupStyle::Account => "account",
        GroupStyle::Global => "global",
        GroupStyle::Region => "region",
        GroupStyle::Stack => "stack",
        GroupStyle::Vpc => "vpc",
        GroupStyle::Zone => "zone",
        GroupStyle::Subnet(Tier::Public) => "public",
        GroupStyle::Subnet(Tier::Private) => "private",
        GroupStyle::Subnet(Tier::Isolated) => "isolated",
    }
}

/// The SVG document.
pub fn svg(graph: &Graph, scene: &Scene) -> String {
    let mut out = String::new();
    let (w, h) = (
        scene.width.max((legend_width(graph) + 40.0).ceil()),
        scene.height,
    );
    writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FONT}">"#
    )
    .unwrap();
    writeln!(out, "<title>{}</title>", escape(&graph.title)).unwrap();
    writeln!(out, "<style>{STYLE}</style>").unwrap();
    out.push_str("<defs>");
    for (kind, name, _) in EDGE_KINDS {
        write!(
            out,
            r#"<marker id="arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="{}"/></marker>"#,
            color(kind)
        )
        .unwrap();
    }
    out.push_str("</defs>\n");
    writeln!(out, r##"<rect width="{w}" height="{h}" fill="#FFFFFF"/>"##).unwrap();
    header(&mut out, graph);

    // Group boxes, then the edges, then the group labels (haloed, so a line passing under
    // one leaves it readable), then the nodes and the edge labels on top.
    for group in &scene.groups {
        let r = group.rect;
        writeln!(
            out,
            r#"<rect class="group group-{}" x="{}" y="{}" width="{}" height="{}" rx="6" data-label="{}"/>"#,
            group_class(group.style),
            r.x,
            r.y,
            r.w,
            r.h,
            escape(&group.label)
        )
        .unwrap();
    }
    for path in &scene.edges {
        let kind = graph.edges[path.edge].kind;
        let d: Vec<String> = path
            .points
            .iter()
            .enumerate()
            .map(|(i, (x, y))| format!("{}{x:.1} {y:.1}", if i == 0 { 'M' } else { 'L' }))
            .collect();
        writeln!(
            out,
            r#"<path class="edge edge-{c}" d="{}" marker-end="url(#arrow-{c})"/>"#,
            d.join(""),
            c = class(kind)
        )
        .unwrap();
    }
    for group in &scene.groups {
        writeln!(
            out,
            r#"<text class="group-label" x="{}" y="{}">{}</text>"#,
            group.rect.x + 10.0,
            group.rect.y + 8.0 + GROUP_LABEL_SIZE,
            escape(&group.label)
        )
        .unwrap();
    }
    for node_box in &scene.nodes {
        let node = &graph.nodes[node_box.node];
        let r = node_box.rect;
        let badge = (r.x + 10.0, r.y + (r.h - ICON) / 2.0);
        let scale = (ICON - 12.0) / 24.0;
        writeln!(
            out,
            r#"<g class="node" data-id="{}"><rect class="node-box" x="{}" y="{}" width="{}" height="{}" rx="6"/><rect x="{}" y="{}" width="{ICON}" height="{ICON}" rx="6" fill="{}"/><g class="glyph" transform="translate({} {}) scale({scale})">{}</g><text class="node-label" x="{}" y="{}">{}</text><text class="node-title" x="{}" y="{}">{}</text></g>"#,
            escape(&node.id),
            r.x, r.y, r.w, r.h,
            badge.0, badge.1,
            node.service.category.color(),
            badge.0 + 6.0, badge.1 + 6.0,
            icons::glyph(node.service.icon),
            r.x + ICON + 20.0,
            r.y + 25.0,
            escape(&node.label),
            r.x + ICON + 20.0,
            r.y + 25.0 + LABEL_SIZE + 4.0,
            escape(node.service.title),
        )
        .unwrap();
    }
    for path in &scene.edges {
        let (Some(rect), Some(text)) = (path.label, graph.edges[path.edge].label.as_ref()) else {
            continue;
        };
        edge_label(&mut out, rect, text);
    }
    out.push_str("</svg>\n");
    out
}

fn edge_label(out: &mut String, r: Rect, text: &str) {
    writeln!(
        out,
        r#"<g class="edge-label"><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="3"/><text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text></g>"#,
        r.x,
        r.y,
        r.w,
        r.h,
        r.x + r.w / 2.0,
        r.y + r.h / 2.0 + EDGE_LABEL_SIZE * 0.35,
        escape(text)
    )
    .unwrap();
}

fn title(graph: &Graph) -> String {
    format!("{} — architecture", graph.title)
}

const LEGEND_LINE: f64 = 28.0;
const LEGEND_GAP: f64 = 24.0;

fn legend_width(graph: &Graph) -> f64 {
    let start = 20.0 + width(&title(graph), 16.0, true) + 40.0;
    start
        + EDGE_KINDS
            .iter()
            .map(|(_, _, text)| LEGEND_LINE + 6.0 + width(text, TITLE_SIZE, false) + LEGEND_GAP)
            .sum::<f64>()
}

/// The title and the legend of edge styles.
fn header(out: &mut String, graph: &Graph) {
    let title = title(graph);
    writeln!(
        out,
        r#"<text class="title" x="20" y="30">{}</text>"#,
        escape(&title)
    )
    .unwrap();
    let mut x = 20.0 + width(&title, 16.0, true) + 40.0;
    for (_, class, text) in EDGE_KINDS {
        writeln!(
            out,
            r#"<path class="edge edge-{class}" d="M{x:.1} 26H{:.1}" marker-end="url(#arrow-{class})"/><text class="legend" x="{:.1}" y="30">{text}</text>"#,
            x + LEGEND_LINE,
            x + LEGEND_LINE + 6.0,
        )
        .unwrap();
        x += LEGEND_LINE + 6.0 + width(text, TITLE_SIZE, false) + LEGEND_GAP;
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
