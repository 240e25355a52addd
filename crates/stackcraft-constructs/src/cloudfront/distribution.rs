//! `cloudfront::Distribution`: one or more origins behind one CloudFront name, a default
//! [`Behavior`] and behaviours by path pattern. Viewers are always redirected to HTTPS; HTTP/2
//! and HTTP/3, IPv6; with a domain, its certificate (of `us-east-1`) and TLS 1.2_2021 at least;
//! access logs where the environment is protected; an optional WAF web ACL.
//!
//! The resources sit below the construct's id: `{id}/Distribution`, `{id}/OriginAccessControl`,
//! `{id}/AccessLogs`, `{id}/Certificate`, `{id}/AliasRecord`, and one `{id}/{name}CachePolicy` or
//! `{id}/{name}OriginRequestPolicy` per custom policy.

use std::collections::BTreeMap;
use std::time::Duration;

use stackcraft_core::template::{get_att, join, sub, sub_with, Expr, Target};
use stackcraft_core::Stack;
use stackcraft_resources::cloudfront::cache_policy::{
    self as cp, CachePolicyConfig, ParametersInCacheKeyAndForwardedToOrigin,
};
use stackcraft_resources::cloudfront::distribution::{
    CacheBehavior, CustomErrorResponse, CustomOriginConfig, DefaultCacheBehavior,
    DistributionConfig, HttpVersion, Logging, MinimumProtocolVersion, Origin as L1Origin,
    OriginCustomHeader, PriceClass, S3OriginConfig, SslSupportMethod, ViewerCertificate,
    ViewerProtocolPolicy,
};
use stackcraft_resources::cloudfront::origin_access_control::OriginAccessControlConfig;
use stackcraft_resources::cloudfront::origin_request_policy::{
    self as orp, OriginRequestPolicyConfig,
};
use stackcraft_resources::cloudfront::{self as l1, DistributionRef};
use stackcraft_resources::s3::bucket::{ObjectOwnership, OwnershipControls, OwnershipControlsRule};

use super::behavior::{
    Behavior, CachePolicy, CustomCachePolicy, CustomOriginRequestPolicy, PathBehavior, Select,
    CACHING_DISABLED, CACHING_OPTIMIZED,
};
use super::{Origin, OriginProtocol};
use crate::dns::{self, Domain, CLOUDFRONT_HOSTED_ZONE_ID};
use crate::iam::PolicyStatement;
use crate::s3::{Bucket, BucketOptions, Encryption};

/// A page CloudFront answers with when the origin answers `code`.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorResponse {
    /// The origin's status (403, 404, 500, ...).
    pub code: u16,
    /// The status the viewer gets.
    pub response_code: u16,
    /// The object served instead (`/index.html`).
    pub page: String,
    /// How long CloudFront remembers the error.
    pub cache_for: Duration,
}

impl ErrorResponse {
    /// A single-page application's fallback: `code` answered with `/index.html` and 200,
    /// remembered for 10 s.
    pub fn single_page_app(code: u16) -> ErrorResponse {
        ErrorResponse {
            code,
            response_code: 200,
            page: "/index.html".to_owned(),
            cache_for: Duration::from_secs(10),
        }
    }
}

/// Choices for a distribution besides its default behaviour.
#[derive(Clone, Debug, Default)]
pub struct DistributionOptions {
    /// Behaviours by path pattern, matched in this order before the default one.
    pub behaviors: Vec<PathBehavior>,
    /// A domain to serve at (alias record in its hosted zone).
    pub domain: Option<Domain>,
    /// The certificate for `domain`; CloudFront only takes certificates of `us-east-1`, so
    /// outside that region it must be given (in `us-east-1` one is created when absent).
    pub certificate_arn: Option<String>,
    /// Access logs to a bucket of this stack (default: protected environments).
    pub access_logs: Option<bool>,
    /// A WAF web ACL (its ARN, scope CLOUDFRONT, in `us-east-1`) that filters every request.
    pub web_acl_id: Option<String>,
    /// The object served for `/` (e.g. `index.html`).
    pub default_root_object: Option<String>,
    /// Pages served instead of origin errors. They apply to every behaviour: an API behind the
    /// same distribution would see its 404 replaced too.
    pub error_responses: Vec<ErrorResponse>,
    /// Describes the distribution (default: `<stack> <id>`).
    pub comment: Option<String>,
}

