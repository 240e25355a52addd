//! `ec2::Vpc`: public, private (NAT egress) and isolated subnets across N availability zones.

use stackcraft_core::template::{get_azs, select, Expr, Target};
use stackcraft_core::Stack;
use stackcraft_resources::ec2::flow_log::{FlowLogResourceType, LogDestinationType, TrafficType};
use stackcraft_resources::ec2::vpc_endpoint::VpcEndpointType;
use stackcraft_resources::ec2::{self as l1, SubnetRef, VpcRef};

use crate::iam::{PolicyStatement, Role};
use crate::logs::LogGroup;

/// The three tiers of subnets a [`Vpc`] has in every availability zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SubnetKind {
    /// Routed to the internet gateway: load balancers and NAT gateways live here. Instances
    /// get no public address unless they ask for one.
    Public,
    /// Outbound internet through a NAT gateway, nothing inbound: services.
    Private,
    /// No route outside the VPC (gateway endpoints aside): databases and caches.
    Isolated,
}

impl SubnetKind {
    fn name(self) -> &'static str {
        match self {
            SubnetKind::Public => "Public",
            SubnetKind::Private => "Private",
            SubnetKind::Isolated => "Isolated",
        }
    }
}

/// Choices that differ from the environment's defaults.
#[derive(Clone, Debug, Default)]
pub struct VpcOptions {
    /// The IPv4 range (default: the environment's `cidr`).
    pub cidr: Option<String>,
    /// Availability zones spanned, 1 to 4 (default: the environment's `azs`).
    pub az_count: Option<u8>,
    /// NAT gateways, 0 to `az_count` (default: one per zone where the environment is highly
    /// available, one otherwise). Private
    /// subnets of a zone without its own gateway use the gateway of another zone; with zero,
    /// private subnets have no route out, like isolated ones.
    pub nat_gateways: Option<u8>,
    /// VPC flow logs (all traffic) to CloudWatch Logs (default: protected environments).
    pub flow_logs: Option<bool>,
    /// Leave out the free S3 and DynamoDB gateway endpoints (default: present).
    pub no_gateway_endpoints: bool,
}

/// The most zones a VPC plans subnets for.
pub const MAX_AZS: u8 = 4;

/// A VPC handle: the VPC, its subnets by tier and zone.
#[derive(Clone, Debug, PartialEq)]
pub struct Vpc {
    vpc: VpcRef,
    path: String,
    cidr: String,
    public: Vec<SubnetRef>,
    private: Vec<SubnetRef>,
    isolated: Vec<SubnetRef>,
    /// Route tables of the private and isolated subnets (gateway endpoints route from them).
    inner_route_tables: Vec<l1::RouteTableRef>,
    nat_gateways: u8,
}

impl Vpc {
    /// A VPC with the environment's defaults.
    pub fn new(stack: &mut Stack, id: &str) -> Vpc {
        Self::with(stack, id, VpcOptions::default())
    }

