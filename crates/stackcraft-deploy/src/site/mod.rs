//! Static sites, published by deploy once the stack that owns them is deployed: the files of
//! the site's directory asset go into the site's bucket with their `Content-Type` and
//! `Cache-Control`, `config.json` is written from the stack's outputs, objects no longer in
//! the source are removed, and the CloudFront distribution is invalidated where a file it may
//! have cached changed.
//!
//! Done here rather than by a custom resource in the template (CDK's `BucketDeployment`): no
//! Lambda function to build, ship, patch and pay for, the deployer's own credentials, the
//! stack's outputs at hand for `config.json` without a second deploy, and errors that name
//! the file, shown where the deploy runs, instead of a custom resource that times out.
//!
//! Unchanged files are told apart by their MD5, which is the ETag S3 lists for a single-part
//! upload without KMS (the site bucket is encrypted with SSE-S3): a deploy that changes
//! nothing lists the bucket once and uploads nothing. Headers are a function of the key alone,
//! so an unchanged key with unchanged content has unchanged headers.

mod headers;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use futures_util::stream::{self, StreamExt};
use indexmap::IndexMap;
use md5::{Digest, Md5};
use stackcraft_core::files::source_files;
use stackcraft_core::template::Policy;
use stackcraft_core::{SitePublication, SynthesizedStack, SITE_CONFIG_FILE};

pub use headers::{cache_control, content_type};

use crate::api::{ObjectHeaders, StoredObject};
use crate::error::DeployError;
use crate::session::Session;
use crate::ui::Ui;

/// Beyond this many changed paths, one `/*` invalidation replaces them (CloudFront bills
/// invalidations per path, and a wildcard counts as one).
pub const MAX_INVALIDATION_PATHS: usize = 10;

/// What publishing one site did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SiteReport {
    /// The site's construct path (`counter/Site`).
    pub path: String,
    pub bucket: String,
    /// Keys uploaded because they were new or their content changed.
    pub uploaded: Vec<String>,
    /// Keys removed because the source no longer has them.
    pub deleted: Vec<String>,
    /// Keys already in the bucket with the same content.
    pub unchanged: usize,
    /// The invalidation created, if any file CloudFront may have cached changed.
    pub invalidation: Option<Invalidation>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Invalidation {
    pub id: String,
    pub distribution: String,
    pub paths: Vec<String>,
}

/// One file the bucket should hold.
struct Wanted {
    key: String,
    body: Body,
    md5: String,
}

enum Body {
    File(PathBuf),
    Bytes(Vec<u8>),
}

/// What the bucket needs, from what it holds.
#[derive(Debug, Default, PartialEq, Eq)]
struct Changes {
    /// New or changed keys.
    upload: Vec<String>,
    /// Keys the source no longer has.
    delete: Vec<String>,
    /// Uploaded keys that replace an object (CloudFront may have cached the old content).
    replaced: Vec<String>,
    unchanged: usize,
}

/// Publishes every site of `stack`, which has just been deployed with `outputs`.
pub(crate) async fn publish_sites(
    session: &Session,
    ui: &Ui,
    stack: &SynthesizedStack,
    outputs: &IndexMap<String, String>,
    parallelism: usize,
) -> Result<Vec<SiteReport>, DeployError> {
    let mut reports = Vec::new();
    for site in &stack.sites {
        let report = Publish {
            session,
            stack,
            site,
        }
        .run(outputs, parallelism)
        .await?;
        ui.line(summary(&stack.name, &report));
        reports.push(report);
    }
    Ok(reports)
}

/// One site being published; its methods' errors name the stack and the site.
struct Publish<'a> {
    session: &'a Session,
    stack: &'a SynthesizedStack,
    site: &'a SitePublication,
}