/// A distribution handle.
#[derive(Clone, Debug, PartialEq)]
pub struct Distribution {
    path: String,
    distribution: DistributionRef,
    domain: Option<Domain>,
}

impl Distribution {
    pub fn new(
        stack: &mut Stack,
        id: &str,
        default: Behavior,
        options: DistributionOptions,
    ) -> Distribution {
        let path = stack.path_of(id);
        let protected = stack.env().is_protected();
        let in_us_east_1 = stack.env().region == "us-east-1";
        let policies = Policies::new(id);

        // Every origin once, in the order behaviours name them; one id is one origin.
        let mut origins: Vec<Origin> = Vec::new();
        for behavior in
            std::iter::once(&default).chain(options.behaviors.iter().map(|b| &b.behavior))
        {
            match origins.iter().find(|o| o.id() == behavior.origin.id()) {
                Some(known) if *known != behavior.origin => stack.error(
                    &path,
                    format!(
                        "two different origins are both named {:?}: give each its own id",
                        behavior.origin.id()
                    ),
                ),
                Some(_) => {}
                None => origins.push(behavior.origin.clone()),
            }
        }
        let mut patterns = BTreeMap::new();
        for (n, b) in options.behaviors.iter().enumerate() {
            if let Some(first) = patterns.insert(b.pattern.as_str(), n) {
                stack.error(
                    &path,
                    format!(
                        "the path pattern {:?} has two behaviours (number {} and {})",
                        b.pattern,
                        first + 1,
                        n + 1
                    ),
                );
            }
        }

        let buckets: Vec<&Bucket> = origins
            .iter()
            .filter_map(|o| match o {
                Origin::Bucket(bucket) => Some(bucket),
                Origin::Http(_) => None,
            })
            .collect();
        let oac = (!buckets.is_empty()).then(|| {
            stack.scope(id, |s| {
                s.add(
                    "OriginAccessControl",
                    l1::OriginAccessControl::new(
                        OriginAccessControlConfig::new(
                            sub(format!("${{AWS::StackName}}-{id}")),
                            "s3",
                            "always",
                            "sigv4",
                        )
                        .description("CloudFront reads the origin buckets, nobody else does"),
                    ),
                )
            })
        });
        let l1_origins: Vec<L1Origin> = origins
            .iter()
            .map(|origin| match origin {
                Origin::Bucket(bucket) => {
                    L1Origin::new(bucket_regional_domain(bucket), origin.id())
                        .origin_access_control_id(oac.as_ref().expect("an OAC for buckets").id())
                        .s3_origin_config(S3OriginConfig::new().origin_access_identity(""))
                }
                Origin::Http(http) => {
                    let mut config = CustomOriginConfig::new(match http.protocol {
                        OriginProtocol::HttpsOnly => "https-only",
                        OriginProtocol::HttpOnly => "http-only",
                    })
                    .http_port(i64::from(http.http_port))
                    .https_port(i64::from(http.https_port))
                    .origin_read_timeout(http.read_timeout.as_secs() as i64);
                    if http.protocol == OriginProtocol::HttpsOnly {
                        config = config.origin_ssl_protocols(vec!["TLSv1.2"]);
                    }
                    let mut o = L1Origin::new(http.domain.clone(), http.id.as_str())
                        .custom_origin_config(config);
                    if !http.headers.is_empty() {
                        o = o.origin_custom_headers(
                            http.headers
                                .iter()
                                .map(|(name, value)| {
                                    OriginCustomHeader::new(name.as_str(), value.clone())
                                })
                                .collect::<Vec<_>>(),
                        );
                    }
                    o
                }
            })
            .collect();
        for origin in &origins {
            if let Origin::Http(http) = origin {
                if !(1..=60).contains(&http.read_timeout.as_secs()) {
                    stack.error(
                        &path,
                        format!(
                            "origin {:?}: the read timeout must be 1 to 60 seconds",
                            http.id
                        ),
                    );
                }
            }
        }

        let default_l1 = {
            let b = &default;
            let ids = policies.ids(stack, &path, b);
            let mut d =
                DefaultCacheBehavior::new(b.origin.id(), ViewerProtocolPolicy::RedirectToHttps)
                    .cache_policy_id(ids.cache)
                    .compress(b.compress)
                    .allowed_methods(b.methods.allowed())
                    .cached_methods(vec!["GET", "HEAD"]);
            if let Some(request) = ids.origin_request {
                d = d.origin_request_policy_id(request);
            }
            if let Some(headers) = &b.response_headers {
                d = d.response_headers_policy_id(headers.clone());
            }
            d
        };
        let path_l1: Vec<CacheBehavior> = options
            .behaviors
            .iter()
            .map(|pb| {
                let b = &pb.behavior;
                let ids = policies.ids(stack, &path, b);
                let mut c =
                    CacheBehavior::new(pb.pattern.as_str(), b.origin.id(), "redirect-to-https")
                        .cache_policy_id(ids.cache)
                        .compress(b.compress)
                        .allowed_methods(b.methods.allowed())
                        .cached_methods(vec!["GET", "HEAD"]);
                if let Some(request) = ids.origin_request {
                    c = c.origin_request_policy_id(request);
                }
                if let Some(headers) = &b.response_headers {
                    c = c.response_headers_policy_id(headers.clone());
                }
                c
            })
            .collect();

        let mut config = DistributionConfig::new(default_l1, true)
            .comment(
                options
                    .comment
                    .clone()
                    .unwrap_or_else(|| format!("{} {id}", stack.name())),
            )
            .origins(l1_origins)
            .http_version(HttpVersion::Http2and3)
            .ipv6_enabled(true)
            .price_class(PriceClass::PriceClass100);
        if !path_l1.is_empty() {
            config = config.cache_behaviors(path_l1);
        }
        if let Some(object) = &options.default_root_object {
            config = config.default_root_object(object.as_str());
        }
        if !options.error_responses.is_empty() {
            config = config.custom_error_responses(
                options
                    .error_responses
                    .iter()
                    .map(|e| {
                        CustomErrorResponse::new(i64::from(e.code))
                            .response_code(i64::from(e.response_code))
                            .response_page_path(e.page.as_str())
                            .error_caching_min_ttl(e.cache_for.as_secs_f64())
                    })
                    .collect::<Vec<_>>(),
            );
        }
        if let Some(acl) = &options.web_acl_id {
            config = config.web_acl_id(acl.as_str());
        }

        let certificate = match (&options.certificate_arn, &options.domain) {
            (Some(arn), _) => Some(Expr::from(arn.as_str())),
            (None, Some(domain)) if in_us_east_1 => {
                Some(stack.scope(id, |s| dns::certificate(s, "Certificate", domain)))
            }
            (None, Some(_)) => {
                stack.error(
                    &path,
                    "a CloudFront domain needs a certificate of us-east-1: give its ARN (certificate_arn)".to_owned(),
                );
                None
            }
            (None, None) => None,
        };
        let uses_default_certificate = certificate.is_none();
        config = match (&options.domain, certificate) {
            (Some(domain), Some(certificate)) => config
                .aliases(vec![domain.name.as_str()])
                .viewer_certificate(
                    ViewerCertificate::new()
                        .acm_certificate_arn(certificate)
                        .ssl_support_method(SslSupportMethod::SniOnly)
                        .minimum_protocol_version(MinimumProtocolVersion::Tlsv122021),
                ),
            _ => config
                .viewer_certificate(ViewerCertificate::new().cloud_front_default_certificate(true)),
        };
        if options.access_logs.unwrap_or(protected) {
            let logs = access_log_bucket(stack, id);
            config = config.logging(
                Logging::new()
                    .bucket(bucket_regional_domain(&logs))
                    .prefix(format!("{id}/"))
                    .include_cookies(false),
            );
        }
        let distribution =
            stack.scope(id, |s| s.add("Distribution", l1::Distribution::new(config)));
        if uses_default_certificate {
            stack.suppress(
                distribution.target(),
                "CKV_AWS_174",
                "No custom domain is configured, so the distribution serves its *.cloudfront.net name with CloudFront's default certificate, whose TLS policy CloudFront fixes; configure a domain to enforce TLSv1.2_2021.",
            );
        }

        for bucket in buckets {
            let read = PolicyStatement::allow()
                .sid("AllowCloudFrontRead")
                .service_principal("cloudfront.amazonaws.com")
                .actions(&["s3:GetObject"])
                .resource(bucket.objects_arn("*"))
                .condition(
                    "StringEquals",
                    "AWS:SourceArn",
                    sub_with(
                        "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${Distribution}",
                        [("Distribution", distribution.ref_())],
                    ),
                );
            bucket.add_to_resource_policy(stack, read);
        }
        if let Some(domain) = &options.domain {
            stack.scope(id, |s| {
                dns::alias(
                    s,
                    "AliasRecord",
                    domain,
                    distribution.domain_name(),
                    CLOUDFRONT_HOSTED_ZONE_ID.into(),
                )
            });
        }
        Distribution {
            path,
            distribution,
            domain: options.domain.clone(),
        }
    }