    pub fn with(stack: &mut Stack, id: &str, options: VpcOptions) -> Vpc {
        let env = stack.env().clone();
        let path = stack.path_of(id);
        let cidr = options.cidr.clone().unwrap_or_else(|| env.cidr.clone());
        let azs = options.az_count.unwrap_or(env.az_count);
        let nats = options
            .nat_gateways
            .unwrap_or(if env.is_highly_available() { azs } else { 1 });
        let plan = match plan_subnets(&cidr, azs) {
            Ok(plan) => plan,
            Err(message) => {
                stack.error(&path, message);
                plan_subnets("10.0.0.0/16", 2).expect("the fallback plan is valid")
            }
        };
        if nats > azs {
            stack.error(
                &path,
                format!("{nats} NAT gateways for {azs} availability zones; at most one per zone"),
            );
        }
        let nats = nats.min(azs);

        let vpc = stack.add(
            id,
            l1::Vpc::new()
                .cidr_block(cidr.as_str())
                .enable_dns_hostnames(true)
                .enable_dns_support(true),
        );
        let mut this = Vpc {
            vpc: vpc.clone(),
            path: path.clone(),
            cidr,
            public: Vec::new(),
            private: Vec::new(),
            isolated: Vec::new(),
            inner_route_tables: Vec::new(),
            nat_gateways: nats,
        };
        stack.scope(id, |s| {
            let igw = s.add("InternetGateway", l1::InternetGateway::new());
            let attachment = s.add(
                "InternetGatewayAttachment",
                l1::VpcGatewayAttachment::new(vpc.ref_()).internet_gateway_id(igw.ref_()),
            );

            let mut nat_ids = Vec::new();
            for (zone, cidrs) in plan.iter().enumerate() {
                let n = zone + 1;
                let az = select(zone, get_azs(""));
                let public = subnet(s, &format!("PublicSubnet{n}"), &vpc, &cidrs[0], &az);
                let table = route_table(s, &format!("PublicSubnet{n}"), &vpc, &public);
                let route = s.scope(&format!("PublicSubnet{n}"), |s| {
                    s.add(
                        "DefaultRoute",
                        l1::Route::new(table.ref_())
                            .destination_cidr_block("0.0.0.0/0")
                            .gateway_id(igw.ref_()),
                    )
                });
                s.add_dependency(route.target(), attachment.target());
                if (zone as u8) < nats {
                    let nat = s.scope(&format!("PublicSubnet{n}"), |s| {
                        let eip = s.add("NatEip", l1::Eip::new().domain("vpc"));
                        s.add_dependency(eip.target(), attachment.target());
                        s.add(
                            "NatGateway",
                            l1::NatGateway::new()
                                .allocation_id(eip.allocation_id())
                                .subnet_id(public.ref_()),
                        )
                    });
                    nat_ids.push(nat);
                }
                this.public.push(public);
            }
            for (zone, cidrs) in plan.iter().enumerate() {
                let n = zone + 1;
                let az = select(zone, get_azs(""));
                let private = subnet(s, &format!("PrivateSubnet{n}"), &vpc, &cidrs[1], &az);
                let table = route_table(s, &format!("PrivateSubnet{n}"), &vpc, &private);
                if !nat_ids.is_empty() {
                    let nat = &nat_ids[zone % nat_ids.len()];
                    s.scope(&format!("PrivateSubnet{n}"), |s| {
                        s.add(
                            "DefaultRoute",
                            l1::Route::new(table.ref_())
                                .destination_cidr_block("0.0.0.0/0")
                                .nat_gateway_id(nat.ref_()),
                        )
                    });
                }
                this.private.push(private);
                this.inner_route_tables.push(table);
            }
            for (zone, cidrs) in plan.iter().enumerate() {
                let n = zone + 1;
                let az = select(zone, get_azs(""));
                let isolated = subnet(s, &format!("IsolatedSubnet{n}"), &vpc, &cidrs[2], &az);
                let table = route_table(s, &format!("IsolatedSubnet{n}"), &vpc, &isolated);
                this.isolated.push(isolated);
                this.inner_route_tables.push(table);
            }
        });
        if !options.no_gateway_endpoints {
            for (name, service) in [("S3Endpoint", "s3"), ("DynamoDbEndpoint", "dynamodb")] {
                this.add_gateway_endpoint(stack, name, service);
            }
        }
        if options.flow_logs.unwrap_or(env.is_protected()) {
            this.add_flow_logs(stack);
        }
        this
    }

    /// A gateway endpoint (free; `s3` or `dynamodb`) routed from private and isolated subnets.
    pub fn add_gateway_endpoint(&self, stack: &mut Stack, id: &str, service: &str) {
        let tables: Vec<Expr<String>> = self.inner_route_tables.iter().map(|t| t.ref_()).collect();
        let endpoint = l1::VpcEndpoint::new(self.id())
            .vpc_endpoint_type(VpcEndpointType::Gateway)
            .service_name(stackcraft_core::template::sub(format!(
                "com.amazonaws.${{AWS::Region}}.{service}"
            )))
            .route_table_ids(tables);
        stack.add_at(&format!("{}/{id}", self.path), endpoint);
    }

    fn add_flow_logs(&self, stack: &mut Stack) {
        let path = self.path.clone();
        let group = stack.scope(&path, |s| LogGroup::new(s, "FlowLogs"));
        let role = stack.scope(&path, |s| {
            Role::for_service(s, "FlowLogsRole", "vpc-flow-logs.amazonaws.com")
        });
        role.add_to_policy(
            stack,
            PolicyStatement::allow()
                .actions(&[
                    "logs:CreateLogStream",
                    "logs:DescribeLogStreams",
                    "logs:PutLogEvents",
                ])
                .resource(group.arn()),
        );
        stack.add_at(
            &format!("{path}/FlowLog"),
            l1::FlowLog::new(self.id(), FlowLogResourceType::Vpc)
                .traffic_type(TrafficType::All)
                .log_destination_type(LogDestinationType::CloudWatchLogs)
                .log_group_name(group.name())
                .deliver_logs_permission_arn(role.arn())
                .max_aggregation_interval(60),
        );
    }

    pub fn target(&self) -> &Target {
        self.vpc.target()
    }

    /// The VPC id (`Ref`).
    pub fn id(&self) -> Expr<String> {
        self.vpc.ref_()
    }

    /// The IPv4 range the subnets are planned in.
    pub fn cidr(&self) -> &str {
        &self.cidr
    }

    pub fn az_count(&self) -> usize {
        self.public.len()
    }

    pub fn nat_gateway_count(&self) -> u8 {
        self.nat_gateways
    }

