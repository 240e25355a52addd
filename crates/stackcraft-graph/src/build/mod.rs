//! From a synthesized assembly to the graph: which resources are nodes, what folds into
//! them, where they are placed, and the edges between them.

use std::collections::{BTreeSet, HashMap};

use stackcraft_core::{Assembly, SynthesizedStack};
use stackcraft_template::{Resource, Value};

use crate::model::{Edge, Graph, Node, Placement, StackInfo, Vpc};
mod edges;

use crate::network;
use crate::refs;
use crate::service::{self, Role};

/// The parameter prefix of values passed between stacks (see `stackcraft_core::cross_stack`).
const CROSS_STACK_PREFIX: &str = "/stackcraft/";

/// The architecture of an assembly's stacks.
pub fn graph(assembly: &Assembly) -> Graph {
    let env = &assembly.environment;
    let mut builder = Builder::default();
    for stack in &assembly.stacks {
        builder.add_stack(stack);
    }
    for stack in &assembly.stacks {
        builder.add_edges(stack);
    }
    builder.add_internet_entries();
    builder.drop_echoes();
    Graph {
        title: format!("{} · {}", assembly.project, env.name),
        account: env.account.clone(),
        region: env.region.clone(),
        stacks: assembly
            .stacks
            .iter()
            .map(|s| StackInfo {
                name: s.name.clone(),
                deployed_name: s.deployed_name.clone(),
                dependencies: s.dependencies.clone(),
            })
            .collect(),
        vpcs: builder.vpcs,
        nodes: builder.nodes,
        edges: builder.edges,
    }
}

/// How a resource came to be part of a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fold {
    /// It is the node.
    Own,
    /// Its construct path is under the node's.
    Path,
    /// It names the node (or a member of it) and has no owner by path.
    Names,
    /// The node names it, and it has no owner by path.
    NamedBy,
}

#[derive(Default)]
struct Builder {
    vpcs: Vec<Vpc>,
    nodes: Vec<Node>,
    edges: Vec<Edge>,
    /// (stack, logical id) → (node, how).
    owners: HashMap<(String, String), (usize, Fold)>,
    internet: Option<usize>,
    /// The (from, to) pairs where a reference names the target node's own resource, not
    /// only something folded into it (the pipeline names its build project; the project
    /// names the pipeline's key).
    direct: BTreeSet<(usize, usize)>,
}

impl Builder {
    fn add_stack(&mut self, stack: &SynthesizedStack) {
        let template = &stack.template;
        let path_of = |id: &str| {
            stack
                .paths
                .get(id)
                .cloned()
                .unwrap_or_else(|| id.to_owned())
        };
        let first_vpc = self.vpcs.len();
        let first_node = self.nodes.len();
        self.vpcs
            .extend(network::vpcs(&stack.name, template, path_of));
        let group_paths: Vec<String> = template
            .resources
            .iter()
            .filter(|(_, r)| matches!(service::role(&r.type_), Role::Vpc | Role::Subnet))
            .map(|(id, _)| path_of(id))
            .collect();

        // Nodes, and what folds into them by construct path: shallow paths first, so that
        // the children of a construct, whatever they are, fold into it.
        let mut ids: Vec<&String> = template.resources.keys().collect();
        ids.sort_by_key(|id| path_of(id).matches('/').count());
        let mut node_paths: Vec<(String, usize)> = Vec::new();
        let mut standalone = Vec::new();
        for id in ids {
            let resource = &template.resources[id];
            let path = path_of(id);
            let role = service::role(&resource.type_);
            let owner = node_paths
                .iter()
                .filter(|(p, _)| is_under(&path, p))
                .max_by_key(|(p, _)| p.len())
                .map(|(_, n)| *n);
            if let Some(owner) = owner {
                if !matches!(role, Role::Vpc | Role::Subnet | Role::Hidden) {
                    self.own(stack, id, owner, Fold::Path);
                }
                continue;
            }
            let inside_network = group_paths.iter().any(|g| is_under(&path, g));
            let service = match role {
                Role::Node(s) => s,
                // Flow logs and their role belong to the network's construct: not drawn.
                Role::Standalone(_) if inside_network => continue,
                Role::Standalone(s) if !is_cross_stack_export(resource) => {
                    standalone.push(self.nodes.len());
                    s
                }
                _ => continue,
            };
            let index = self.nodes.len();
            self.nodes.push(Node {
                id: format!("{}/{id}", stack.name),
                stack: Some(stack.name.clone()),
                logical_id: Some(id.clone()),
                label: label(&path, &group_paths),
                path: path.clone(),
                service,
                members: Vec::new(),
                placement: Placement::Region,
            });
            self.own(stack, id, index, Fold::Own);
            node_paths.push((path, index));
        }
        // A standalone node (a task definition, an alarm) that one node uses, or that names
        // one node, joins it with everything folded into it.
        let mut merged = Vec::new();
        for n in standalone {
            let id = self.nodes[n].logical_id.clone().unwrap_or_default();
            if let Some((owner, fold)) = self.single_related_node(stack, &id, n) {
                for member in std::mem::take(&mut self.nodes[n].members) {
                    self.own(stack, &member, owner, fold);
                }
                merged.push(n);
            }
        }
        self.remove_nodes(&stack.name, first_node, &merged);
        self.fold_by_reference(stack);
        let vpcs = first_vpc..self.vpcs.len();
        for n in first_node..self.nodes.len() {
            self.nodes[n].placement = self.placement(stack, n, vpcs.clone());
        }
    }