impl Publish<'_> {
    fn context(&self) -> String {
        format!(
            "stack {} ({}): site {}",
            self.stack.name, self.stack.deployed_name, self.site.path
        )
    }

    async fn run(
        &self,
        outputs: &IndexMap<String, String>,
        parallelism: usize,
    ) -> Result<SiteReport, DeployError> {
        let context = self.context();
        let (bucket, distribution) = self.physical_ids().await?;
        let wanted = self.wanted(outputs)?;
        let stored = self
            .session
            .store
            .list_objects(&bucket)
            .await
            .map_err(|e| {
                self.session
                    .api_error(format!("{context}: listing s3://{bucket}"), e)
            })?;
        let pairs: Vec<(&str, &str)> = wanted
            .iter()
            .map(|w| (w.key.as_str(), w.md5.as_str()))
            .collect();
        let changes = compare(&pairs, &stored);

        // Entry points last, so a page never names a file that is not there yet.
        let (entry_points, others): (Vec<&Wanted>, Vec<&Wanted>) = wanted
            .iter()
            .filter(|w| changes.upload.contains(&w.key))
            .partition(|w| cache_control(&w.key) == headers::NO_CACHE);
        for group in [others, entry_points] {
            self.upload(&bucket, group, parallelism).await?;
        }
        if !changes.delete.is_empty() {
            self.session
                .store
                .delete_objects(&bucket, &changes.delete)
                .await
                .map_err(|e| {
                    self.session.api_error(
                        format!(
                            "{context}: removing files no longer in the source from s3://{bucket}"
                        ),
                        e,
                    )
                })?;
        }
        let invalidation = self
            .invalidate(&distribution, invalidation_paths(&changes))
            .await?;
        Ok(SiteReport {
            path: self.site.path.clone(),
            bucket,
            uploaded: changes.upload,
            deleted: changes.delete,
            unchanged: changes.unchanged,
            invalidation,
        })
    }

    /// The bucket's name and the distribution's id, from the deployed stack's resources.
    async fn physical_ids(&self) -> Result<(String, String), DeployError> {
        let context = self.context();
        let resources = self
            .session
            .cfn
            .stack_resources(&self.stack.deployed_name)
            .await
            .map_err(|e| {
                self.session
                    .api_error(format!("{context}: listing the stack's resources"), e)
            })?;
        let find = |logical_id: &str, what: &str| {
            resources
                .iter()
                .find(|r| r.logical_id == logical_id)
                .and_then(|r| r.physical_id.clone())
                .filter(|id| !id.is_empty())
                .ok_or_else(|| {
                    DeployError::site(format!(
                        "{context}: the deployed stack has no {what} {logical_id}, so the site \
                         cannot be published"
                    ))
                })
        };
        Ok((
            find(&self.site.bucket, "bucket")?,
            find(&self.site.distribution, "distribution")?,
        ))
    }

    /// The source files (the one walk that the asset's hash covers too: no hidden files) and
    /// `config.json` from the outputs, each with its MD5.
    fn wanted(&self, outputs: &IndexMap<String, String>) -> Result<Vec<Wanted>, DeployError> {
        let context = self.context();
        let asset = self
            .stack
            .assets
            .iter()
            .find(|a| a.hash == self.site.asset)
            .ok_or_else(|| {
                DeployError::site(format!(
                    "{context}: the assembly has no asset {}",
                    self.site.asset
                ))
            })?;
        let files = source_files(&asset.source).map_err(|e| {
            DeployError::file(
                &format!("{context}: reading the site directory"),
                &asset.source,
                e,
            )
        })?;
        let config = self.config(outputs)?;
        let mut wanted = Vec::with_capacity(files.len() + 1);
        for file in files {
            if config.is_some() && file.relative == SITE_CONFIG_FILE {
                continue;
            }
            let bytes = std::fs::read(&file.path)
                .map_err(|e| DeployError::file(&format!("{context}: reading"), &file.path, e))?;
            wanted.push(Wanted {
                md5: md5_hex(&bytes),
                key: file.relative,
                body: Body::File(file.path),
            });
        }
        if let Some(bytes) = config {
            wanted.push(Wanted {
                key: SITE_CONFIG_FILE.to_owned(),
                md5: md5_hex(&bytes),
                body: Body::Bytes(bytes),
            });
        }
        Ok(wanted)
    }

    /// `config.json` from the stack's outputs, if the site declares one.
    fn config(&self, outputs: &IndexMap<String, String>) -> Result<Option<Vec<u8>>, DeployError> {
        if self.site.config.is_empty() {
            return Ok(None);
        }
        let mut config = serde_json::Map::new();
        for (key, output) in &self.site.config {
            let value = outputs.get(output).ok_or_else(|| {
                DeployError::site(format!(
                    "{}: {SITE_CONFIG_FILE} key {key:?} reads output {output:?}, which the \
                     deployed stack does not have (outputs: {})",
                    self.context(),
                    outputs.keys().cloned().collect::<Vec<_>>().join(", ")
                ))
            })?;
            config.insert(key.clone(), value.clone().into());
        }
        let mut bytes = serde_json::to_vec_pretty(&config).expect("strings serialize");
        bytes.push(b'\n');
        Ok(Some(bytes))
    }

    async fn upload(
        &self,
        bucket: &str,
        files: Vec<&Wanted>,
        parallelism: usize,
    ) -> Result<(), DeployError> {
        let context = self.context();
        let results: Vec<Result<(), DeployError>> = stream::iter(files)
            .map(|file| {
                let context = &context;
                async move {
                    let (body, from) = match &file.body {
                        Body::Bytes(bytes) => (bytes.clone(), "written from the outputs".into()),
                        Body::File(path) => {
                            let bytes = tokio::fs::read(path).await.map_err(|e| {
                                DeployError::file(&format!("{context}: reading"), path, e)
                            })?;
                            (bytes, path.display().to_string())
                        }
                    };
                    let headers = ObjectHeaders {
                        content_type: content_type(&file.key).to_owned(),
                        cache_control: cache_control(&file.key).to_owned(),
                    };
                    self.session
                        .store
                        .put_object(bucket, &file.key, body, &headers)
                        .await
                        .map_err(|e| {
                            self.session.api_error(
                                format!(
                                    "{context}: uploading {} ({from}) to s3://{bucket}/{}",
                                    file.key, file.key
                                ),
                                e,
                            )
                        })
                }
            })
            .buffer_unordered(parallelism.max(1))
            .collect()
            .await;
        results.into_iter().collect()
    }

    async fn invalidate(
        &self,
        distribution: &str,
        paths: Vec<String>,
    ) -> Result<Option<Invalidation>, DeployError> {
        if paths.is_empty() {
            return Ok(None);
        }
        let context = self.context();
        let cdn = self.session.cdn.as_ref().ok_or_else(|| {
            DeployError::site(format!(
                "{context}: this session has no CloudFront client to invalidate {distribution}"
            ))
        })?;
        // Unique per request: CloudFront answers a repeated reference with the old invalidation.
        let reference = format!(
            "stackcraft-{}",
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default()
        );
        let id = cdn
            .create_invalidation(distribution, &paths, &reference)
            .await
            .map_err(|e| {
                self.session.api_error(
                    format!(
                        "{context}: invalidating {} in CloudFront distribution {distribution}",
                        paths.join(" ")
                    ),
                    e,
                )
            })?;
        Ok(Some(Invalidation {
            id,
            distribution: distribution.to_owned(),
            paths,
        }))
    }
}

