//! `cloudfront::StaticSite`: a private bucket served by a CloudFront distribution through Origin
//! Access Control; HTTPS only, security headers on every response, SPA fallback to
//! `index.html`, access logs where protected, a custom domain with its certificate when configured.
//! The site's files are a directory asset that deploy publishes into the bucket once the stack
//! is deployed (content types, cache headers, removed files pruned, changed paths
//! invalidated), with a `config.json` written from the stack's outputs.

use std::path::{Path, PathBuf};

use stackcraft_core::template::{join, sub, sub_with, Expr, Target};
use stackcraft_core::{Asset, SitePublication, Stack};
use stackcraft_resources::cloudfront::distribution::{
    CustomErrorResponse, DefaultCacheBehavior, DistributionConfig, HttpVersion, Logging,
    MinimumProtocolVersion, Origin, PriceClass, S3OriginConfig, SslSupportMethod,
    ViewerCertificate, ViewerProtocolPolicy,
};
use stackcraft_resources::cloudfront::origin_access_control::OriginAccessControlConfig;
use stackcraft_resources::cloudfront::response_headers_policy::{
    ContentSecurityPolicy, ContentTypeOptions, FrameOptions, ReferrerPolicy,
    ResponseHeadersPolicyConfig, SecurityHeadersConfig, StrictTransportSecurity, XssProtection,
};
use stackcraft_resources::cloudfront::{self as l1, DistributionRef};
use stackcraft_resources::s3::bucket::{ObjectOwnership, OwnershipControls, OwnershipControlsRule};

use crate::dns::{self, Domain, CLOUDFRONT_HOSTED_ZONE_ID};
use crate::iam::PolicyStatement;
use crate::s3::{Bucket, BucketOptions, Encryption};

/// The managed cache policy `CachingOptimized`.
pub const CACHING_OPTIMIZED: &str = "658327ea-f89d-4fab-a63d-7e88639e58f6";

/// Choices for a site.
#[derive(Clone, Debug, Default)]
pub struct SiteOptions {
    /// The directory of the site's files (hidden files and `target/` left out), which deploy
    /// publishes into the bucket; `None`: an empty site.
    pub source: Option<PathBuf>,
    /// A domain to serve the site at (alias record in its hosted zone).
    pub domain: Option<Domain>,
    /// The certificate for `domain`; CloudFront only takes certificates of `us-east-1`, so
    /// outside that region it must be given (in `us-east-1` one is created when absent).
    pub certificate_arn: Option<String>,
    /// The certificate for `domain` as a template value (e.g. read from `us-east-1` at deploy
    /// time by `ssm::CrossRegionParameter`), when `certificate_arn` is not given.
    pub certificate: Option<Expr<String>>,
    /// Origins the page may call besides its own (`connect-src` of the security policy).
    pub connect_to: Vec<Expr<String>>,
    /// Access logs to a bucket of this stack (default: protected environments).
    pub access_logs: Option<bool>,
}

/// A static site handle.
#[derive(Clone, Debug, PartialEq)]
pub struct StaticSite {
    /// Construct path below the stack.
    path: String,
    bucket: Bucket,
    distribution: DistributionRef,
    domain: Option<Domain>,
    asset: Option<Asset>,
}