    /// Drops emptied nodes of a stack (its nodes start at `first`), renumbering the rest.
    fn remove_nodes(&mut self, stack: &str, first: usize, removed: &[usize]) {
        if removed.is_empty() {
            return;
        }
        let mut renumber = Vec::new();
        let mut kept = 0;
        for n in first..self.nodes.len() {
            renumber.push(first + kept);
            if !removed.contains(&n) {
                kept += 1;
            }
        }
        let mut index = 0;
        self.nodes.retain(|_| {
            index += 1;
            !removed.contains(&(index - 1))
        });
        for ((s, _), (node, _)) in self.owners.iter_mut() {
            if s == stack && *node >= first {
                *node = renumber[*node - first];
            }
        }
    }

    fn own(&mut self, stack: &SynthesizedStack, id: &str, node: usize, fold: Fold) {
        self.owners
            .insert((stack.name.clone(), id.to_owned()), (node, fold));
        self.nodes[node].members.push(id.to_owned());
    }

    /// The one node whose own resources name `id`, else the one node `id` names.
    fn single_related_node(
        &self,
        stack: &SynthesizedStack,
        id: &str,
        itself: usize,
    ) -> Option<(usize, Fold)> {
        let mut users: Vec<usize> = stack
            .template
            .resources
            .iter()
            .filter(|(_, r)| {
                refs::in_properties(&r.properties)
                    .iter()
                    .any(|x| x.target == id)
            })
            .filter_map(|(other, _)| self.owner(&stack.name, other))
            .filter(|(n, f)| *n != itself && matches!(f, Fold::Own | Fold::Path))
            .map(|(n, _)| n)
            .collect();
        users.sort_unstable();
        users.dedup();
        if let [n] = users[..] {
            return Some((n, Fold::NamedBy));
        }
        // What an alarm watches, not whom it notifies.
        let mut named: Vec<usize> = refs::in_properties(&stack.template.resources[id].properties)
            .iter()
            .filter(|r| !r.property.ends_with("Actions"))
            .filter_map(|r| self.owner(&stack.name, &r.target))
            .map(|(n, _)| n)
            .filter(|&n| n != itself)
            .collect();
        named.sort_unstable();
        named.dedup();
        match named[..] {
            [n] if users.is_empty() => Some((n, Fold::Names)),
            _ => None,
        }
    }

    fn owner(&self, stack: &str, id: &str) -> Option<(usize, Fold)> {
        self.owners.get(&(stack.to_owned(), id.to_owned())).copied()
    }