    /// The `AWS::CloudFront::Distribution` resource (to suppress a check on it).
    pub fn target(&self) -> &Target {
        self.distribution.target()
    }

    /// The construct path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The distribution id (`E...`), e.g. for invalidations.
    pub fn id(&self) -> Expr<String> {
        self.distribution.id()
    }

    /// `<id>.cloudfront.net`.
    pub fn domain_name(&self) -> Expr<String> {
        self.distribution.domain_name()
    }

    /// `https://<domain>` or `https://<id>.cloudfront.net`.
    pub fn url(&self) -> Expr<String> {
        match &self.domain {
            Some(domain) => format!("https://{}", domain.name).into(),
            None => join("", vec![Expr::from("https://"), self.domain_name()]),
        }
    }
}

/// The ids a behaviour's policies have in the template.
struct PolicyIds {
    cache: Expr<String>,
    origin_request: Option<Expr<String>>,
}

/// Creates each custom policy once (two behaviours may share one) below the distribution.
struct Policies {
    id: String,
}

impl Policies {
    fn new(id: &str) -> Policies {
        Policies { id: id.to_owned() }
    }

    fn ids(&self, stack: &mut Stack, path: &str, behavior: &Behavior) -> PolicyIds {
        let cache = match &behavior.cache {
            CachePolicy::CachingOptimized => Expr::from(CACHING_OPTIMIZED),
            CachePolicy::CachingDisabled => Expr::from(CACHING_DISABLED),
            CachePolicy::Custom(custom) => self.cache_policy(stack, path, custom),
        };
        let origin_request =
            behavior
                .origin_request
                .as_ref()
                .map(|policy| match policy.managed_id() {
                    Some(managed) => Expr::from(managed),
                    None => match policy {
                        super::OriginRequestPolicy::Custom(custom) => {
                            self.origin_request_policy(stack, custom)
                        }
                        _ => unreachable!("every other policy is managed"),
                    },
                });
        PolicyIds {
            cache,
            origin_request,
        }
    }

