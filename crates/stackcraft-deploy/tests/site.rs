//! Static sites published by deploy, against moto in server mode (S3 and CloudFront): the
//! files of a `cloudfront::StaticSite` in its bucket with their content types and cache
//! headers, `config.json` from the stack's outputs, hidden files never published (and not in
//! the asset's hash), removed files pruned, a deploy without change uploading nothing and
//! invalidating nothing, exactly one invalidation of the changed paths per changed deploy, the
//! bucket emptied before destroy deletes it, and a file that cannot be read failing the deploy
//! with its stack and path named.
//!
//! Two gaps of moto 5.2.5 are filled by [`MotoGaps`], a wrapper of the engine's CloudFormation
//! client (S3 and CloudFront are moto's own):
//! - moto's CloudFormation has no `AWS::CloudFront::*` resources (it skips them with "not
//!   supported by moto's CloudFormation implementation"; so it skips the site's
//!   `AWS::S3::BucketPolicy` too): the test creates the distribution through moto's CloudFront
//!   API, and the wrapper lists it among the stack's resources under the logical id the
//!   template gives it, as CloudFormation would;
//! - moto keeps no stack outputs after ExecuteChangeSet: the wrapper answers DescribeStacks
//!   with the template's literal outputs, which is what CloudFormation would answer for them.

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_cloudfront::types as cf;
use common::{assembly_of, text, ui, Moto};
use stackcraft::core::Assembly;
use stackcraft_constructs::cloudfront::{SiteOptions, StaticSite};
use stackcraft_deploy::*;

const API_URL: &str = "https://api.example.test";

/// Only the environment: the test's one stack is code (no blueprint stack, so no Lambda build).
const SITE_CONFIG: &str = r#"
[project]
name = "demo"

[environments.dev]
region = "eu-central-1"
"#;

fn yes() -> DeployOptions {
    DeployOptions {
        yes: true,
        ..DeployOptions::default()
    }
}

/// A stack `web` with a site of `dir` whose `config.json` has `apiUrl` = the `ApiUrl` output.
fn site_assembly(dir: &Path) -> Assembly {
    let dir = dir.to_owned();
    let app = stackcraft::App::from_config("stackcraft.toml").stack("web", move |stack| {
        let site = StaticSite::new(
            stack,
            "Site",
            SiteOptions {
                source: Some(dir.clone()),
                ..SiteOptions::default()
            },
        );
        stack.output("ApiUrl", API_URL);
        site.config_from_output(stack, "apiUrl", "ApiUrl");
    });
    assembly_of(&app, SITE_CONFIG, "dev")
}

/// The engine's CloudFormation client with moto's two gaps filled (see the module's doc).
struct MotoGaps {
    inner: Arc<dyn CloudFormationApi>,
    /// Logical id of the distribution in the template, and the id moto's CloudFront gave it.
    distribution: (String, String),
}

#[async_trait]
impl CloudFormationApi for MotoGaps {
    async fn describe_stack(&self, stack: &str) -> Result<Option<StackDescription>, ApiError> {
        let Some(mut found) = self.inner.describe_stack(stack).await? else {
            return Ok(None);
        };
        let template: serde_json::Value =
            serde_json::from_str(&self.inner.get_template(stack).await?).unwrap();
        if let Some(outputs) = template["Outputs"].as_object() {
            for (key, output) in outputs {
                if let Some(value) = output["Value"].as_str() {
                    found.outputs.insert(key.clone(), value.to_owned());
                }
            }
        }
        Ok(Some(found))
    }
    async fn create_change_set(
        &self,
        req: &ChangeSetRequest,
    ) -> Result<CreatedChangeSet, ApiError> {
        self.inner.create_change_set(req).await
    }
    async fn describe_change_set(&self, id: &str) -> Result<ChangeSetDescription, ApiError> {
        self.inner.describe_change_set(id).await
    }
    async fn execute_change_set(&self, id: &str) -> Result<(), ApiError> {
        self.inner.execute_change_set(id).await
    }
    async fn delete_change_set(&self, id: &str) -> Result<(), ApiError> {
        self.inner.delete_change_set(id).await
    }
    async fn stack_events(
        &self,
        stack: &str,
        after: Option<&str>,
    ) -> Result<Vec<StackEvent>, ApiError> {
        self.inner.stack_events(stack, after).await
    }
    async fn get_template(&self, stack: &str) -> Result<String, ApiError> {
        self.inner.get_template(stack).await
    }
    async fn stack_resources(&self, stack: &str) -> Result<Vec<StackResource>, ApiError> {
        let mut resources = self.inner.stack_resources(stack).await?;
        let (logical_id, id) = &self.distribution;
        resources.push(StackResource {
            logical_id: logical_id.clone(),
            physical_id: Some(id.clone()),
            resource_type: "AWS::CloudFront::Distribution".into(),
            status: "CREATE_COMPLETE".into(),
        });
        Ok(resources)
    }
    async fn delete_stack(&self, stack: &str) -> Result<(), ApiError> {
        self.inner.delete_stack(stack).await
    }
}

