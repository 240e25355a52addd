//! The nesting of a graph as the text formats write it: account → global and region →
//! stack → VPC → subnet tier → zone. (The SVG draws zones as columns instead, with a copy
//! of a multi-zone node in each.)

use crate::model::{Graph, Placement, Tier};

/// A box around nodes.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// A short identifier, unique in the graph (`stack_counter_vpc0_private_zone1`).
    pub id: String,
    pub label: String,
    pub nodes: Vec<usize>,
    pub children: Vec<Group>,
}

impl Group {
    fn new(id: String, label: String) -> Group {
        Group {
            id,
            label,
            nodes: Vec::new(),
            children: Vec::new(),
        }
    }

    fn keep_nonempty(mut self) -> Option<Group> {
        self.children = self
            .children
            .into_iter()
            .filter_map(Group::keep_nonempty)
            .collect();
        (!self.nodes.is_empty() || !self.children.is_empty()).then_some(self)
    }
}

/// The account box's label.
pub fn account_label(graph: &Graph) -> String {
    match &graph.account {
        Some(a) => format!("AWS account {a}"),
        None => "AWS account (of the deploying credentials)".to_owned(),
    }
}

/// The nodes outside every group (the internet), and the groups.
pub fn tree(graph: &Graph) -> (Vec<usize>, Group) {
    let mut outside = Vec::new();
    let mut account = Group::new("account".into(), account_label(graph));
    let mut global = Group::new("global".into(), "Global (edge locations)".into());
    let mut region = Group::new("region".into(), format!("Region {}", graph.region));
    for stack in &graph.stacks {
        let sid = ident(&stack.name);
        let mut group = Group::new(
            format!("stack_{sid}"),
            format!("Stack {} ({})", stack.name, stack.deployed_name),
        );
        for (v, vpc) in graph.vpcs.iter().enumerate() {
            if vpc.stack != stack.name {
                continue;
            }
            let vid = format!("stack_{sid}_vpc{v}");
            let mut vg = Group::new(vid.clone(), vpc_label(vpc));
            for tier in vpc.tiers() {
                let tid = format!("{vid}_{}", tier_ident(tier));
                let mut tg = Group::new(tid.clone(), format!("{}s", tier.title()));
                for (z, zone) in vpc.zones.iter().enumerate() {
                    let cidr = vpc.subnet(tier, z).and_then(|s| s.cidr.as_deref());
                    let label = match cidr {
                        Some(c) => format!("{zone} · {c}"),
                        None => zone.clone(),
                    };
                    tg.children
                        .push(Group::new(format!("{tid}_zone{}", z + 1), label));
                }
                vg.children.push(tg);
            }
            group.children.push(vg);
        }
        region.children.push(group);
    }
    for (n, node) in graph.nodes.iter().enumerate() {
        let stack_index = node
            .stack
            .as_ref()
            .and_then(|s| graph.stacks.iter().position(|x| &x.name == s));
        match (&node.placement, stack_index) {
            (Placement::Internet, _) | (_, None) => outside.push(n),
            (Placement::Global, _) => global.nodes.push(n),
            (Placement::Region, Some(s)) => region.children[s].nodes.push(n),
            (Placement::Vpc { vpc }, Some(s)) => vpc_group(&mut region.children[s], graph, *vpc)
                .nodes
                .push(n),
            (Placement::Subnets { vpc, tier, zones }, Some(s)) => {
                let vg = vpc_group(&mut region.children[s], graph, *vpc);
                let position = graph.vpcs[*vpc].tiers().iter().position(|t| t == tier);
                let Some(tg) = position.and_then(|t| vg.children.get_mut(t)) else {
                    vg.nodes.push(n);
                    continue;
                };
                match zones[..] {
                    [z] if z < tg.children.len() => tg.children[z].nodes.push(n),
                    _ => tg.nodes.push(n),
                }
            }
        }
    }
    account.children.push(global);
    account.children.push(region);
    let account = account
        .keep_nonempty()
        .unwrap_or_else(|| Group::new("account".into(), account_label(graph)));
    (outside, account)
}

fn vpc_group<'a>(stack: &'a mut Group, graph: &Graph, vpc: usize) -> &'a mut Group {
    let suffix = format!("_vpc{vpc}");
    let position = stack
        .children
        .iter()
        .position(|g| g.id.ends_with(&suffix))
        .unwrap_or_else(|| panic!("VPC {} is in its stack's group", graph.vpcs[vpc].id));
    &mut stack.children[position]
}

/// `VPC Network · 10.40.0.0/16`.
pub fn vpc_label(vpc: &crate::model::Vpc) -> String {
    match &vpc.cidr {
        Some(c) => format!("VPC {} · {c}", vpc.path),
        None => format!("VPC {}", vpc.path),
    }
}

fn tier_ident(tier: Tier) -> &'static str {
    match tier {
        Tier::Public => "public",
        Tier::Private => "private",
        Tier::Isolated => "isolated",
    }
}

/// Letters, digits and `_` only: an identifier every text format accepts.
pub fn ident(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}
