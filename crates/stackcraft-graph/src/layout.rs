//! Geometry of the diagram: nested boxes laid out left to right in the direction of the
//! edges (what uses something stands left of it), with a VPC drawn as zone columns of
//! subnet boxes, and edge labels placed where they cover nothing.
//!
//! Every block is laid out at the origin and then moved into its parent, so no box can
//! overlap a sibling: rows and columns leave gaps, and groups wrap their content.
//!
//! Laid out here rather than by a layout crate: `layout-rs`, the Rust Graphviz-style
//! layout, has no nested clusters, and an architecture is mostly nesting (account, region,
//! stack, VPC, zone, subnet) with a few edges.

use crate::groups;
use crate::model::{Graph, Placement, Tier};
use crate::text_metrics::width;

pub const NODE_HEIGHT: f64 = 56.0;
pub const ICON: f64 = 36.0;
const NODE_GAP: f64 = 20.0;
/// Gap between the columns of a layered layout: room for edges and their labels.
const LAYER_GAP: f64 = 72.0;
const GROUP_PAD: f64 = 16.0;
pub const GROUP_HEADER: f64 = 30.0;
pub const LABEL_SIZE: f64 = 13.0;
pub const TITLE_SIZE: f64 = 11.0;
pub const GROUP_LABEL_SIZE: f64 = 12.0;
pub const EDGE_LABEL_SIZE: f64 = 10.0;
pub const EDGE_LABEL_HEIGHT: f64 = 15.0;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn moved(self, dx: f64, dy: f64) -> Rect {
        Rect {
            x: self.x + dx,
            y: self.y + dy,
            ..self
        }
    }

    pub fn center(self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }

    /// The rectangle grown by `by` on every side.
    pub fn padded(self, by: f64) -> Rect {
        Rect {
            x: self.x - by,
            y: self.y - by,
            w: self.w + 2.0 * by,
            h: self.h + 2.0 * by,
        }
    }

    pub fn intersects(self, other: Rect) -> bool {
        self.x < other.x + other.w
            && other.x < self.x + self.w
            && self.y < other.y + other.h
            && other.y < self.y + self.h
    }

    /// Where the segment from the centre towards `(tx, ty)` leaves the rectangle.
    pub fn border_towards(self, tx: f64, ty: f64) -> (f64, f64) {
        let (cx, cy) = self.center();
        let (dx, dy) = (tx - cx, ty - cy);
        if dx == 0.0 && dy == 0.0 {
            return (cx, cy);
        }
        let sx = if dx == 0.0 {
            f64::INFINITY
        } else {
            (self.w / 2.0) / dx.abs()
        };
        let sy = if dy == 0.0 {
            f64::INFINITY
        } else {
            (self.h / 2.0) / dy.abs()
        };
        let s = sx.min(sy);
        (cx + dx * s, cy + dy * s)
    }
}

/// How a group box is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupStyle {
    Account,
    Global,
    Region,
    Stack,
    Vpc,
    Zone,
    Subnet(Tier),
}

#[derive(Clone, Debug, PartialEq)]
pub struct GroupBox {
    pub rect: Rect,
    pub label: String,
    pub style: GroupStyle,
}

impl GroupBox {
    /// The rectangle the group's label takes.
    pub fn label_rect(&self) -> Rect {
        Rect {
            x: self.rect.x + 10.0,
            y: self.rect.y + 8.0,
            w: width(&self.label, GROUP_LABEL_SIZE, true),
            h: GROUP_LABEL_SIZE + 4.0,
        }
    }
}

/// One drawn copy of a node (a node in several zones has one per zone).
#[derive(Clone, Debug, PartialEq)]
pub struct NodeBox {
    pub rect: Rect,
    pub node: usize,
    pub zone: Option<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EdgePath {
    pub edge: usize,
    /// The polyline, from the source's border to the target's.
    pub points: Vec<(f64, f64)>,
    /// The label's box (text centred in it).
    pub label: Option<Rect>,
}

/// Everything the SVG draws, in absolute coordinates.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scene {
    pub width: f64,
    pub height: f64,
    pub groups: Vec<GroupBox>,
    pub nodes: Vec<NodeBox>,
    pub edges: Vec<EdgePath>,
}

/// A laid-out piece at the origin.
#[derive(Clone, Debug, Default)]
struct Block {
    w: f64,
    h: f64,
    groups: Vec<GroupBox>,
    nodes: Vec<NodeBox>,
}