/// The engine's S3 client, counting the writes it sends (so "uploads nothing" is seen at the
/// API, not only in the engine's report).
struct CountingStore {
    inner: Arc<dyn ObjectStore>,
    writes: AtomicUsize,
}

#[async_trait]
impl ObjectStore for CountingStore {
    async fn bucket_exists(&self, bucket: &str) -> Result<bool, ApiError> {
        self.inner.bucket_exists(bucket).await
    }
    async fn object_exists(&self, bucket: &str, key: &str) -> Result<bool, ApiError> {
        self.inner.object_exists(bucket, key).await
    }
    async fn put_file(&self, bucket: &str, key: &str, path: &Path) -> Result<(), ApiError> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        self.inner.put_file(bucket, key, path).await
    }
    async fn put_bytes(&self, bucket: &str, key: &str, bytes: Vec<u8>) -> Result<(), ApiError> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        self.inner.put_bytes(bucket, key, bytes).await
    }
    async fn empty_bucket(&self, bucket: &str) -> Result<usize, ApiError> {
        self.inner.empty_bucket(bucket).await
    }
    fn object_url(&self, bucket: &str, key: &str) -> String {
        self.inner.object_url(bucket, key)
    }
    async fn list_objects(&self, bucket: &str) -> Result<Vec<StoredObject>, ApiError> {
        self.inner.list_objects(bucket).await
    }
    async fn put_object(
        &self,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
        headers: &ObjectHeaders,
    ) -> Result<(), ApiError> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        self.inner.put_object(bucket, key, body, headers).await
    }
    async fn delete_objects(&self, bucket: &str, keys: &[String]) -> Result<(), ApiError> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        self.inner.delete_objects(bucket, keys).await
    }
}

/// moto, a session whose CloudFormation client is [`MotoGaps`] and whose S3 client is a
/// [`CountingStore`], the distribution's id, and clients of the test's own to look at S3 and
/// CloudFront.
struct World {
    _moto: Moto,
    session: Session,
    store: Arc<CountingStore>,
    distribution: String,
    s3: aws_sdk_s3::Client,
    cloudfront: aws_sdk_cloudfront::Client,
}

