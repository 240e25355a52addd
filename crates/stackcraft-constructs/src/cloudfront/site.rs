//! `cloudfront::StaticSite`: a private bucket served by a [`Distribution`] through Origin
//! Access Control (other origins can share it by path); HTTPS only, security headers on every response, SPA fallback to
//! `index.html`, access logs where protected, a custom domain with its certificate when configured.
//! The site's files are a directory asset that deploy publishes into the bucket once the stack
//! is deployed (content types, cache headers, removed files pruned, changed paths
//! invalidated), with a `config.json` written from the stack's outputs.

use std::path::{Path, PathBuf};

use stackcraft_core::template::{join, Expr, Target};
use stackcraft_core::{Asset, SitePublication, Stack};
use stackcraft_resources::cloudfront as l1;
use stackcraft_resources::cloudfront::response_headers_policy::{
    ContentSecurityPolicy, ContentTypeOptions, FrameOptions, ReferrerPolicy,
    ResponseHeadersPolicyConfig, SecurityHeadersConfig, StrictTransportSecurity, XssProtection,
};

use super::{Behavior, Distribution, DistributionOptions, ErrorResponse, Origin, PathBehavior};
use crate::dns::Domain;
use crate::s3::{Bucket, BucketOptions, Encryption};

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
    /// Origins the page may call besides its own (`connect-src` of the security policy).
    pub connect_to: Vec<Expr<String>>,
    /// Access logs to a bucket of this stack (default: protected environments).
    pub access_logs: Option<bool>,
    /// Paths served by other origins through the same distribution (e.g. an API at `/api/*`,
    /// so the page calls its own origin). They get the site's security headers unless they
    /// set their own. With any, origin errors are passed through instead of answered with
    /// `index.html` (CloudFront's error pages would apply to the API too).
    pub behaviors: Vec<PathBehavior>,
    /// A WAF web ACL (ARN, scope CLOUDFRONT) for every request.
    pub web_acl_id: Option<String>,
}

/// A static site handle.
#[derive(Clone, Debug, PartialEq)]
pub struct StaticSite {
    /// Construct path below the stack.
    path: String,
    bucket: Bucket,
    distribution: Distribution,
    asset: Option<Asset>,
}

impl StaticSite {
    pub fn new(stack: &mut Stack, id: &str, options: SiteOptions) -> StaticSite {
        let path = stack.path_of(id);
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
                    ResponseHeadersPolicyConfig::new(sub_name(id))
                        .comment(
                            "HSTS, no sniffing, no framing, strict referrer and content policy",
                        )
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

        let behaviors: Vec<PathBehavior> = options
            .behaviors
            .iter()
            .cloned()
            .map(|mut b| {
                if b.behavior.response_headers.is_none() {
                    b.behavior = b.behavior.response_headers(headers.id());
                }
                b
            })
            .collect();
        // A single-page application's routes are answered by index.html, unless other
        // origins share the distribution (their errors must reach the caller as they are).
        let error_responses = if behaviors.is_empty() {
            vec![
                ErrorResponse::single_page_app(403),
                ErrorResponse::single_page_app(404),
            ]
        } else {
            Vec::new()
        };
        let only_files = behaviors.is_empty();
        let distribution = Distribution::new(
            stack,
            id,
            Behavior::new(Origin::bucket(&bucket)).response_headers(headers.id()),
            DistributionOptions {
                behaviors,
                domain: options.domain.clone(),
                certificate_arn: options.certificate_arn.clone(),
                access_logs: options.access_logs,
                web_acl_id: options.web_acl_id.clone(),
                default_root_object: Some("index.html".to_owned()),
                error_responses,
                comment: None,
            },
        );
        if only_files {
            if options.web_acl_id.is_none() {
                stack.suppress(
                    distribution.target(),
                    "CKV_AWS_68",
                    "Serves public static files only (HTML, CSS, JavaScript) from a private bucket: no forms, no cookies, no origin to attack behind it. A web ACL for CloudFront must live in us-east-1 and costs per request without protecting anything here.",
                );
            }
            stack.suppress(
                distribution.target(),
                "CKV_AWS_310",
                "One S3 origin in one region: S3's own durability is the failover; a second bucket and replication would double the storage for static files that deploy can re-upload at any time.",
            );
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

    /// The distribution that serves the site.
    pub fn distribution(&self) -> &Distribution {
        &self.distribution
    }

    /// `https://<domain>` or `https://<id>.cloudfront.net`.
    pub fn url(&self) -> Expr<String> {
        self.distribution.url()
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

/// `<stack>-<id>-security`: the policy's name, unique in the account.
fn sub_name(id: &str) -> Expr<String> {
    stackcraft_core::template::sub(format!("${{AWS::StackName}}-{id}-security"))
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
