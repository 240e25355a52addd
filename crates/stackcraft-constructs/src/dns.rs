//! Domains: ACM certificates validated through Route 53, and alias records.

use stackcraft_core::template::Expr;
use stackcraft_core::Stack;
use stackcraft_resources::route53 as r53;
use stackcraft_resources::route53::record_set::AliasTarget;

/// A domain name in a Route 53 hosted zone of the account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Domain {
    /// The full name, e.g. `api.example.com`.
    pub name: String,
    /// The id of the public hosted zone that holds it (`Z...`).
    pub hosted_zone_id: String,
}

/// The hosted zone id every CloudFront distribution's alias target lives in.
pub const CLOUDFRONT_HOSTED_ZONE_ID: &str = "Z2FDTNDATAQYW2";

/// A public certificate for `domain`, validated by DNS records CloudFormation writes into the
/// hosted zone (the stack waits until it is issued). Returns its ARN.
pub fn certificate(stack: &mut Stack, id: &str, domain: &Domain) -> Expr<String> {
    crate::acm::Certificate::new(stack, id, domain).arn()
}

/// An `A` alias record from `domain` to a load balancer or distribution.
pub fn alias(
    stack: &mut Stack,
    id: &str,
    domain: &Domain,
    dns_name: Expr<String>,
    hosted_zone_id: Expr<String>,
) {
    let record = r53::RecordSet::new(domain.name.as_str(), "A")
        .hosted_zone_id(domain.hosted_zone_id.as_str())
        .alias_target(AliasTarget::new(dns_name, hosted_zone_id));
    stack.add(id, record);
}

/// A private hosted zone: names that resolve only inside its VPC (service discovery by DNS).
#[derive(Clone, Debug, PartialEq)]
pub struct PrivateZone {
    zone: r53::HostedZoneRef,
    name: String,
    path: String,
}

/// How long resolvers cache a record of a private zone: short, so a failover or a replaced
/// instance is seen within a minute.
const PRIVATE_TTL: &str = "60";

impl PrivateZone {
    /// The zone `name` (e.g. `shop.internal`), associated with `vpc`.
    pub fn new(stack: &mut Stack, id: &str, name: &str, vpc: &crate::ec2::Vpc) -> PrivateZone {
        let path = stack.path_of(id);
        let region = stack.env().region.clone();
        let zone = r53::HostedZone::new()
            .name(name)
            .hosted_zone_config(
                r53::hosted_zone::HostedZoneConfig::new()
                    .comment(format!("Private names of the stack's services in {region}")),
            )
            .vpcs(vec![r53::hosted_zone::Vpc::new(
                vpc.id(),
                stackcraft_core::template::pseudo::region(),
            )]);
        let zone = stack.add(id, zone);
        PrivateZone {
            zone,
            name: name.trim_end_matches('.').to_owned(),
            path,
        }
    }

    pub fn target(&self) -> &stackcraft_core::template::Target {
        self.zone.target()
    }

    /// The hosted zone id (`Ref`).
    pub fn id(&self) -> Expr<String> {
        self.zone.ref_()
    }

    /// The zone's name, without the trailing dot.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `<name>.<zone>` → `target` (a host name); returns the full record name.
    pub fn add_cname(
        &self,
        stack: &mut Stack,
        id: &str,
        name: &str,
        target: impl Into<Expr<String>>,
    ) -> String {
        self.add_record(stack, id, name, "CNAME", target.into())
    }

    /// `<name>.<zone>` → an IPv4 address (an instance's private address).
    pub fn add_a(
        &self,
        stack: &mut Stack,
        id: &str,
        name: &str,
        address: impl Into<Expr<String>>,
    ) -> String {
        self.add_record(stack, id, name, "A", address.into())
    }

    fn add_record(
        &self,
        stack: &mut Stack,
        id: &str,
        name: &str,
        kind: &str,
        value: Expr<String>,
    ) -> String {
        let full = format!("{name}.{}", self.name);
        let record = r53::RecordSet::new(full.as_str(), kind)
            .hosted_zone_id(self.id())
            .ttl(PRIVATE_TTL)
            .resource_records(vec![value]);
        stack.add_at(&format!("{}/{id}", self.path), record);
        full
    }
}