impl StaticSite {
    pub fn new(stack: &mut Stack, id: &str, options: SiteOptions) -> StaticSite {
        let protected = stack.env().is_protected();
        let path = stack.path_of(id);
        let in_us_east_1 = stack.env().region == "us-east-1";
        let asset = options
            .source
            .as_ref()
            .and_then(|source| match directory_asset(source) {
                Ok(asset) => {
                    stack.add_asset(asset.clone());
                    Some(asset)
                }
                Err(why) => {
                    stack.error(&path, why);
                    None
                }
            });

        let bucket = stack.scope(id, |s| {
            // Origin Access Control signs with CloudFront's identity, which cannot use the
            // AWS managed KMS key of S3: the site's public files are encrypted with SSE-S3.
            Bucket::with(
                s,
                "Bucket",
                BucketOptions {
                    encryption: Encryption::S3Managed,
                    ..BucketOptions::default()
                },
            )
        });
        let oac = stack.scope(id, |s| {
            s.add(
                "OriginAccessControl",
                l1::OriginAccessControl::new(
                    OriginAccessControlConfig::new(
                        sub(format!("${{AWS::StackName}}-{id}")),
                        "s3",
                        "always",
                        "sigv4",
                    )
                    .description("CloudFront reads the site bucket, nobody else does"),
                ),
            )
        });
        let mut connect = vec![Expr::from("connect-src 'self'")];
        connect.extend(options.connect_to.iter().cloned());
        let csp = join(
            "",
            vec![
                Expr::from("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; "),
                join(" ", connect),
            ],
        );
        let headers = stack.scope(id, |s| {
            s.add(
                "SecurityHeaders",
                l1::ResponseHeadersPolicy::new(
                    ResponseHeadersPolicyConfig::new(sub(format!(
                        "${{AWS::StackName}}-{id}-security"
                    )))
                    .comment("HSTS, no sniffing, no framing, strict referrer and content policy")
                    .security_headers_config(
                        SecurityHeadersConfig::new()
                            .strict_transport_security(
                                StrictTransportSecurity::new(63_072_000, true)
                                    .include_subdomains(true)
                                    .preload(true),
                            )
                            .content_type_options(ContentTypeOptions::new(true))
                            .frame_options(FrameOptions::new("DENY", true))
                            .referrer_policy(ReferrerPolicy::new(
                                true,
                                "strict-origin-when-cross-origin",
                            ))
                            .xss_protection(XssProtection::new(true, true).mode_block(true))
                            .content_security_policy(ContentSecurityPolicy::new(csp, true)),
                    ),
                ),
            )
        });

        let origin_id = "site-bucket";
        let behavior = DefaultCacheBehavior::new(origin_id, ViewerProtocolPolicy::RedirectToHttps)
            .cache_policy_id(CACHING_OPTIMIZED)
            .response_headers_policy_id(headers.id())
            .compress(true)
            .allowed_methods(vec!["GET", "HEAD"])
            .cached_methods(vec!["GET", "HEAD"]);
        let spa = |code: i64| {
            CustomErrorResponse::new(code)
                .response_code(200)
                .response_page_path("/index.html")
                .error_caching_min_ttl(10)
        };
        let mut config = DistributionConfig::new(behavior, true)
            .comment(format!("{} {id}", stack.name()))
            .default_root_object("index.html")
            .origins(vec![Origin::new(
                bucket_regional_domain(&bucket),
                origin_id,
            )
            .origin_access_control_id(oac.id())
            .s3_origin_config(S3OriginConfig::new().origin_access_identity(""))])
            .custom_error_responses(vec![spa(403), spa(404)])
            .http_version(HttpVersion::Http2and3)
            .ipv6_enabled(true)
            .price_class(PriceClass::PriceClass100);

        let certificate = match (&options.certificate_arn, &options.domain) {
            (Some(arn), _) => Some(Expr::from(arn.as_str())),
            (None, Some(_)) if options.certificate.is_some() => options.certificate.clone(),
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
            // CloudFront's standard logs are delivered with an ACL grant, which needs ACLs on.
            let ownership = OwnershipControls::new(vec![OwnershipControlsRule::new()
                .object_ownership(ObjectOwnership::BucketOwnerPreferred)]);
            stack.set_property(logs.target(), "OwnershipControls", Expr::from(ownership));
            stack.suppress(
                logs.target(),
                "CKV_AWS_18",
                "This bucket receives CloudFront's access logs; logging it too would need yet another bucket, and its writes are CloudFront's own log deliveries.",
            );
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
        stack.suppress(
            distribution.target(),
            "CKV_AWS_68",
            "Serves public static files only (HTML, CSS, JavaScript) from a private bucket: no forms, no cookies, no origin to attack behind it. A web ACL for CloudFront must live in us-east-1 and costs per request without protecting anything here.",
        );
        stack.suppress(
            distribution.target(),
            "CKV_AWS_310",
            "One S3 origin in one region: S3's own durability is the failover; a second bucket and replication would double the storage for static files that deploy can re-upload at any time.",
        );

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
        if let Some(asset) = &asset {
            stack.add_site(SitePublication::new(
                path.clone(),
                asset.hash.clone(),
                bucket.target().logical_id.clone(),
                distribution.target().logical_id.clone(),
            ));
        }
        StaticSite {
            path,
            bucket,
            distribution,
            domain: options.domain.clone(),
            asset,
        }
    }

    pub fn target(&self) -> &Target {
        self.distribution.target()
    }

    pub fn bucket(&self) -> &Bucket {
        &self.bucket
    }

    pub fn distribution_id(&self) -> Expr<String> {
        self.distribution.id()
    }

    /// `https://<domain>` or `https://<id>.cloudfront.net`.
    pub fn url(&self) -> Expr<String> {
        match &self.domain {
            Some(domain) => format!("https://{}", domain.name).into(),
            None => join(
                "",
                vec![Expr::from("https://"), self.distribution.domain_name()],
            ),
        }
    }

    /// Publishes `config.json` (replacing the source's own) with `key` set to the value of the
    /// stack output `output` once the stack is deployed, e.g. `("apiUrl", "ApiUrl")`: the page
    /// reads where its API is without the address being typed twice. Synth fails when the
    /// stack has no such output.
    pub fn config_from_output(&self, stack: &mut Stack, key: &str, output: &str) -> &Self {
        match stack.site_mut(&self.path) {
            Some(site) => {
                site.config.insert(key.to_owned(), output.to_owned());
            }
            None => stack.error(
                &self.path,
                format!("config.json key {key:?}: the site has no source directory to publish"),
            ),
        }
        self
    }

    /// The published files, if the site has a source directory.
    pub fn asset(&self) -> Option<&Asset> {
        self.asset.as_ref()
    }
}

/// `<bucket>.s3.<region>.amazonaws.com`.
fn bucket_regional_domain(bucket: &Bucket) -> Expr<String> {
    stackcraft_core::template::get_att(bucket.target(), "RegionalDomainName")
}

/// A directory asset: the files below `source` (hidden files aside), addressed by a hash of
/// their relative paths and contents, so the hash changes exactly when a file does.
pub fn directory_asset(source: &Path) -> Result<Asset, String> {
    let error = |e: &dyn std::fmt::Display| format!("the site directory {}: {e}", source.display());
    // Hashed from its absolute path (relative paths in the hash are its own); the asset keeps
    // the path it was given, so the manifest names no directory of this machine.
    let absolute = source.canonicalize().map_err(|e| error(&e))?;
    let mut asset = stackcraft_assets::directory(&absolute).map_err(|e| error(&e))?;
    asset.source = source.to_owned();
    Ok(asset)
}