impl Block {
    fn put(&mut self, child: Block, dx: f64, dy: f64) {
        self.groups.extend(child.groups.into_iter().map(|mut g| {
            g.rect = g.rect.moved(dx, dy);
            g
        }));
        self.nodes.extend(child.nodes.into_iter().map(|mut n| {
            n.rect = n.rect.moved(dx, dy);
            n
        }));
        self.w = self.w.max(dx + child.w);
        self.h = self.h.max(dy + child.h);
    }

    /// Blocks side by side, centred vertically.
    fn row(blocks: Vec<Block>, gap: f64) -> Block {
        let h = blocks.iter().map(|b| b.h).fold(0.0, f64::max);
        let mut out = Block::default();
        let mut x = 0.0;
        for b in blocks {
            let (bw, bh) = (b.w, b.h);
            out.put(b, x, (h - bh) / 2.0);
            x += bw + gap;
        }
        out
    }

    /// Blocks one under the other, centred horizontally.
    fn column(blocks: Vec<Block>, gap: f64) -> Block {
        let w = blocks.iter().map(|b| b.w).fold(0.0, f64::max);
        let mut out = Block::default();
        let mut y = 0.0;
        for b in blocks {
            let (bw, bh) = (b.w, b.h);
            out.put(b, (w - bw) / 2.0, y);
            y += bh + gap;
        }
        out
    }

    /// The block inside a labelled box, at least `min_w` wide.
    fn framed(self, label: String, style: GroupStyle, min_w: f64) -> Block {
        let label_w = width(&label, GROUP_LABEL_SIZE, true) + 2.0 * GROUP_PAD;
        let w = (self.w + 2.0 * GROUP_PAD).max(label_w).max(min_w);
        let mut out = Block::default();
        let inner_w = self.w;
        out.put(self, (w - inner_w) / 2.0, GROUP_HEADER);
        out.h += GROUP_PAD;
        out.w = w;
        out.groups.insert(
            0,
            GroupBox {
                rect: Rect {
                    x: 0.0,
                    y: 0.0,
                    w,
                    h: out.h,
                },
                label,
                style,
            },
        );
        out
    }
}

/// Width of a node's box: its icon and the longer of its two lines.
pub fn node_width(graph: &Graph, n: usize) -> f64 {
    let node = &graph.nodes[n];
    let text =
        width(&node.label, LABEL_SIZE, true).max(width(node.service.title, TITLE_SIZE, false));
    (ICON + 32.0 + text).max(150.0).ceil()
}

fn node_block(graph: &Graph, n: usize, zone: Option<usize>) -> Block {
    let w = node_width(graph, n);
    Block {
        w,
        h: NODE_HEIGHT,
        groups: Vec::new(),
        nodes: vec![NodeBox {
            rect: Rect {
                x: 0.0,
                y: 0.0,
                w,
                h: NODE_HEIGHT,
            },
            node: n,
            zone,
        }],
    }
}

/// The nodes with this placement, in graph order.
fn placed(graph: &Graph, placement: &Placement) -> Vec<usize> {
    (0..graph.nodes.len())
        .filter(|&n| graph.nodes[n].placement == *placement)
        .collect()
}

/// Lays the whole graph out.
pub fn scene(graph: &Graph) -> Scene {
    let blocks: Vec<Block> = graph
        .stacks
        .iter()
        .map(|s| stack_block(graph, &s.name))
        .collect();
    // Stacks in layers: a stack that reads from another stands left of it.
    let stack_edges: Vec<(usize, usize)> = graph
        .stacks
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            s.dependencies.iter().filter_map(move |d| {
                graph
                    .stacks
                    .iter()
                    .position(|x| &x.name == d)
                    .map(|j| (i, j))
            })
        })
        .collect();
    let region = layered(blocks, &stack_edges).framed(
        format!("Region {}", graph.region),
        GroupStyle::Region,
        0.0,
    );

    let global_nodes = placed(graph, &Placement::Global);
    let mut account_parts = Vec::new();
    if !global_nodes.is_empty() {
        let row = Block::row(
            global_nodes
                .iter()
                .map(|&n| node_block(graph, n, None))
                .collect(),
            LAYER_GAP,
        );
        account_parts.push(row.framed("Global".into(), GroupStyle::Global, 0.0));
    }
    account_parts.push(region);
    // Global services above the region, as the edge of the network they are.
    let account = Block::column(account_parts, LAYER_GAP / 2.0).framed(
        groups::account_label(graph),
        GroupStyle::Account,
        0.0,
    );

    let outside: Vec<Block> = placed(graph, &Placement::Internet)
        .into_iter()
        .map(|n| node_block(graph, n, None))
        .collect();
    let mut parts = Vec::new();
    if !outside.is_empty() {
        parts.push(Block::column(outside, NODE_GAP));
    }
    parts.push(account);
    let body = Block::row(parts, LAYER_GAP);

    let margin = 20.0;
    let mut all = Block::default();
    all.put(body, margin, margin + HEADER);
    let mut scene = Scene {
        width: (all.w + margin).ceil(),
        height: (all.h + margin).ceil(),
        groups: all.groups,
        nodes: all.nodes,
        edges: Vec::new(),
    };
    scene.edges = crate::route::route_edges(graph, &scene);
    scene
}

