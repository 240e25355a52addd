//! Credentials, region and endpoint resolved the standard way (aws-config: environment,
//! profiles, SSO, process credentials), the endpoint override, the loopback-only test mode and
//! the account check. Nothing is touched before the account of the credentials is known.

use std::sync::Arc;
use std::time::Duration;

use aws_config::{BehaviorVersion, Region};
use aws_sdk_sts::config::ProvideCredentials;
use stackcraft_core::Environment;

use crate::api::{CloudFormationApi, CloudFrontApi, ObjectStore};
use crate::aws::{api_error, SdkCloudFormation, SdkCloudFront, SdkEcr, SdkHotswap, SdkS3};
use crate::endpoint::{check_endpoint, loopback_only};
use crate::error::{ApiError, DeployError};
use crate::hotswap::HotswapApi;
use crate::images::{RegistryLogins, REGISTRY_ENV};

/// What the command line says about where to go: `--profile`, `--region`, `--endpoint-url`.
#[derive(Clone, Debug, Default)]
pub struct ConnectOptions {
    pub profile: Option<String>,
    /// Must agree with the environment's region when given.
    pub region: Option<String>,
    /// Overrides every service endpoint (else `AWS_ENDPOINT_URL`, else AWS's own).
    pub endpoint_url: Option<String>,
}

/// Verified clients for one account and region.
pub struct Session {
    pub cfn: Arc<dyn CloudFormationApi>,
    pub store: Arc<dyn ObjectStore>,
    /// CloudFront, for the invalidations of published sites; `None` in sessions made for
    /// tests that publish no site.
    pub cdn: Option<Arc<dyn CloudFrontApi>>,
    /// Logs in to the registry images are pushed to (none: a deploy with images fails).
    pub registry: Option<Arc<dyn RegistryLogins>>,
    /// Where images are pushed instead of the registry the login names (`http://127.0.0.1:5000`);
    /// `STACKCRAFT_REGISTRY_URL` by default.
    pub registry_url: Option<String>,
    /// Lambda and ECS, for hotswaps (none: `--hotswap` fails, and a full deploy does not
    /// look for hotswapped stacks to converge).
    pub hotswap: Option<Arc<dyn HotswapApi>>,
    /// The account of the credentials, checked against the environment's.
    pub account: String,
    pub region: String,
    /// The environment's name (`dev`), for the commands the messages suggest.
    pub env_name: String,
    /// How often stacks and change sets are polled.
    pub poll: Duration,
    /// Where the calls go, for messages: the endpoint override, or `AWS (region)`.
    pub endpoint: String,
}

impl Session {
    /// A session over any implementation of the APIs (the tests' fakes).
    pub fn new(
        cfn: Arc<dyn CloudFormationApi>,
        store: Arc<dyn ObjectStore>,
        account: impl Into<String>,
        region: impl Into<String>,
        env_name: impl Into<String>,
    ) -> Session {
        let region = region.into();
        Session {
            cfn,
            store,
            cdn: None,
            registry: None,
            hotswap: None,
            registry_url: std::env::var(REGISTRY_ENV)
                .ok()
                .filter(|u| !u.trim().is_empty()),
            account: account.into(),
            endpoint: format!("AWS ({region})"),
            region,
            env_name: env_name.into(),
            poll: Duration::from_secs(2),
        }
    }

    /// The session's calls go to `endpoint` (named in messages).
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Session {
        self.endpoint = endpoint.into();
        self
    }

    /// The error of a failed call made while doing `action` (a phrase naming the stack or
    /// bucket): unreachable (naming the endpoint) or refused by AWS.
    pub fn api_error(&self, action: impl std::fmt::Display, error: ApiError) -> DeployError {
        DeployError::api(&self.endpoint, action, error)
    }

    pub fn with_cdn(mut self, cdn: Arc<dyn CloudFrontApi>) -> Session {
        self.cdn = Some(cdn);
        self
    }

    pub fn with_registry(mut self, registry: Arc<dyn RegistryLogins>) -> Session {
        self.registry = Some(registry);
        self
    }

    pub fn with_hotswap(mut self, hotswap: Arc<dyn HotswapApi>) -> Session {
        self.hotswap = Some(hotswap);
        self
    }

    pub fn with_poll(mut self, poll: Duration) -> Session {
        self.poll = poll;
        self
    }

    /// The bootstrap bucket of this account and region.
    pub fn asset_bucket(&self) -> String {
        stackcraft_core::ASSET_BUCKET
            .replace("${AWS::AccountId}", &self.account)
            .replace("${AWS::Region}", &self.region)
    }

