//! Container images pushed to the environment's bootstrap image repository through the OCI
//! distribution API (oci-client), logged in with the token of ECR `GetAuthorizationToken`.
//! Blobs the registry has are skipped (HEAD), missing ones uploaded a few at a time, the
//! manifest pushed last under the image's digest-derived tag, so an image is only ever
//! referenced once all its blobs are there. Deploy runs this before any change set, so a failed
//! push leaves every stack as it was.
//!
//! `STACKCRAFT_REGISTRY_URL` (`http://127.0.0.1:5000`) sends the pushes to another registry
//! than the one ECR names (the tests' local registry); in loopback-only mode it must be given
//! and be a loopback address, as every other endpoint.

use std::path::Path;
use std::time::Instant;

use async_trait::async_trait;
use futures_util::stream::{self, StreamExt, TryStreamExt};
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::errors::{OciDistributionError, OciErrorCode};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference, RegistryOperation};
use sha2::{Digest, Sha256};
use stackcraft_core::{ImageAsset, IMAGE_REPOSITORY};

use crate::api::ApiError;
use crate::changeset::hex;
use crate::endpoint::{check_endpoint, loopback_only, LOOPBACK_ENV};
use crate::error::DeployError;
use crate::session::Session;
use crate::ui::Ui;

/// Overrides the registry that images are pushed to.
pub const REGISTRY_ENV: &str = "STACKCRAFT_REGISTRY_URL";

const MEDIA_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