/// Empties the buckets of the stack's sites before the stack is deleted: CloudFormation
/// cannot delete a bucket that holds objects, and the files can be published again from the
/// source. A bucket the template retains keeps its files.
pub(crate) async fn empty_site_buckets(
    session: &Session,
    ui: &Ui,
    stack: &SynthesizedStack,
    stack_id: &str,
) -> Result<(), DeployError> {
    if stack.sites.is_empty() {
        return Ok(());
    }
    let resources = session.cfn.stack_resources(stack_id).await.map_err(|e| {
        session.api_error(format!("stack {}: listing its resources", stack.name), e)
    })?;
    for site in &stack.sites {
        let retained = stack
            .template
            .resources
            .get(&site.bucket)
            .and_then(|r| r.deletion_policy)
            .is_some_and(|p| matches!(p, Policy::Retain | Policy::RetainExceptOnCreate));
        let bucket = resources
            .iter()
            .find(|r| r.logical_id == site.bucket)
            .and_then(|r| r.physical_id.as_deref());
        let Some(bucket) = bucket.filter(|_| !retained) else {
            continue;
        };
        let what = || {
            format!(
                "stack {}: site {}: emptying s3://{bucket}",
                stack.name, site.path
            )
        };
        if !session
            .store
            .bucket_exists(bucket)
            .await
            .map_err(|e| session.api_error(what(), e))?
        {
            continue;
        }
        let deleted = session
            .store
            .empty_bucket(bucket)
            .await
            .map_err(|e| session.api_error(what(), e))?;
        ui.line(format!(
            "{}: site {}: {deleted} object(s) removed from s3://{bucket} so the stack can delete it",
            stack.name, site.path
        ));
    }
    Ok(())
}