/// Height of the title and legend above the diagram.
pub const HEADER: f64 = 44.0;

/// A stack's box: its VPCs and the nodes outside them, in layers.
fn stack_block(graph: &Graph, stack: &str) -> Block {
    let mut items: Vec<(Vec<usize>, Block)> = Vec::new();
    for (v, vpc) in graph.vpcs.iter().enumerate() {
        if vpc.stack == stack {
            items.push(vpc_block(graph, v));
        }
    }
    for (n, node) in graph.nodes.iter().enumerate() {
        if node.stack.as_deref() == Some(stack) && node.placement == Placement::Region {
            items.push((vec![n], node_block(graph, n, None)));
        }
    }
    let has_vpc = !items.is_empty() && graph.vpcs.iter().any(|v| v.stack == stack);
    let item_edges = edges_between_items(
        graph,
        &items.iter().map(|(m, _)| m.clone()).collect::<Vec<_>>(),
    );
    let blocks: Vec<Block> = items.into_iter().map(|(_, b)| b).collect();
    let deployed = graph
        .stacks
        .iter()
        .find(|s| s.name == stack)
        .map_or(stack, |s| s.deployed_name.as_str());
    // What nothing in the stack connects to (alarms, dashboards, what only a global service
    // uses) lines up above the rest, near the global services, instead of lengthening the
    // first column.
    let connected: Vec<bool> = (0..blocks.len())
        .map(|i| item_edges.iter().any(|&(a, b)| a == i || b == i))
        .collect();
    let mut linked = Vec::new();
    let mut loose = Vec::new();
    for (i, block) in blocks.into_iter().enumerate() {
        if connected[i] || i == 0 && has_vpc {
            linked.push(block);
        } else {
            loose.push(block);
        }
    }
    let keep: Vec<usize> = (0..connected.len())
        .filter(|&i| connected[i] || i == 0 && has_vpc)
        .collect();
    let linked_edges: Vec<(usize, usize)> = item_edges
        .iter()
        .filter_map(|&(a, b)| {
            Some((
                keep.iter().position(|&k| k == a)?,
                keep.iter().position(|&k| k == b)?,
            ))
        })
        .collect();
    let mut parts = Vec::new();
    if linked.is_empty() {
        // Nothing connects inside: a column, which edges from other stacks reach directly.
        parts.push(Block::column(loose, NODE_GAP));
    } else if !loose.is_empty() {
        parts.push(Block::row(loose, NODE_GAP));
    }
    if !linked.is_empty() {
        parts.push(layered(linked, &linked_edges));
    }
    Block::column(parts, LAYER_GAP / 2.0).framed(
        format!("Stack {stack} · {deployed}"),
        GroupStyle::Stack,
        0.0,
    )
}

/// The item pairs that an edge of the graph connects (by the nodes each item holds).
fn edges_between_items(graph: &Graph, members: &[Vec<usize>]) -> Vec<(usize, usize)> {
    let item_of = |n: usize| members.iter().position(|m| m.contains(&n));
    let mut pairs = Vec::new();
    for e in &graph.edges {
        if let (Some(a), Some(b)) = (item_of(e.from), item_of(e.to)) {
            if a != b && !pairs.contains(&(a, b)) {
                pairs.push((a, b));
            }
        }
    }
    pairs
}

