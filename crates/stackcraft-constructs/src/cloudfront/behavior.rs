//! What a distribution does with the requests of one path pattern: the origin it sends them
//! to, what it caches ([`CachePolicy`]), what it forwards ([`OriginRequestPolicy`]) and which
//! methods it accepts ([`AllowedMethods`]). Values, built fluently:
//!
//! ```ignore
//! Behavior::new(Origin::load_balancer(&alb))
//!     .cache(CachePolicy::CachingDisabled)
//!     .origin_request(OriginRequestPolicy::AllViewerExceptHostHeader)
//!     .methods(AllowedMethods::All)
//! ```

use std::time::Duration;

use stackcraft_core::template::Expr;

use super::Origin;

/// The managed cache policy `CachingOptimized`: long TTLs, gzip and brotli, no cookies,
/// headers or query strings in the key.
pub const CACHING_OPTIMIZED: &str = "658327ea-f89d-4fab-a63d-7e88639e58f6";
/// The managed cache policy `CachingDisabled`: every request goes to the origin.
pub const CACHING_DISABLED: &str = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
/// The managed origin request policy `AllViewer`: every header, cookie and query string.
pub const ALL_VIEWER: &str = "216adef6-5c7f-47e4-b989-5492eafa07d3";
/// The managed origin request policy `AllViewerExceptHostHeader`: the same without `Host`, so
/// the origin sees its own name (what load balancers, API Gateway and TLS origins expect).
pub const ALL_VIEWER_EXCEPT_HOST_HEADER: &str = "b689b0a8-53d0-40ab-baf2-68738e2966ac";
/// The managed origin request policy `CORS-S3Origin`: the CORS request headers, for S3.
pub const CORS_S3_ORIGIN: &str = "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf";

/// The HTTP methods a behaviour accepts (GET and HEAD responses are the cached ones).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum AllowedMethods {
    /// `GET`, `HEAD`: read-only content.
    #[default]
    GetHead,
    /// `GET`, `HEAD`, `OPTIONS`: read-only content that answers CORS preflights.
    GetHeadOptions,
    /// Every method, `POST`, `PUT`, `PATCH` and `DELETE` included: an API.
    All,
}

impl AllowedMethods {
    pub(super) fn allowed(self) -> Vec<&'static str> {
        match self {
            AllowedMethods::GetHead => vec!["GET", "HEAD"],
            AllowedMethods::GetHeadOptions => vec!["GET", "HEAD", "OPTIONS"],
            AllowedMethods::All => vec!["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"],
        }
    }
}

/// Which of the viewer's cookies, headers or query strings a policy takes.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Select {
    #[default]
    None,
    /// Every one (for headers of a cache policy this is not allowed: the key would be unique
    /// per viewer).
    All,
    /// These names only.
    Only(Vec<String>),
    /// Every one but these.
    AllExcept(Vec<String>),
}

impl Select {
    /// `Select::Only` of the given names.
    pub fn only(names: &[&str]) -> Select {
        Select::Only(names.iter().map(|n| (*n).to_owned()).collect())
    }

    pub(super) fn names(&self) -> Option<Vec<String>> {
        match self {
            Select::Only(names) | Select::AllExcept(names) => Some(names.clone()),
            Select::None | Select::All => None,
        }
    }
}

/// A cache policy of the stack: what makes two requests the same object, and for how long.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomCachePolicy {
    /// Names the policy among the distribution's (`{name}CachePolicy`).
    pub name: String,
    pub default_ttl: Duration,
    pub min_ttl: Duration,
    pub max_ttl: Duration,
    /// Part of the cache key, so forwarded to the origin too.
    pub cookies: Select,
    /// Part of the cache key: `None` or `Only`.
    pub headers: Select,
    pub query_strings: Select,
}

impl CustomCachePolicy {
    /// A day by default, a year at most, nothing but the path in the key.
    pub fn new(name: &str) -> CustomCachePolicy {
        CustomCachePolicy {
            name: name.to_owned(),
            default_ttl: Duration::from_secs(86_400),
            min_ttl: Duration::ZERO,
            max_ttl: Duration::from_secs(31_536_000),
            cookies: Select::None,
            headers: Select::None,
            query_strings: Select::None,
        }
    }
}

