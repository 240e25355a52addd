//! CloudFront: a [`Distribution`] of origins (private buckets through origin access control,
//! HTTP servers such as load balancers) and behaviours by path, with managed or custom cache
//! and origin request policies; and a [`StaticSite`] built on it (a private bucket, security
//! headers, the site's files published by deploy).
//!
//! A load balancer that only CloudFront may reach is an [`crate::elbv2::Ingress::cloudfront`]
//! load balancer given to [`Origin::load_balancer`].

mod behavior;
mod distribution;
mod origin;
mod site;

pub use behavior::{
    AllowedMethods, Behavior, CachePolicy, CustomCachePolicy, CustomOriginRequestPolicy,
    OriginRequestPolicy, PathBehavior, Select, ALL_VIEWER, ALL_VIEWER_EXCEPT_HOST_HEADER,
    CACHING_DISABLED, CACHING_OPTIMIZED, CORS_S3_ORIGIN,
};
pub use distribution::{Distribution, DistributionOptions, ErrorResponse};
pub use origin::{HttpOrigin, Origin, OriginProtocol};
pub use site::{directory_asset, SiteOptions, StaticSite};