/// Items in columns by the longest path of edges reaching them (cycles are cut by giving up
/// after as many rounds as there are items), each column ordered by where its predecessors
/// stand.
fn layered(blocks: Vec<Block>, edges: &[(usize, usize)]) -> Block {
    let count = blocks.len();
    let mut layer = vec![0usize; count];
    for _ in 0..count {
        let mut changed = false;
        for &(a, b) in edges {
            if layer[b] < layer[a] + 1 && layer[a] + 1 < count {
                layer[b] = layer[a] + 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let layers = layer.iter().max().map_or(0, |m| m + 1);
    let mut order: Vec<f64> = (0..count).map(|i| i as f64).collect();
    for l in 1..layers {
        for i in (0..count).filter(|&i| layer[i] == l) {
            let preds: Vec<f64> = edges
                .iter()
                .filter(|&&(a, b)| b == i && layer[a] < l)
                .map(|&(a, _)| order[a])
                .collect();
            if !preds.is_empty() {
                order[i] = preds.iter().sum::<f64>() / preds.len() as f64 + i as f64 * 1e-6;
            }
        }
    }
    let mut slots: Vec<Option<Block>> = blocks.into_iter().map(Some).collect();
    let mut columns = Vec::new();
    for l in 0..layers {
        let mut ids: Vec<usize> = (0..count).filter(|&i| layer[i] == l).collect();
        ids.sort_by(|&a, &b| order[a].total_cmp(&order[b]));
        let column: Vec<Block> = ids.iter().filter_map(|&i| slots[i].take()).collect();
        columns.push(Block::column(column, NODE_GAP + 10.0));
    }
    Block::row(columns, LAYER_GAP)
}

/// A VPC: its VPC-wide nodes on top, then one column per zone of subnet boxes, one per tier,
/// aligned across zones. A node in several zones is drawn in each.
fn vpc_block(graph: &Graph, v: usize) -> (Vec<usize>, Block) {
    let vpc = &graph.vpcs[v];
    let tiers = vpc.tiers();
    let mut members = Vec::new();
    let in_subnet = |tier: Tier, zone: usize| -> Vec<usize> {
        graph
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| {
                matches!(&n.placement, Placement::Subnets { vpc, tier: t, zones }
                    if *vpc == v && *t == tier && zones.contains(&zone))
            })
            .map(|(i, _)| i)
            .collect()
    };
    // Subnet contents, then the common width of the zone columns and height of each tier.
    let mut cells: Vec<Vec<Block>> = Vec::new();
    for z in 0..vpc.zones.len() {
        let mut column = Vec::new();
        for &tier in &tiers {
            let nodes = in_subnet(tier, z);
            members.extend(nodes.iter().copied());
            column.push(Block::row(
                nodes
                    .iter()
                    .map(|&n| node_block(graph, n, Some(z)))
                    .collect(),
                NODE_GAP,
            ));
        }
        cells.push(column);
    }
    let subnet_label =
        |tier: Tier, z: usize| match vpc.subnet(tier, z).and_then(|s| s.cidr.as_deref()) {
            Some(c) => format!("{} · {c}", tier.title()),
            None => tier.title().to_owned(),
        };
    let column_w = cells
        .iter()
        .enumerate()
        .flat_map(|(z, col)| {
            col.iter().zip(&tiers).map(move |(b, &t)| {
                (b.w + 2.0 * GROUP_PAD)
                    .max(width(&subnet_label(t, z), GROUP_LABEL_SIZE, true) + 2.0 * GROUP_PAD)
            })
        })
        .fold(NODE_GAP * 8.0, f64::max);
    let tier_h: Vec<f64> = (0..tiers.len())
        .map(|t| cells.iter().map(|c| c[t].h).fold(NODE_HEIGHT, f64::max))
        .collect();
    let zones: Vec<Block> = cells
        .into_iter()
        .enumerate()
        .map(|(z, column)| {
            let subnets: Vec<Block> = column
                .into_iter()
                .zip(&tiers)
                .zip(&tier_h)
                .map(|((mut content, &tier), &h)| {
                    // Same height in every zone: pad the content at the bottom.
                    content.h = h;
                    let mut framed =
                        content.framed(subnet_label(tier, z), GroupStyle::Subnet(tier), column_w);
                    if vpc.subnet(tier, z).is_none() {
                        framed.groups.clear();
                    }
                    framed
                })
                .collect();
            Block::column(subnets, NODE_GAP).framed(vpc.zones[z].clone(), GroupStyle::Zone, 0.0)
        })
        .collect();
    let vpc_wide = placed(graph, &Placement::Vpc { vpc: v });
    members.extend(vpc_wide.iter().copied());
    let mut parts = Vec::new();
    if !vpc_wide.is_empty() {
        parts.push(Block::row(
            vpc_wide
                .iter()
                .map(|&n| node_block(graph, n, None))
                .collect(),
            NODE_GAP,
        ));
    }
    parts.push(Block::row(zones, NODE_GAP));
    let block = Block::column(parts, NODE_GAP).framed(groups::vpc_label(vpc), GroupStyle::Vpc, 0.0);
    members.sort_unstable();
    members.dedup();
    (members, block)
}