    fn name(&self, name: &str) -> Expr<String> {
        sub(format!("${{AWS::StackName}}-{}-{name}", self.id))
    }

    fn cache_policy(&self, stack: &mut Stack, path: &str, p: &CustomCachePolicy) -> Expr<String> {
        if matches!(p.headers, Select::All | Select::AllExcept(_)) {
            stack.error(
                path,
                format!("cache policy {:?}: headers in a cache key can only be listed (Select::Only), not all of them", p.name),
            );
        }
        if !(p.min_ttl <= p.default_ttl && p.default_ttl <= p.max_ttl) {
            stack.error(
                path,
                format!(
                    "cache policy {:?}: min_ttl <= default_ttl <= max_ttl must hold",
                    p.name
                ),
            );
        }
        let cookies = with_names(
            cp::CookiesConfig::new(behavior_name(&p.cookies, "all")),
            &p.cookies,
            cp::CookiesConfig::cookies,
        );
        let headers = with_names(
            cp::HeadersConfig::new(behavior_name(&p.headers, "none")),
            &p.headers,
            cp::HeadersConfig::headers,
        );
        let queries = with_names(
            cp::QueryStringsConfig::new(behavior_name(&p.query_strings, "all")),
            &p.query_strings,
            cp::QueryStringsConfig::query_strings,
        );
        let parameters =
            ParametersInCacheKeyAndForwardedToOrigin::new(cookies, true, headers, queries)
                .enable_accept_encoding_brotli(true);
        let config = CachePolicyConfig::new(
            p.default_ttl.as_secs_f64(),
            p.max_ttl.as_secs_f64(),
            p.min_ttl.as_secs_f64(),
            self.name(&p.name),
            parameters,
        );
        let id = format!("{}CachePolicy", p.name);
        stack.scope(&self.id, |s| {
            if let Some(known) = s.lookup(&s.path_of(&id)) {
                return get_att(&known, "Id");
            }
            s.add(&id, l1::CachePolicy::new(config)).id()
        })
    }