impl World {
    async fn start() -> World {
        let moto = Moto::start();
        let mut session = moto.session("dev").await;
        let config = moto.sdk_config().await;
        let cloudfront = aws_sdk_cloudfront::Client::new(&config);
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&config)
                .force_path_style(true)
                .build(),
        );
        let distribution = create_distribution(&cloudfront).await;
        session.cfn = Arc::new(MotoGaps {
            inner: session.cfn.clone(),
            distribution: ("SiteDistribution".into(), distribution.clone()),
        });
        let store = Arc::new(CountingStore {
            inner: session.store.clone(),
            writes: AtomicUsize::new(0),
        });
        session.store = store.clone();
        World {
            _moto: moto,
            session,
            store,
            distribution,
            s3,
            cloudfront,
        }
    }

    /// Deploys the site of `dir`; returns the report of its one site and the deploy's output.
    async fn deploy(&self, dir: &Path) -> (SiteReport, String) {
        let (ui, out) = ui(None);
        let report = deploy(&self.session, &site_assembly(dir), &yes(), &ui)
            .await
            .unwrap_or_else(|e| panic!("{e}\n{}", text(&out)));
        let sites = &report.stacks[0].sites;
        assert_eq!(sites.len(), 1, "{}", text(&out));
        (sites[0].clone(), text(&out))
    }

    /// S3 writes (uploads, deletes) the engine has sent so far.
    fn writes(&self) -> usize {
        self.store.writes.load(Ordering::SeqCst)
    }

    async fn keys(&self, bucket: &str) -> Vec<String> {
        let mut keys: Vec<String> = self
            .session
            .store
            .list_objects(bucket)
            .await
            .unwrap()
            .into_iter()
            .map(|o| o.key)
            .collect();
        keys.sort();
        keys
    }

    /// Content-Type, Cache-Control and body of an object.
    async fn object(&self, bucket: &str, key: &str) -> (String, String, Vec<u8>) {
        let object = self
            .s3
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GetObject s3://{bucket}/{key}: {e:?}"));
        (
            object.content_type().unwrap_or_default().to_owned(),
            object.cache_control().unwrap_or_default().to_owned(),
            object.body.collect().await.unwrap().into_bytes().to_vec(),
        )
    }

    /// The paths of every invalidation of the distribution, oldest first.
    async fn invalidations(&self) -> Vec<Vec<String>> {
        let listed = self
            .cloudfront
            .list_invalidations()
            .distribution_id(&self.distribution)
            .send()
            .await
            .unwrap();
        let mut all = Vec::new();
        for summary in listed
            .invalidation_list()
            .map(|l| l.items())
            .unwrap_or_default()
        {
            let got = self
                .cloudfront
                .get_invalidation()
                .distribution_id(&self.distribution)
                .id(summary.id())
                .send()
                .await
                .unwrap();
            let batch = got.invalidation().unwrap().invalidation_batch().unwrap();
            let mut paths = batch.paths().unwrap().items().to_vec();
            paths.sort();
            all.push(paths);
        }
        all
    }
}