    /// Plumbing without an owner by path joins the node it names, else the node that names
    /// it; what is left (route tables, say) belongs to the network and is not drawn.
    fn fold_by_reference(&mut self, stack: &SynthesizedStack) {
        let template = &stack.template;
        let unowned = |b: &Builder| -> Vec<&String> {
            template
                .resources
                .iter()
                .filter(|(id, r)| {
                    service::role(&r.type_) == Role::Plumbing && b.owner(&stack.name, id).is_none()
                })
                .map(|(id, _)| id)
                .collect()
        };
        loop {
            let mut changed = false;
            for id in unowned(self) {
                let names = refs::in_properties(&template.resources[id].properties);
                if let Some(owner) = names
                    .iter()
                    .find_map(|r| self.owner(&stack.name, &r.target))
                {
                    self.own(stack, id, owner.0, Fold::Names);
                    changed = true;
                }
            }
            for id in unowned(self) {
                let named_by = template.resources.iter().find_map(|(other, r)| {
                    let (node, fold) = self.owner(&stack.name, other)?;
                    let direct = matches!(fold, Fold::Own | Fold::Path);
                    let names_it = refs::in_properties(&r.properties)
                        .iter()
                        .any(|x| x.target == *id);
                    (direct && names_it).then_some(node)
                });
                if let Some(node) = named_by {
                    self.own(stack, id, node, Fold::NamedBy);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// Where a node is drawn: in the subnets its resources name, else in the VPC it names,
    /// else outside (global services apart).
    fn placement(
        &self,
        stack: &SynthesizedStack,
        node: usize,
        vpcs: std::ops::Range<usize>,
    ) -> Placement {
        let n = &self.nodes[node];
        if service::is_global(n.service) {
            return Placement::Global;
        }
        let placing: Vec<&Resource> = n
            .members
            .iter()
            .filter(|m| {
                self.owner(&stack.name, m)
                    .is_some_and(|(_, f)| f != Fold::Names)
            })
            .filter_map(|m| stack.template.resources.get(m))
            .collect();
        let stack_vpcs = &self.vpcs[vpcs.clone()];
        let mut subnets = Vec::new();
        for resource in &placing {
            let props = Value::Map(resource.properties.clone());
            subnets.extend(network::subnets_named(&props, stack_vpcs));
        }
        if let Some((vpc, first)) = subnets.first() {
            let tier = first.tier;
            let zones: BTreeSet<usize> = subnets
                .iter()
                .filter(|(v, s)| v == vpc && s.tier == tier)
                .map(|(_, s)| s.zone)
                .collect();
            let mut zones: Vec<usize> = zones.into_iter().collect();
            if let Some(copies) = n
                .logical_id
                .as_ref()
                .and_then(|id| stack.template.resources.get(id))
                .and_then(instance_count)
            {
                zones.truncate(copies.max(1));
            }
            return Placement::Subnets {
                vpc: vpcs.start + vpc,
                tier,
                zones,
            };
        }
        let all: Vec<&Resource> = n
            .members
            .iter()
            .filter_map(|m| stack.template.resources.get(m))
            .collect();
        for (v, vpc) in stack_vpcs.iter().enumerate() {
            let vpc_id = vpc.id.rsplit('/').next().unwrap_or_default().to_owned();
            let names_vpc = all.iter().any(|r| {
                refs::in_properties(&r.properties)
                    .iter()
                    .any(|x| x.target == vpc_id)
            });
            if names_vpc || is_under(&n.path, &vpc.path) {
                return Placement::Vpc {
                    vpc: vpcs.start + v,
                };
            }
        }
        Placement::Region
    }
}

/// How many zones a database or cache runs in, when its subnet group spans more: one for a
/// single instance, two for a Multi-AZ instance (primary and standby), one per node of a
/// cache. (AWS picks which zones at deploy; the diagram shows how many, in the first ones.)
fn instance_count(resource: &Resource) -> Option<usize> {
    let props = &resource.properties;
    match resource.type_.as_str() {
        "AWS::RDS::DBInstance" => match props.get("MultiAZ") {
            Some(Value::Bool(true)) => Some(2),
            _ => Some(1),
        },
        "AWS::ElastiCache::ReplicationGroup" => match props.get("NumCacheClusters") {
            Some(Value::Number(n)) => n.as_u64().map(|n| n as usize),
            _ => None,
        },
        "AWS::ElastiCache::CacheCluster" => Some(1),
        _ => None,
    }
}

/// `a/b/c` is under `a/b` (whole segments only).
fn is_under(path: &str, ancestor: &str) -> bool {
    path.len() > ancestor.len()
        && path.starts_with(ancestor)
        && path.as_bytes()[ancestor.len()] == b'/'
}

/// The name written on a node: its construct path, without the VPC or subnet it sits in
/// (the groups around it say that).
fn label(path: &str, group_paths: &[String]) -> String {
    group_paths
        .iter()
        .filter(|g| is_under(path, g))
        .max_by_key(|g| g.len())
        .map_or(path, |g| &path[g.len() + 1..])
        .to_owned()
}

/// The SSM parameter a producer writes for another stack: drawn as the cross-stack edge.
fn is_cross_stack_export(resource: &Resource) -> bool {
    resource.type_ == "AWS::SSM::Parameter"
        && resource
            .properties
            .get("Name")
            .and_then(Value::as_str)
            .is_some_and(|n| n.starts_with(CROSS_STACK_PREFIX))
}