    fn origin_request_policy(
        &self,
        stack: &mut Stack,
        p: &CustomOriginRequestPolicy,
    ) -> Expr<String> {
        let cookies = with_names(
            orp::CookiesConfig::new(behavior_name(&p.cookies, "all")),
            &p.cookies,
            orp::CookiesConfig::cookies,
        );
        let headers = with_names(
            orp::HeadersConfig::new(behavior_name(&p.headers, "allViewer")),
            &p.headers,
            orp::HeadersConfig::headers,
        );
        let queries = with_names(
            orp::QueryStringsConfig::new(behavior_name(&p.query_strings, "all")),
            &p.query_strings,
            orp::QueryStringsConfig::query_strings,
        );
        let config = OriginRequestPolicyConfig::new(cookies, headers, self.name(&p.name), queries);
        let id = format!("{}OriginRequestPolicy", p.name);
        stack.scope(&self.id, |s| {
            if let Some(known) = s.lookup(&s.path_of(&id)) {
                return get_att(&known, "Id");
            }
            s.add(&id, l1::OriginRequestPolicy::new(config)).id()
        })
    }
}

/// CloudFront's word for a selection; `all` is what "every one" is called in that place.
fn behavior_name(select: &Select, all: &'static str) -> &'static str {
    match select {
        Select::None => "none",
        Select::All => all,
        Select::Only(_) => "whitelist",
        Select::AllExcept(_) => "allExcept",
    }
}

fn with_names<C>(config: C, select: &Select, set: fn(C, Vec<String>) -> C) -> C {
    match select.names() {
        Some(names) => set(config, names),
        None => config,
    }
}

/// The bucket CloudFront's standard logs are delivered to (with an ACL grant, so ACLs on).
fn access_log_bucket(stack: &mut Stack, id: &str) -> Bucket {
    let logs = stack.scope(id, |s| {
        Bucket::with(
            s,
            "AccessLogs",
            BucketOptions {
                access_logs: Some(false),
                encryption: Encryption::S3Managed,
                ..BucketOptions::default()
            },
        )
    });
    let ownership = OwnershipControls::new(vec![
        OwnershipControlsRule::new().object_ownership(ObjectOwnership::BucketOwnerPreferred)
    ]);
    stack.set_property(logs.target(), "OwnershipControls", Expr::from(ownership));
    stack.suppress(
        logs.target(),
        "CKV_AWS_18",
        "This bucket receives CloudFront's access logs; logging it too would need yet another bucket, and its writes are CloudFront's own log deliveries.",
    );
    logs
}

/// `<bucket>.s3.<region>.amazonaws.com`.
fn bucket_regional_domain(bucket: &Bucket) -> Expr<String> {
    get_att(bucket.target(), "RegionalDomainName")
}