    /// The subnets of one tier, one per zone.
    pub fn subnets(&self, kind: SubnetKind) -> &[SubnetRef] {
        match kind {
            SubnetKind::Public => &self.public,
            SubnetKind::Private => &self.private,
            SubnetKind::Isolated => &self.isolated,
        }
    }

    /// The subnet ids of one tier, as a list expression.
    pub fn subnet_ids(&self, kind: SubnetKind) -> Expr<Vec<String>> {
        self.subnets(kind)
            .iter()
            .map(SubnetRef::ref_)
            .collect::<Vec<_>>()
            .into()
    }

    /// The construct path of the VPC (its subnets are below it).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The name a tier has in subnet paths (`PrivateSubnet1`).
    pub fn kind_name(kind: SubnetKind) -> &'static str {
        kind.name()
    }
}

fn subnet(stack: &mut Stack, id: &str, vpc: &VpcRef, cidr: &str, az: &Expr<String>) -> SubnetRef {
    stack.add(
        id,
        l1::Subnet::new(vpc.ref_())
            .cidr_block(cidr)
            .availability_zone(az.clone())
            .map_public_ip_on_launch(false),
    )
}

fn route_table(stack: &mut Stack, id: &str, vpc: &VpcRef, subnet: &SubnetRef) -> l1::RouteTableRef {
    stack.scope(id, |s| {
        let table = s.add("RouteTable", l1::RouteTable::new(vpc.ref_()));
        s.add(
            "RouteTableAssociation",
            l1::SubnetRouteTableAssociation::new(table.ref_(), subnet.ref_()),
        );
        table
    })
}

/// An IPv4 block: network address and prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Block {
    base: u32,
    prefix: u8,
}

impl Block {
    fn parse(cidr: &str) -> Result<Block, String> {
        let block: stackcraft_core::Ipv4Cidr = cidr.parse().map_err(|why| {
            format!("{cidr:?} is not an IPv4 CIDR block such as 10.0.0.0/16: {why}")
        })?;
        Ok(Block {
            base: u32::from(block.network()),
            prefix: block.prefix,
        })
    }

    /// The `index`-th block of length `prefix` inside this one.
    fn child(self, prefix: u8, index: u32) -> Block {
        Block {
            base: self.base + (index << (32 - prefix)),
            prefix,
        }
    }
}

impl std::fmt::Display for Block {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let [a, b, c, d] = self.base.to_be_bytes();
        write!(f, "{a}.{b}.{c}.{d}/{}", self.prefix)
    }
}

/// Plans `[public, private, isolated]` CIDRs for each of `azs` zones. The private tier gets
/// the first half of the range (services need the addresses), public and isolated a quarter
/// each; every tier is split into four zone slots, so adding a zone later never moves a subnet.
/// A /16 gives /19 private and /20 public and isolated subnets.
pub fn plan_subnets(cidr: &str, azs: u8) -> Result<Vec<[String; 3]>, String> {
    let block = Block::parse(cidr)?;
    if !(16..=24).contains(&block.prefix) {
        return Err(format!(
            "a VPC range is /16 to /24 (subnets are at most /28), not /{}",
            block.prefix
        ));
    }
    if azs == 0 || azs > MAX_AZS {
        return Err(format!(
            "a VPC spans 1 to {MAX_AZS} availability zones, not {azs}"
        ));
    }
    let p = block.prefix;
    let private = block.child(p + 1, 0);
    let public = block.child(p + 2, 2);
    let isolated = block.child(p + 2, 3);
    Ok((0..u32::from(azs))
        .map(|zone| {
            [
                public.child(p + 4, zone).to_string(),
                private.child(p + 3, zone).to_string(),
                isolated.child(p + 4, zone).to_string(),
            ]
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slash_16_is_planned_into_disjoint_tiers() {
        let plan = plan_subnets("10.40.0.0/16", 3).unwrap();
        assert_eq!(
            plan,
            vec![
                ["10.40.128.0/20", "10.40.0.0/19", "10.40.192.0/20"].map(String::from),
                ["10.40.144.0/20", "10.40.32.0/19", "10.40.208.0/20"].map(String::from),
                ["10.40.160.0/20", "10.40.64.0/19", "10.40.224.0/20"].map(String::from),
            ]
        );
    }

    #[test]
    fn bad_ranges_and_zone_counts_are_refused() {
        assert!(plan_subnets("10.0.0.0/8", 2).is_err());
        assert!(plan_subnets("10.0.0.0/26", 2).is_err());
        assert!(plan_subnets("10.0.0.0/16", 0).is_err());
        assert!(plan_subnets("10.0.0.0/16", 5).is_err());
        assert!(plan_subnets("10.0.0/16", 2).is_err());
        // A host address is normalised to its network.
        assert_eq!(plan_subnets("10.0.3.7/24", 1).unwrap()[0][1], "10.0.3.0/27");
    }
}
