//! A stack's VPCs and subnets: which zone each subnet is in, and its tier, read from the
//! routes (a route to an internet gateway makes a subnet public, a route out through a NAT
//! gateway makes it private, no route out makes it isolated).

use std::collections::HashMap;

use stackcraft_template::{Intrinsic, Template, Value};

use crate::model::{Subnet, Tier, Vpc};
use crate::refs;

/// The VPCs of one stack, with their subnets.
pub fn vpcs(stack: &str, template: &Template, path_of: impl Fn(&str) -> String) -> Vec<Vpc> {
    let route_tiers = route_table_tiers(template);
    let mut subnet_tables: HashMap<&str, &str> = HashMap::new();
    for resource in template.resources.values() {
        if resource.type_ == "AWS::EC2::SubnetRouteTableAssociation" {
            let subnet = first_ref(resource.properties.get("SubnetId"));
            let table = first_ref(resource.properties.get("RouteTableId"));
            if let (Some(s), Some(t)) = (subnet, table) {
                subnet_tables.insert(s, t);
            }
        }
    }
    let mut vpcs = Vec::new();
    for (id, resource) in &template.resources {
        if resource.type_ != "AWS::EC2::VPC" {
            continue;
        }
        let mut zones: Vec<Zone> = Vec::new();
        let mut subnets = Vec::new();
        for (subnet_id, subnet) in &template.resources {
            if subnet.type_ != "AWS::EC2::Subnet"
                || first_ref(subnet.properties.get("VpcId")) != Some(id.as_str())
            {
                continue;
            }
            let zone = zone_of(subnet.properties.get("AvailabilityZone"));
            let tier = subnet_tables
                .get(subnet_id.as_str())
                .and_then(|t| route_tiers.get(t))
                .copied()
                .unwrap_or(
                    if subnet.properties.get("MapPublicIpOnLaunch") == Some(&Value::Bool(true)) {
                        Tier::Public
                    } else {
                        Tier::Isolated
                    },
                );
            if !zones.contains(&zone) {
                zones.push(zone.clone());
            }
            subnets.push((subnet_id.clone(), zone, tier, string(subnet, "CidrBlock")));
        }
        zones.sort();
        vpcs.push(Vpc {
            id: format!("{stack}/{id}"),
            stack: stack.to_owned(),
            path: path_of(id),
            cidr: string(resource, "CidrBlock"),
            zones: zones.iter().map(Zone::label).collect(),
            subnets: subnets
                .into_iter()
                .map(|(logical_id, zone, tier, cidr)| Subnet {
                    logical_id,
                    zone: zones.iter().position(|z| *z == zone).unwrap_or(0),
                    tier,
                    cidr,
                })
                .collect(),
        });
    }
    vpcs
}

/// A subnet's zone: an index into the region's zones, or a zone named literally.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Zone {
    Index(i64),
    Named(String),
    Unknown,
}

impl Zone {
    fn label(&self) -> String {
        match self {
            Zone::Index(i) => format!("Availability Zone {}", i + 1),
            Zone::Named(name) => format!("Availability Zone {name}"),
            Zone::Unknown => "Availability Zone".to_owned(),
        }
    }
}

fn zone_of(value: Option<&Value>) -> Zone {
    match value {
        Some(Value::String(name)) => Zone::Named(name.clone()),
        Some(Value::Fn(f)) => match &**f {
            Intrinsic::Select(Value::Number(n), _) => n.as_i64().map_or(Zone::Unknown, Zone::Index),
            Intrinsic::Select(Value::String(n), _) => n.parse().map_or(Zone::Unknown, Zone::Index),
            _ => Zone::Unknown,
        },
        _ => Zone::Unknown,
    }
}

/// The tier each route table gives its subnets.
fn route_table_tiers(template: &Template) -> HashMap<&str, Tier> {
    let mut tiers: HashMap<&str, Tier> = HashMap::new();
    for resource in template.resources.values() {
        if resource.type_ != "AWS::EC2::Route" {
            continue;
        }
        let Some(table) = first_ref(resource.properties.get("RouteTableId")) else {
            continue;
        };
        let to_internet_gateway = first_ref(resource.properties.get("GatewayId"))
            .and_then(|g| template.resources.get(g))
            .is_some_and(|g| g.type_ == "AWS::EC2::InternetGateway");
        let tier = if to_internet_gateway {
            Tier::Public
        } else {
            Tier::Private
        };
        let entry = tiers.entry(table).or_insert(tier);
        *entry = (*entry).min(tier);
    }
    tiers
}

fn first_ref(value: Option<&Value>) -> Option<&str> {
    let Value::Fn(f) = value? else { return None };
    match &**f {
        Intrinsic::Ref(t) | Intrinsic::GetAtt(t, _) => Some(t.logical_id.as_str()),
        _ => None,
    }
}

fn string(resource: &stackcraft_template::Resource, key: &str) -> Option<String> {
    resource
        .properties
        .get(key)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// The subnets a value names (directly).
pub fn subnets_named<'a>(value: &Value, vpcs: &'a [Vpc]) -> Vec<(usize, &'a Subnet)> {
    let names = refs::in_value(value);
    let mut found = Vec::new();
    for (v, vpc) in vpcs.iter().enumerate() {
        for subnet in &vpc.subnets {
            if names.contains(&subnet.logical_id) {
                found.push((v, subnet));
            }
        }
    }
    found
}