/// What a registry login yields: where the registry is and the basic-auth credentials.
#[derive(Clone)]
pub struct RegistryLogin {
    /// `https://<account>.dkr.ecr.<region>.amazonaws.com` (ECR's proxy endpoint).
    pub endpoint: String,
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for RegistryLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryLogin")
            .field("endpoint", &self.endpoint)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// Logs in to the account's registry (ECR's `GetAuthorizationToken`; a fake in tests).
#[async_trait]
pub trait RegistryLogins: Send + Sync {
    async fn login(&self) -> Result<RegistryLogin, ApiError>;
}

/// Where to push, decided once per deploy.
struct Target {
    /// `host[:port]`, as references name it.
    host: String,
    /// For messages: the URL.
    url: String,
    protocol: ClientProtocol,
    auth: RegistryAuth,
    repository: String,
}

/// Every image of the assembly, once.
pub(crate) fn of(assembly: &stackcraft_core::Assembly) -> Vec<&ImageAsset> {
    let mut images: Vec<_> = assembly.stacks.iter().flat_map(|s| &s.images).collect();
    images.sort_by(|a, b| a.digest.cmp(&b.digest));
    images.dedup_by(|a, b| a.digest == b.digest);
    images
}

/// Pushes every image that is not in the registry yet; returns (pushed, already there).
pub(crate) async fn publish(
    session: &Session,
    ui: &Ui,
    images: &[&ImageAsset],
    parallelism: usize,
) -> Result<(usize, usize), DeployError> {
    if images.is_empty() {
        return Ok((0, 0));
    }
    let started = Instant::now();
    let target = target(session).await?;
    let client = Client::new(ClientConfig {
        protocol: target.protocol.clone(),
        max_concurrent_upload: parallelism.max(1),
        ..ClientConfig::default()
    });
    let mut pushed = 0;
    let mut present = 0;
    for (n, image) in images.iter().enumerate() {
        ui.status(
            "images",
            format!(
                "images  {n}/{} pushed  {:.0}s  pushing {} ({})",
                images.len(),
                started.elapsed().as_secs_f64(),
                image.name,
                image.digest
            ),
        );
        let failed = |message: String, unreachable: bool| DeployError::ImagePush {
            image: image.name.clone(),
            digest: image.digest.clone(),
            registry: target.url.clone(),
            message,
            unreachable,
        };
        let layout = Layout::read(&image.source, &image.digest).map_err(|m| failed(m, false))?;
        let reference =
            Reference::with_tag(target.host.clone(), target.repository.clone(), image.tag());
        match push(&client, &target, &reference, &layout, parallelism).await {
            Ok(true) => pushed += 1,
            Ok(false) => present += 1,
            Err(e) => {
                let unreachable = is_unreachable(&e);
                return Err(failed(describe(&e), unreachable));
            }
        }
    }
    ui.clear_status("images");
    ui.line(format!(
        "images: {pushed} pushed, {present} already in {}/{} ({:.1}s)",
        target.url,
        target.repository,
        started.elapsed().as_secs_f64()
    ));
    Ok((pushed, present))
}

/// The registry, its credentials and the repository of this account and region.
async fn target(session: &Session) -> Result<Target, DeployError> {
    let logins = session
        .registry
        .as_ref()
        .ok_or_else(|| DeployError::ImagePush {
            image: "(every image)".into(),
            digest: String::new(),
            registry: "(none)".into(),
            message: "this session has no registry to push images to".into(),
            unreachable: false,
        })?;
    let login = logins
        .login()
        .await
        .map_err(|e| session.api_error("the registry login (ecr:GetAuthorizationToken)", e))?;
    let url = session.registry_url.clone().unwrap_or(login.endpoint);
    let loopback = loopback_only();
    check_endpoint(&url, loopback).map_err(|e| match e {
        DeployError::BadEndpoint { endpoint, reason } if loopback => DeployError::BadEndpoint {
            endpoint,
            reason: format!(
                "{reason}; set {REGISTRY_ENV} to the local registry ({LOOPBACK_ENV}=1)"
            ),
        },
        other => other,
    })?;
    let (scheme, rest) = url.split_once("://").expect("checked: an http(s) URL");
    let host = rest.split('/').next().unwrap_or_default().to_owned();
    let protocol = if scheme == "http" {
        ClientProtocol::Http
    } else {
        ClientProtocol::Https
    };
    let repository = IMAGE_REPOSITORY
        .replace("${AWS::AccountId}", &session.account)
        .replace("${AWS::Region}", &session.region);
    Ok(Target {
        host,
        url: url.trim_end_matches('/').to_owned(),
        protocol,
        auth: RegistryAuth::Basic(login.username, login.password),
        repository,
    })
}

/// One image's manifest and the blobs it names, read from its OCI layout.
struct Layout {
    digest: String,
    manifest: Vec<u8>,
    /// Config and layers: digest and file.
    blobs: Vec<(String, std::path::PathBuf)>,
}

impl Layout {
    fn read(dir: &Path, digest: &str) -> Result<Layout, String> {
        let blob = |d: &str| {
            dir.join("blobs/sha256")
                .join(d.trim_start_matches("sha256:"))
        };
        let manifest_path = blob(digest);
        let manifest = std::fs::read(&manifest_path).map_err(|e| {
            format!(
                "{}: {e} (was the image built? run `stackcraft synth`)",
                manifest_path.display()
            )
        })?;
        let actual = format!("sha256:{}", hex(&Sha256::digest(&manifest)));
        if actual != digest {
            return Err(format!(
                "{} is {actual}, not the {digest} the assembly names: synthesize again",
                manifest_path.display()
            ));
        }
        let parsed: serde_json::Value = serde_json::from_slice(&manifest)
            .map_err(|e| format!("{}: {e}", manifest_path.display()))?;
        let mut blobs = Vec::new();
        let descriptors = std::iter::once(&parsed["config"])
            .chain(parsed["layers"].as_array().into_iter().flatten());
        for d in descriptors {
            let digest = d["digest"].as_str().ok_or_else(|| {
                format!("{}: a descriptor without digest", manifest_path.display())
            })?;
            blobs.push((digest.to_owned(), blob(digest)));
        }
        Ok(Layout {
            digest: actual,
            manifest,
            blobs,
        })
    }
}

/// Pushes what the registry lacks; `false` when the manifest was already there.
async fn push(
    client: &Client,
    target: &Target,
    reference: &Reference,
    layout: &Layout,
    parallelism: usize,
) -> Result<bool, OciDistributionError> {
    client
        .auth(reference, &target.auth, RegistryOperation::Push)
        .await?;
    match client.fetch_manifest_digest(reference, &target.auth).await {
        Ok(found) if found == layout.digest => return Ok(false),
        Ok(_) => {}
        Err(e) if is_not_found(&e) => {}
        Err(e) => return Err(e),
    }
    stream::iter(&layout.blobs)
        .map(|(digest, path)| async move {
            if client.blob_exists(reference, digest).await? {
                return Ok(());
            }
            let bytes = tokio::fs::read(path).await?;
            client.push_blob(reference, bytes, digest).await.map(drop)
        })
        .buffer_unordered(parallelism.max(1))
        .try_collect::<Vec<()>>()
        .await?;
    client
        .push_manifest_raw(
            reference,
            layout.manifest.clone(),
            MEDIA_MANIFEST.parse().expect("a valid header value"),
        )
        .await?;
    Ok(true)
}

fn is_not_found(e: &OciDistributionError) -> bool {
    match e {
        OciDistributionError::RegistryError { envelope, .. } => envelope.errors.iter().all(|e| {
            matches!(
                e.code,
                OciErrorCode::ManifestUnknown | OciErrorCode::NameUnknown
            )
        }),
        OciDistributionError::ServerError { code, .. } => *code == 404,
        OciDistributionError::ImageManifestNotFoundError(_) => true,
        _ => false,
    }
}

fn is_unreachable(e: &OciDistributionError) -> bool {
    matches!(e, OciDistributionError::RequestError(r) if r.is_connect() || r.is_timeout())
}

/// The error and its causes on one line (reqwest hides "connection refused" in a source).
fn describe(e: &OciDistributionError) -> String {
    let mut text = match e {
        OciDistributionError::UnauthorizedError { .. } => {
            "the registry refused the credentials (401 Unauthorized)".to_owned()
        }
        other => other.to_string(),
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    text
}
