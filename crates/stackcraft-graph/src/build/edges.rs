//! The edges: references (folded to their owners, across stacks through the imported
//! parameters), event sources, security-group rules with their ports, and the internet's
//! entry points.

use std::collections::HashMap;

use stackcraft_core::SynthesizedStack;
use stackcraft_template::{Map, Resource, Value};

use super::{Builder, Fold, CROSS_STACK_PREFIX};
use crate::model::{Edge, EdgeKind, Node, Placement};
use crate::refs;
use crate::service::{self, Refs};

impl Builder {
    pub(super) fn add_edges(&mut self, stack: &SynthesizedStack) {
        let imports = imports(stack);
        for (id, resource) in &stack.template.resources {
            self.add_security_group_edges(stack, id, resource);
            let Some((owner, _)) = self.owner(&stack.name, id) else {
                continue;
            };
            let resolve = |b: &Builder, target: &str| -> Option<(usize, EdgeKind, Fold)> {
                if let Some((producer, logical_id)) = imports.get(target) {
                    return b
                        .owner(producer, logical_id)
                        .map(|(n, fold)| (n, EdgeKind::CrossStack, fold));
                }
                b.owner(&stack.name, target)
                    .map(|(n, fold)| (n, EdgeKind::Reference, fold))
            };
            match service::refs(&resource.type_) {
                Refs::Ignored => {}
                Refs::Uses => {
                    for r in refs::in_properties(&resource.properties) {
                        let Some((to, kind, fold)) = resolve(self, &r.target) else {
                            continue;
                        };
                        let reversed =
                            stack.template.resources.get(&r.target).is_some_and(|t| {
                                service::REVERSED_TARGETS.contains(&t.type_.as_str())
                            });
                        let kind = if service::EVENT_PROPERTIES.contains(&r.property) {
                            EdgeKind::Event
                        } else {
                            kind
                        };
                        let (from, to) = if reversed { (to, owner) } else { (owner, to) };
                        self.edge(from, to, kind, None);
                        if fold == Fold::Own {
                            self.direct.insert((from, to));
                        }
                    }
                }
                Refs::Event { source, target } => {
                    let ends = |key: &str| -> Vec<usize> {
                        resource
                            .properties
                            .get(key)
                            .map(refs::in_value)
                            .unwrap_or_default()
                            .iter()
                            .filter_map(|t| resolve(self, t).map(|(n, _, _)| n))
                            .collect()
                    };
                    let (sources, targets) = (ends(source), ends(target));
                    for &from in &sources {
                        for &to in &targets {
                            self.edge(from, to, EdgeKind::Event, None);
                        }
                    }
                }
            }
        }
    }

    /// Edges of the ingress rules: from the source group's owner (or the internet) to the
    /// group's owner, labelled with the ports.
    fn add_security_group_edges(
        &mut self,
        stack: &SynthesizedStack,
        id: &str,
        resource: &Resource,
    ) {
        let rules: Vec<&Map> = match resource.type_.as_str() {
            "AWS::EC2::SecurityGroupIngress" => vec![&resource.properties],
            "AWS::EC2::SecurityGroup" => resource
                .properties
                .get("SecurityGroupIngress")
                .and_then(Value::as_list)
                .unwrap_or_default()
                .iter()
                .filter_map(Value::as_map)
                .collect(),
            _ => return,
        };
        let group_owner = |b: &Builder, rule: &Map| {
            rule.get("GroupId")
                .map(refs::in_value)
                .unwrap_or_default()
                .first()
                .and_then(|g| b.owner(&stack.name, g))
                .map(|(n, _)| n)
        };
        for rule in rules {
            let to = if resource.type_ == "AWS::EC2::SecurityGroup" {
                self.owner(&stack.name, id).map(|(n, _)| n)
            } else {
                group_owner(self, rule)
            };
            let Some(to) = to else { continue };
            let port = ports(rule);
            let source = rule
                .get("SourceSecurityGroupId")
                .map(refs::in_value)
                .unwrap_or_default();
            if let Some(from) = source
                .first()
                .and_then(|g| self.owner(&stack.name, g))
                .map(|(n, _)| n)
            {
                self.edge(from, to, EdgeKind::Network, Some(port));
            } else if is_anywhere(rule) {
                let internet = self.internet();
                self.edge(internet, to, EdgeKind::Network, Some(port));
            }
        }
    }