    /// `account/region`, for messages.
    pub fn place(&self) -> String {
        format!("account {}, {}", self.account, self.region)
    }
}

/// The endpoint override: the flag, else `AWS_ENDPOINT_URL`.
fn endpoint_override(flag: Option<&str>) -> Option<String> {
    flag.map(str::to_owned)
        .or_else(|| std::env::var("AWS_ENDPOINT_URL").ok())
        .filter(|s| !s.trim().is_empty())
}

/// Resolves credentials, checks the endpoint and the account, and returns the clients.
pub async fn connect(env: &Environment, opts: &ConnectOptions) -> Result<Session, DeployError> {
    if let Some(region) = &opts.region {
        if region != &env.region {
            return Err(DeployError::WrongRegion {
                env: env.name.clone(),
                expected: env.region.clone(),
                given: region.clone(),
            });
        }
    }
    let loopback = loopback_only();
    let endpoint = endpoint_override(opts.endpoint_url.as_deref());
    match &endpoint {
        Some(url) => check_endpoint(url, loopback)?,
        None if loopback => return Err(DeployError::NoEndpoint),
        None => {}
    }

    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(env.region.clone()))
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .build(),
        );
    if let Some(profile) = &opts.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(url) = &endpoint {
        loader = loader.endpoint_url(url);
    }
    if let Some(name) = &opts.profile {
        // An explicit profile wins over environment credentials, as with the AWS CLI.
        loader = loader.credentials_provider(
            aws_config::profile::ProfileFileCredentialsProvider::builder()
                .profile_name(name)
                .build(),
        );
    } else if loopback {
        // Only credentials that need no network: the environment and profile files (no IMDS,
        // no container endpoint, whose addresses are not loopback).
        loader = loader.credentials_provider(
            aws_config::meta::credentials::CredentialsProviderChain::first_try(
                "Environment",
                aws_config::environment::EnvironmentVariableCredentialsProvider::new(),
            )
            .or_else(
                "Profile",
                aws_config::profile::ProfileFileCredentialsProvider::builder().build(),
            ),
        );
    }
    let config = loader.load().await;

    let who = match &opts.profile {
        Some(p) => format!("profile {p}"),
        None => "the default credential chain".to_owned(),
    };
    let provider =
        config
            .credentials_provider()
            .ok_or_else(|| DeployError::MissingCredentials {
                credentials: who.clone(),
                reason: None,
            })?;
    if let Err(e) = provider.provide_credentials().await {
        return Err(DeployError::MissingCredentials {
            credentials: who,
            reason: Some(e.to_string()),
        });
    }

    let target = endpoint
        .clone()
        .unwrap_or_else(|| format!("AWS ({})", env.region));
    let sts = aws_sdk_sts::Client::new(&config);
    let identity = sts.get_caller_identity().send().await.map_err(|e| {
        let e = api_error(e);
        if e.unreachable {
            DeployError::api(&target, "checking the credentials' account", e)
        } else {
            DeployError::CredentialsRefused {
                endpoint: target.clone(),
                credentials: who.clone(),
                message: e.message,
            }
        }
    })?;
    let account = identity.account().unwrap_or_default().to_owned();
    if let Some(expected) = &env.account {
        if expected != &account {
            return Err(DeployError::WrongAccount {
                env: env.name.clone(),
                expected: expected.clone(),
                found: account,
                credentials: who,
            });
        }
    }

    let cfn = aws_sdk_cloudformation::Client::new(&config);
    let mut s3_config = aws_sdk_s3::config::Builder::from(&config);
    if endpoint.is_some() {
        s3_config = s3_config.force_path_style(true);
    }
    let s3 = aws_sdk_s3::Client::from_conf(s3_config.build());
    let cloudfront = aws_sdk_cloudfront::Client::new(&config);
    let ecr = aws_sdk_ecr::Client::new(&config);
    let hotswap = SdkHotswap {
        lambda: aws_sdk_lambda::Client::new(&config),
        ecs: aws_sdk_ecs::Client::new(&config),
    };
    Ok(Session::new(
        Arc::new(SdkCloudFormation { client: cfn }),
        Arc::new(SdkS3 {
            client: s3,
            region: env.region.clone(),
        }),
        account,
        env.region.clone(),
        env.name.clone(),
    )
    .with_endpoint(target)
    .with_cdn(Arc::new(SdkCloudFront { client: cloudfront }))
    .with_registry(Arc::new(SdkEcr { client: ecr }))
    .with_hotswap(Arc::new(hotswap)))
}