/// What a behaviour caches.
#[derive(Clone, Debug, PartialEq)]
pub enum CachePolicy {
    /// The managed `CachingOptimized` (static files).
    CachingOptimized,
    /// The managed `CachingDisabled` (APIs, dynamic pages).
    CachingDisabled,
    /// A policy created in the stack.
    Custom(CustomCachePolicy),
}

/// An origin request policy of the stack: what reaches the origin besides the cache key.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomOriginRequestPolicy {
    /// Names the policy among the distribution's (`{name}OriginRequestPolicy`).
    pub name: String,
    pub cookies: Select,
    /// `All` forwards every viewer header (`allViewer`).
    pub headers: Select,
    pub query_strings: Select,
}

/// What a behaviour forwards to its origin beyond the cache key.
#[derive(Clone, Debug, PartialEq)]
pub enum OriginRequestPolicy {
    /// The managed `AllViewer`.
    AllViewer,
    /// The managed `AllViewerExceptHostHeader`.
    AllViewerExceptHostHeader,
    /// The managed `CORS-S3Origin`.
    CorsS3Origin,
    /// A policy created in the stack.
    Custom(CustomOriginRequestPolicy),
}

impl OriginRequestPolicy {
    /// The id of a managed policy.
    pub(super) fn managed_id(&self) -> Option<&'static str> {
        match self {
            OriginRequestPolicy::AllViewer => Some(ALL_VIEWER),
            OriginRequestPolicy::AllViewerExceptHostHeader => Some(ALL_VIEWER_EXCEPT_HOST_HEADER),
            OriginRequestPolicy::CorsS3Origin => Some(CORS_S3_ORIGIN),
            OriginRequestPolicy::Custom(_) => None,
        }
    }
}

/// The requests of one path pattern (or the default ones) and where they go.
#[derive(Clone, Debug, PartialEq)]
pub struct Behavior {
    pub(super) origin: Origin,
    pub(super) cache: CachePolicy,
    pub(super) origin_request: Option<OriginRequestPolicy>,
    pub(super) methods: AllowedMethods,
    pub(super) response_headers: Option<Expr<String>>,
    pub(super) compress: bool,
}

impl Behavior {
    /// Static content from `origin`: `CachingOptimized`, `GET`/`HEAD`, compressed, nothing
    /// forwarded beyond the cache key. Viewers are always redirected to HTTPS.
    pub fn new(origin: Origin) -> Behavior {
        Behavior {
            origin,
            cache: CachePolicy::CachingOptimized,
            origin_request: None,
            methods: AllowedMethods::GetHead,
            response_headers: None,
            compress: true,
        }
    }

    /// An API at `origin`: nothing cached, every method, every viewer header, cookie and
    /// query string forwarded except `Host` (the origin sees its own name).
    pub fn api(origin: Origin) -> Behavior {
        Behavior::new(origin)
            .cache(CachePolicy::CachingDisabled)
            .origin_request(OriginRequestPolicy::AllViewerExceptHostHeader)
            .methods(AllowedMethods::All)
    }

    pub fn cache(mut self, policy: CachePolicy) -> Behavior {
        self.cache = policy;
        self
    }

    pub fn origin_request(mut self, policy: OriginRequestPolicy) -> Behavior {
        self.origin_request = Some(policy);
        self
    }

    pub fn methods(mut self, methods: AllowedMethods) -> Behavior {
        self.methods = methods;
        self
    }

    /// A response headers policy (security headers, CORS) by id.
    pub fn response_headers(mut self, policy_id: impl Into<Expr<String>>) -> Behavior {
        self.response_headers = Some(policy_id.into());
        self
    }

    /// Whether CloudFront compresses responses (default: yes).
    pub fn compress(mut self, compress: bool) -> Behavior {
        self.compress = compress;
        self
    }

    pub fn origin(&self) -> &Origin {
        &self.origin
    }
}

/// A behaviour for the requests whose path matches `pattern` (`/api/*`, `/count`, `*.jpg`).
#[derive(Clone, Debug, PartialEq)]
pub struct PathBehavior {
    pub pattern: String,
    pub behavior: Behavior,
}

impl PathBehavior {
    pub fn new(pattern: &str, behavior: Behavior) -> PathBehavior {
        PathBehavior {
            pattern: pattern.to_owned(),
            behavior,
        }
    }
}
