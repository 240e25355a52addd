//! Where a distribution fetches from: a private bucket of the stack through origin access
//! control, or any HTTP server by its domain name (a load balancer, an API, another site).

use std::time::Duration;

use stackcraft_core::template::Expr;

use crate::elbv2::ApplicationLoadBalancer;
use crate::s3::Bucket;

/// How CloudFront talks to an HTTP origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OriginProtocol {
    /// TLS 1.2 to the origin, whose certificate must match its domain name.
    #[default]
    HttpsOnly,
    /// Plain HTTP: for origins without a certificate (a load balancer without a domain).
    /// The request crosses the internet between the edge and the origin unencrypted.
    HttpOnly,
}

/// An HTTP server CloudFront forwards to.
#[derive(Clone, Debug, PartialEq)]
pub struct HttpOrigin {
    /// Names the origin in the distribution (`TargetOriginId`).
    pub id: String,
    /// The server's domain name, without scheme or path.
    pub domain: Expr<String>,
    pub protocol: OriginProtocol,
    pub http_port: u16,
    pub https_port: u16,
    /// How long CloudFront waits for the first byte of a response (1 to 60 s; default 30 s).
    pub read_timeout: Duration,
    /// Headers CloudFront adds to every request to the origin (e.g. a secret the origin checks).
    pub headers: Vec<(String, Expr<String>)>,
}

/// An origin of a distribution.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    /// A private bucket of the same stack, read through origin access control: the
    /// distribution adds the one statement that lets it (and nothing else) read the objects.
    /// Its objects must be encrypted with S3-managed keys (CloudFront cannot use S3's AWS
    /// managed KMS key).
    Bucket(Bucket),
    Http(HttpOrigin),
}

impl Origin {
    pub fn bucket(bucket: &Bucket) -> Origin {
        Origin::Bucket(bucket.clone())
    }

    /// A server at `domain` on the standard ports, 30 s read timeout.
    pub fn http(id: &str, domain: impl Into<Expr<String>>, protocol: OriginProtocol) -> Origin {
        Origin::Http(HttpOrigin {
            id: id.to_owned(),
            domain: domain.into(),
            protocol,
            http_port: 80,
            https_port: 443,
            read_timeout: Duration::from_secs(30),
            headers: Vec::new(),
        })
    }

    /// A load balancer: over HTTPS at its domain when it has one (the certificate matches
    /// the name), over plain HTTP at its DNS name when it has no certificate. Pair it with
    /// [`crate::elbv2::Ingress::cloudfront`] so that only CloudFront reaches it.
    pub fn load_balancer(alb: &ApplicationLoadBalancer) -> Origin {
        let id = alb.target().logical_id.as_str();
        match (alb.domain(), alb.is_https()) {
            (Some(domain), true) => {
                Origin::http(id, domain.name.as_str(), OriginProtocol::HttpsOnly)
            }
            (_, true) => Origin::http(id, alb.dns_name(), OriginProtocol::HttpsOnly),
            (_, false) => Origin::http(id, alb.dns_name(), OriginProtocol::HttpOnly),
        }
    }

    /// The origin's id in the distribution: the bucket's logical id or the given id.
    pub fn id(&self) -> &str {
        match self {
            Origin::Bucket(bucket) => &bucket.target().logical_id,
            Origin::Http(http) => &http.id,
        }
    }
}
