//! File assets (Lambda zips; directories that no site publishes) uploaded to the asset bucket
//! under their content hash, skipped when already there (HeadObject), in parallel with a bounded pool.

use std::path::PathBuf;
use std::time::Instant;

use futures_util::stream::{self, StreamExt};
use stackcraft_core::files::source_files;
use stackcraft_core::{Assembly, Asset, Packaging};

use crate::error::DeployError;
use crate::session::Session;
use crate::ui::Ui;

/// Fails, with the command that fixes it, unless the bootstrap bucket exists.
pub(crate) async fn require_bootstrap(session: &Session, bucket: &str) -> Result<(), DeployError> {
    let exists = session
        .store
        .bucket_exists(bucket)
        .await
        .map_err(|e| session.api_error(format!("asset bucket {bucket}"), e))?;
    if exists {
        Ok(())
    } else {
        Err(DeployError::NotBootstrapped {
            env: session.env_name.clone(),
            account: session.account.clone(),
            region: session.region.clone(),
            bucket: bucket.to_owned(),
        })
    }
}

/// One object to upload.
struct Upload {
    key: String,
    path: PathBuf,
}

fn uploads(asset: &Asset) -> Result<Vec<Upload>, DeployError> {
    match asset.packaging {
        Packaging::Zip => Ok(vec![Upload {
            key: asset.object_key.clone(),
            path: asset.source.clone(),
        }]),
        Packaging::Directory => {
            let files = source_files(&asset.source).map_err(|e| {
                DeployError::file(&format!("reading asset {}", asset.hash), &asset.source, e)
            })?;
            let prefix = asset.object_key.trim_end_matches('/');
            Ok(files
                .into_iter()
                .map(|file| Upload {
                    key: format!("{prefix}/{}", file.relative),
                    path: file.path,
                })
                .collect())
        }
    }
}

/// The assets of the assembly that go to the asset bucket, once each: all but the site
/// directories, which deploy publishes straight into their sites' buckets.
pub(crate) fn bucket_assets(assembly: &Assembly) -> Vec<&Asset> {
    let mut assets: Vec<&Asset> = assembly
        .stacks
        .iter()
        .flat_map(|stack| {
            stack
                .assets
                .iter()
                .filter(|a| !stack.sites.iter().any(|site| site.asset == a.hash))
        })
        .collect();
    assets.sort_by(|a, b| a.hash.cmp(&b.hash));
    assets.dedup_by(|a, b| a.hash == b.hash && a.object_key == b.object_key);
    assets
}

/// Uploads what is missing; returns (uploaded, already present).
pub(crate) async fn publish(
    session: &Session,
    ui: &Ui,
    assets: &[&Asset],
    parallelism: usize,
) -> Result<(usize, usize), DeployError> {
    if assets.is_empty() {
        return Ok((0, 0));
    }
    let started = Instant::now();
    let bucket = session.asset_bucket();
    require_bootstrap(session, &bucket).await?;
    let mut all = Vec::new();
    for asset in assets {
        if !asset.source.exists() {
            return Err(DeployError::AssetMissing {
                hash: asset.hash.clone(),
                path: asset.source.clone(),
            });
        }
        all.extend(uploads(asset)?);
    }
    let total = all.len();
    let mut finished = 0;
    let results: Vec<Result<bool, DeployError>> = stream::iter(all)
        .map(|u| {
            let bucket = &bucket;
            async move {
                let store = &session.store;
                let what = || format!("asset s3://{bucket}/{}", u.key);
                if store
                    .object_exists(bucket, &u.key)
                    .await
                    .map_err(|e| session.api_error(what(), e))?
                {
                    return Ok(false);
                }
                store
                    .put_file(bucket, &u.key, &u.path)
                    .await
                    .map_err(|e| session.api_error(what(), e))?;
                Ok(true)
            }
        })
        .buffer_unordered(parallelism.max(1))
        .inspect(|_| {
            finished += 1;
            ui.status(
                "assets",
                format!(
                    "assets  {finished}/{total} files checked or uploaded  {:.0}s",
                    started.elapsed().as_secs_f64()
                ),
            );
        })
        .collect()
        .await;
    ui.clear_status("assets");
    let mut uploaded = 0;
    let mut present = 0;
    for r in results {
        if r? {
            uploaded += 1;
        } else {
            present += 1;
        }
    }
    ui.line(format!(
        "assets: {uploaded} uploaded, {present} already in s3://{bucket} ({:.1}s)",
        started.elapsed().as_secs_f64()
    ));
    Ok((uploaded, present))
}
