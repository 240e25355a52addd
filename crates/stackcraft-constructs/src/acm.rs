//! `acm::Certificate`: a public certificate validated through DNS: CloudFormation writes the
//! validation records into the domain's Route 53 hosted zone and waits until it is issued.

use stackcraft_core::template::{Expr, Target};
use stackcraft_core::Stack;
use stackcraft_resources::certificatemanager as l1;
use stackcraft_resources::certificatemanager::certificate::DomainValidationOption;

use crate::dns::Domain;

/// A certificate handle.
#[derive(Clone, Debug, PartialEq)]
pub struct Certificate {
    certificate: l1::CertificateRef,
    domain: Domain,
}

impl Certificate {
    /// A certificate for `domain`, validated by records in its hosted zone. A certificate for
    /// CloudFront must be created in `us-east-1`.
    pub fn new(stack: &mut Stack, id: &str, domain: &Domain) -> Certificate {
        let certificate = l1::Certificate::new(domain.name.as_str())
            .validation_method("DNS")
            .domain_validation_options(vec![DomainValidationOption::new()
                .domain_name(domain.name.as_str())
                .hosted_zone_id(domain.hosted_zone_id.as_str())]);
        Certificate {
            certificate: stack.add(id, certificate),
            domain: domain.clone(),
        }
    }

    pub fn target(&self) -> &Target {
        self.certificate.target()
    }

    /// The certificate's ARN (`Ref`).
    pub fn arn(&self) -> Expr<String> {
        self.certificate.ref_()
    }

    pub fn domain(&self) -> &Domain {
        &self.domain
    }
}