    /// A reference against the flow of an event or of traffic (the consumer's grant on the
    /// queue that triggers it) would draw a second line between the same boxes: dropped. So
    /// is a reference to what is folded into a node that itself names the referrer (a build
    /// project using the key of the pipeline that runs it): the use it answers is the edge,
    /// and without the echo the two are no cycle, so the layout puts the user first.
    pub(super) fn drop_echoes(&mut self) {
        let flows: Vec<(usize, usize)> = self
            .edges
            .iter()
            .filter(|e| matches!(e.kind, EdgeKind::Event | EdgeKind::Network))
            .map(|e| (e.from, e.to))
            .collect();
        let references: Vec<(usize, usize)> = self
            .edges
            .iter()
            .filter(|e| e.kind == EdgeKind::Reference)
            .map(|e| (e.from, e.to))
            .collect();
        let direct = &self.direct;
        self.edges.retain(|e| {
            let back = (e.to, e.from);
            let answers_a_use = !direct.contains(&(e.from, e.to))
                && direct.contains(&back)
                && references.contains(&back);
            e.kind != EdgeKind::Reference || !(flows.contains(&back) || answers_a_use)
        });
    }

    /// CloudFront distributions and APIs are reached from the internet.
    pub(super) fn add_internet_entries(&mut self) {
        for n in 0..self.nodes.len() {
            if service::is_public_entry(self.nodes[n].service) {
                let internet = self.internet();
                self.edge(internet, n, EdgeKind::Network, Some("HTTPS".to_owned()));
            }
        }
    }

    fn internet(&mut self) -> usize {
        if let Some(i) = self.internet {
            return i;
        }
        let i = self.nodes.len();
        self.nodes.push(Node {
            id: "internet".to_owned(),
            stack: None,
            logical_id: None,
            path: "Internet".to_owned(),
            label: "Users".to_owned(),
            service: &service::INTERNET,
            members: Vec::new(),
            placement: Placement::Internet,
        });
        self.internet = Some(i);
        i
    }

    /// Adds an edge, or merges it into the one between the same nodes: the most specific
    /// kind wins (network, event, reference, cross-stack), labels add up.
    fn edge(&mut self, from: usize, to: usize, kind: EdgeKind, label: Option<String>) {
        if from == to {
            return;
        }
        if let Some(existing) = self.edges.iter_mut().find(|e| e.from == from && e.to == to) {
            existing.kind = existing.kind.min(kind);
            if let Some(label) = label {
                match &mut existing.label {
                    Some(l) if l.split(", ").any(|x| x == label) => {}
                    Some(l) => *l = format!("{l}, {label}"),
                    None => existing.label = Some(label),
                }
            }
            return;
        }
        self.edges.push(Edge {
            from,
            to,
            kind,
            label,
        });
    }
}

/// Template parameter → (producer stack, logical id) for the values a stack imports.
fn imports(stack: &SynthesizedStack) -> HashMap<String, (String, String)> {
    let mut found = HashMap::new();
    for (name, parameter) in &stack.template.parameters {
        let Some(default) = parameter.attributes.get("Default").and_then(Value::as_str) else {
            continue;
        };
        if !parameter.type_.starts_with("AWS::SSM::Parameter::Value")
            || !default.starts_with(CROSS_STACK_PREFIX)
        {
            continue;
        }
        // /stackcraft/<project>/<env>/<producer>/<LogicalId>/<Attribute>
        let parts: Vec<&str> = default.rsplitn(4, '/').collect();
        if let [_, logical_id, producer, _] = parts[..] {
            found.insert(name.clone(), (producer.to_owned(), logical_id.to_owned()));
        }
    }
    found
}

/// `TCP 5432`, `TCP 1024-2048`, `all traffic`.
fn ports(rule: &Map) -> String {
    let number = |key: &str| match rule.get(key) {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    };
    let protocol = rule
        .get("IpProtocol")
        .and_then(Value::as_str)
        .unwrap_or("tcp");
    if protocol == "-1" {
        return "all traffic".to_owned();
    }
    let protocol = protocol.to_uppercase();
    match (number("FromPort"), number("ToPort")) {
        (Some(a), Some(b)) if a == b => format!("{protocol} {a}"),
        (Some(a), Some(b)) => format!("{protocol} {a}-{b}"),
        _ => protocol,
    }
}

fn is_anywhere(rule: &Map) -> bool {
    rule.get("CidrIp").and_then(Value::as_str) == Some("0.0.0.0/0")
        || rule.get("CidrIpv6").and_then(Value::as_str) == Some("::/0")
}