/// A distribution in moto's CloudFront (its CloudFormation cannot create one).
async fn create_distribution(client: &aws_sdk_cloudfront::Client) -> String {
    let origin = cf::Origin::builder()
        .id("site-bucket")
        .domain_name("site.s3.eu-central-1.amazonaws.com")
        .s3_origin_config(
            cf::S3OriginConfig::builder()
                .origin_access_identity("")
                .build(),
        )
        .build()
        .unwrap();
    let config = cf::DistributionConfig::builder()
        .caller_reference("site-test")
        .comment("site test")
        .enabled(true)
        .origins(
            cf::Origins::builder()
                .quantity(1)
                .items(origin)
                .build()
                .unwrap(),
        )
        .default_cache_behavior(
            cf::DefaultCacheBehavior::builder()
                .target_origin_id("site-bucket")
                .viewer_protocol_policy(cf::ViewerProtocolPolicy::RedirectToHttps)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let created = client
        .create_distribution()
        .distribution_config(config)
        .send()
        .await
        .unwrap();
    created.distribution().unwrap().id().to_owned()
}

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (relative, content) in files {
        let path = dir.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
}

/// A page as a bundler writes it, with a placeholder `config.json`, a hashed asset, and hidden
/// files that must never leave the machine.
fn site_dir() -> (tempfile::TempDir, PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("web");
    write(
        &dir,
        &[
            ("index.html", "<!doctype html><h1>counter</h1>"),
            ("app.js", "console.log(1);"),
            ("style.css", "h1{}"),
            ("config.json", r#"{"apiUrl": "http://localhost:3000"}"#),
            ("assets/logo.3f9a2c1d.svg", "<svg/>"),
            ("docs/notes.txt", "notes"),
            (".env", "SECRET=do-not-publish"),
            (".git/config", "[core]"),
            ("assets/.DS_Store", "x"),
        ],
    );
    (root, dir)
}

const PUBLISHED: &[&str] = &[
    "app.js",
    "assets/logo.3f9a2c1d.svg",
    "config.json",
    "docs/notes.txt",
    "index.html",
    "style.css",
];

#[tokio::test]
async fn a_site_is_published_pruned_and_invalidated_only_where_it_changed() {
    let world = World::start().await;
    let (_root, dir) = site_dir();

    // First deploy: every file uploaded, hidden ones left out; nothing was cached yet, so
    // nothing to invalidate.
    let (first, out) = world.deploy(&dir).await;
    let bucket = first.bucket.clone();
    let mut uploaded = first.uploaded.clone();
    uploaded.sort();
    assert_eq!(uploaded, PUBLISHED, "{out}");
    assert_eq!(world.keys(&bucket).await, PUBLISHED);
    assert!(
        first.deleted.is_empty() && first.invalidation.is_none(),
        "{first:?}"
    );
    assert!(
        out.contains(&format!(
            "web: site web/Site: 6 uploaded, 0 removed, 0 unchanged in s3://{bucket}; nothing to invalidate"
        )),
        "{out}"
    );

    // Content types and cache headers by name; bodies as in the source.
    for (key, content_type, cache_control) in [
        ("index.html", "text/html; charset=utf-8", "no-cache"),
        ("config.json", "application/json", "no-cache"),
        (
            "app.js",
            "text/javascript; charset=utf-8",
            "public, max-age=300",
        ),
        (
            "style.css",
            "text/css; charset=utf-8",
            "public, max-age=300",
        ),
        (
            "assets/logo.3f9a2c1d.svg",
            "image/svg+xml",
            "public, max-age=31536000, immutable",
        ),
        (
            "docs/notes.txt",
            "text/plain; charset=utf-8",
            "public, max-age=300",
        ),
    ] {
        let (got_type, got_cache, body) = world.object(&bucket, key).await;
        assert_eq!(
            (got_type.as_str(), got_cache.as_str()),
            (content_type, cache_control),
            "{key}"
        );
        if key != "config.json" {
            assert_eq!(body, std::fs::read(dir.join(key)).unwrap(), "{key}");
        }
    }
    // config.json is the stack's outputs, not the source's placeholder.
    let (_, _, config) = world.object(&bucket, "config.json").await;
    let config: serde_json::Value = serde_json::from_slice(&config).unwrap();
    assert_eq!(config, serde_json::json!({ "apiUrl": API_URL }));

    // The same again: nothing uploaded, removed or invalidated.
    let writes = world.writes();
    let (same, out) = world.deploy(&dir).await;
    assert_eq!(
        world.writes(),
        writes,
        "S3 writes in a deploy without change\n{out}"
    );
    assert!(same.uploaded.is_empty(), "{out}");
    assert!(
        same.deleted.is_empty() && same.invalidation.is_none(),
        "{same:?}"
    );
    assert_eq!(same.unchanged, PUBLISHED.len());
    assert!(world.invalidations().await.is_empty());

    // A hidden file changes: not published, and the asset's hash does not move.
    let hash = |dir: &Path| site_assembly(dir).stacks[0].sites[0].asset.clone();
    let before = hash(&dir);
    write(&dir, &[(".env", "SECRET=changed"), (".git/HEAD", "ref")]);
    assert_eq!(hash(&dir), before);
    let (hidden, _) = world.deploy(&dir).await;
    assert_eq!(world.writes(), writes);
    assert!(
        hidden.uploaded.is_empty() && hidden.invalidation.is_none(),
        "{hidden:?}"
    );

    // A file changes, one is removed, one is added: one invalidation, of the changed and the
    // removed paths (and `/`, which serves index.html).
    write(
        &dir,
        &[
            ("app.js", "console.log(2);"),
            ("index.html", "<h1>v2</h1>"),
            ("new.js", "1"),
        ],
    );
    std::fs::remove_file(dir.join("docs/notes.txt")).unwrap();
    assert_ne!(hash(&dir), before);
    let (changed, out) = world.deploy(&dir).await;
    let mut uploaded = changed.uploaded.clone();
    uploaded.sort();
    assert_eq!(uploaded, ["app.js", "index.html", "new.js"], "{out}");
    assert_eq!(changed.deleted, ["docs/notes.txt"]);
    let expected_paths = ["/", "/app.js", "/docs/notes.txt", "/index.html"];
    let invalidation = changed.invalidation.clone().expect("an invalidation");
    assert_eq!(invalidation.distribution, world.distribution);
    assert_eq!(invalidation.paths, expected_paths);
    assert_eq!(world.invalidations().await, [expected_paths]);
    assert_eq!(
        world.keys(&bucket).await,
        [
            "app.js",
            "assets/logo.3f9a2c1d.svg",
            "config.json",
            "index.html",
            "new.js",
            "style.css"
        ]
    );
    let (_, _, body) = world.object(&bucket, "app.js").await;
    assert_eq!(body, b"console.log(2);");

    // And the same again: still exactly that one invalidation.
    let (again, _) = world.deploy(&dir).await;
    assert!(
        again.uploaded.is_empty() && again.invalidation.is_none(),
        "{again:?}"
    );
    assert_eq!(world.invalidations().await.len(), 1);

    // destroy empties the bucket first, so that the stack can delete it (moto, like S3, keeps
    // a bucket that holds objects).
    let (ui, out) = ui(None);
    let opts = DestroyOptions {
        yes: true,
        ..DestroyOptions::default()
    };
    destroy(&world.session, &site_assembly(&dir), &opts, &ui)
        .await
        .unwrap();
    assert!(
        !world.session.store.bucket_exists(&bucket).await.unwrap(),
        "{}",
        text(&out)
    );
}

#[tokio::test]
async fn a_file_that_cannot_be_read_fails_the_deploy_naming_the_stack_and_the_file() {
    let world = World::start().await;
    let (_root, dir) = site_dir();
    let assembly = site_assembly(&dir);
    // After synth, app.js turns into a link to nothing: still listed, no longer readable.
    std::fs::remove_file(dir.join("app.js")).unwrap();
    std::os::unix::fs::symlink(dir.join("gone.js"), dir.join("app.js")).unwrap();
    let (ui, out) = ui(None);
    let err = deploy(&world.session, &assembly, &yes(), &ui)
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with("stack web (demo-dev-web): site web/Site: reading ")
            && message.contains("app.js"),
        "{message}\n{}",
        text(&out)
    );
    assert_eq!(err.exit_code(), 4, "{message}");
}

#[tokio::test]
async fn apply_publishes_the_site_as_deploy_does() {
    let world = World::start().await;
    let (_root, dir) = site_dir();
    let assembly = site_assembly(&dir);
    let (ui1, out) = ui(None);
    let planned = plan(&world.session, &assembly, &ui1)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", text(&out)));

    let (ui2, out) = ui(None);
    let report = apply(
        &world.session,
        &planned,
        &assembly,
        &ApplyOptions::default(),
        &ui2,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", text(&out)));
    let out = text(&out);
    let sites = &report.stacks[0].sites;
    assert_eq!(sites.len(), 1, "{out}");
    let bucket = sites[0].bucket.clone();
    assert_eq!(world.keys(&bucket).await, PUBLISHED, "{out}");
    assert!(
        out.contains(&format!(
            "web: site web/Site: 6 uploaded, 0 removed, 0 unchanged in s3://{bucket}"
        )),
        "{out}"
    );
    // config.json from the applied stack's outputs, not the source's placeholder.
    let (_, _, config) = world.object(&bucket, "config.json").await;
    let config: serde_json::Value = serde_json::from_slice(&config).unwrap();
    assert_eq!(config, serde_json::json!({ "apiUrl": API_URL }));

    // Only a file of the site changes: a plan of the same template, and apply publishes it.
    write(&dir, &[("app.js", "console.log(2);")]);
    let assembly = site_assembly(&dir);
    let (ui3, out) = ui(None);
    let planned = plan(&world.session, &assembly, &ui3)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", text(&out)));
    let (ui4, out) = ui(None);
    let report = apply(
        &world.session,
        &planned,
        &assembly,
        &ApplyOptions::default(),
        &ui4,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", text(&out)));
    assert_eq!(
        report.stacks[0].sites[0].uploaded,
        ["app.js"],
        "{}",
        text(&out)
    );
    let (_, _, body) = world.object(&bucket, "app.js").await;
    assert_eq!(body, b"console.log(2);");
}