fn md5_hex(bytes: &[u8]) -> String {
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What to upload and delete so that the bucket holds exactly `wanted` (key, MD5).
fn compare(wanted: &[(&str, &str)], stored: &[StoredObject]) -> Changes {
    let stored_md5: HashMap<&str, &str> = stored
        .iter()
        .map(|o| (o.key.as_str(), o.etag.as_str()))
        .collect();
    let mut changes = Changes::default();
    for (key, md5) in wanted {
        match stored_md5.get(key) {
            Some(etag) if etag.eq_ignore_ascii_case(md5) => changes.unchanged += 1,
            Some(_) => {
                changes.upload.push((*key).to_owned());
                changes.replaced.push((*key).to_owned());
            }
            None => changes.upload.push((*key).to_owned()),
        }
    }
    changes.delete = stored
        .iter()
        .filter(|o| !wanted.iter().any(|(key, _)| *key == o.key))
        .map(|o| o.key.clone())
        .collect();
    changes
}

/// The paths CloudFront may hold an outdated copy of: replaced and removed files (a new key
/// was never cached; the 404 fallback to `index.html` is cached for seconds only), `/` with
/// `index.html` (the default root object is cached under `/`), URL-encoded; `/*` beyond
/// [`MAX_INVALIDATION_PATHS`].
fn invalidation_paths(changes: &Changes) -> Vec<String> {
    let mut paths: Vec<String> = Vec::new();
    for key in changes.replaced.iter().chain(&changes.delete) {
        if key == "index.html" {
            paths.push("/".into());
        }
        paths.push(format!("/{}", url_path(key)));
    }
    paths.sort();
    paths.dedup();
    if paths.len() > MAX_INVALIDATION_PATHS {
        vec!["/*".into()]
    } else {
        paths
    }
}

/// A key as a URL path: everything but unreserved characters and `/` percent-encoded (a `*`
/// too, which would otherwise be a wildcard).
fn url_path(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for byte in key.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

fn summary(stack: &str, report: &SiteReport) -> String {
    let invalidated = match &report.invalidation {
        Some(i) => format!("; invalidation {} of {}", i.id, i.paths.join(" ")),
        None => "; nothing to invalidate".into(),
    };
    format!(
        "{stack}: site {}: {} uploaded, {} removed, {} unchanged in s3://{}{invalidated}",
        report.path,
        report.uploaded.len(),
        report.deleted.len(),
        report.unchanged,
        report.bucket
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(objects: &[(&str, &str)]) -> Vec<StoredObject> {
        objects
            .iter()
            .map(|(key, etag)| StoredObject {
                key: (*key).into(),
                etag: (*etag).into(),
            })
            .collect()
    }

    #[test]
    fn only_new_and_changed_files_are_uploaded_and_only_missing_ones_removed() {
        let changes = compare(
            &[("index.html", "aa"), ("app.js", "bb"), ("new.css", "cc")],
            &stored(&[("index.html", "AA"), ("app.js", "00"), ("old.js", "dd")]),
        );
        assert_eq!(
            changes,
            Changes {
                upload: vec!["app.js".into(), "new.css".into()],
                delete: vec!["old.js".into()],
                replaced: vec!["app.js".into()],
                unchanged: 1,
            }
        );
        assert_eq!(invalidation_paths(&changes), ["/app.js", "/old.js"]);
        let same = compare(&[("index.html", "aa")], &stored(&[("index.html", "aa")]));
        assert!(same.upload.is_empty() && same.delete.is_empty());
        assert!(invalidation_paths(&same).is_empty());
    }

    #[test]
    fn invalidations_cover_the_root_with_index_html_and_turn_into_a_wildcard_when_many() {
        let changes = Changes {
            replaced: vec!["index.html".into(), "a b/c*.js".into()],
            ..Changes::default()
        };
        assert_eq!(
            invalidation_paths(&changes),
            ["/", "/a%20b/c%2A.js", "/index.html"]
        );
        let many = Changes {
            delete: (0..=MAX_INVALIDATION_PATHS)
                .map(|i| format!("{i}.js"))
                .collect(),
            ..Changes::default()
        };
        assert_eq!(invalidation_paths(&many), ["/*"]);
        // New files alone were never cached: nothing to invalidate.
        let added = Changes {
            upload: vec!["new.js".into()],
            ..Changes::default()
        };
        assert!(invalidation_paths(&added).is_empty());
    }
}
