//! Domains: ACM certificates validated through Route 53, and alias records.

use stackcraft_core::template::Expr;
use stackcraft_core::Stack;
use stackcraft_resources::certificatemanager as acm;
use stackcraft_resources::certificatemanager::certificate::DomainValidationOption;
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
    let certificate = acm::Certificate::new(domain.name.as_str())
        .validation_method("DNS")
        .domain_validation_options(vec![DomainValidationOption::new()
            .domain_name(domain.name.as_str())
            .hosted_zone_id(domain.hosted_zone_id.as_str())]);
    stack.add(id, certificate).ref_()
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
