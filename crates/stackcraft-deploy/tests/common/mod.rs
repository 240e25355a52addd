//! Shared by the deploy tests: the environment (loopback only, test credentials), moto in
//! server mode (one per test, so tests are isolated and run in parallel), assemblies.

#![allow(dead_code)]

use std::path::Path;
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use stackcraft::core::Assembly;
use stackcraft_deploy::{ConnectOptions, Session, Ui};

pub mod fake;
/// The std-only cargo workspace the asset tests build: a real Rust Lambda in seconds.
#[path = "../../../stackcraft-assets/tests/fixture/mod.rs"]
pub mod fixture;
#[path = "../../../stackcraft/tests/common/mod.rs"]
mod shared;

#[allow(unused_imports)] // not every test binary uses each
pub use shared::{project, repo_root, with_root};

/// The stacks of the shipped project: the starter stacks, a bucket and a table (`data`) and a
/// role that reads them through SSM-parameter references (`access`), and the object counter
/// (`objects`: two Rust Lambda functions as zip assets). [`project`] adds `[project] root`, so
/// the functions are built from this repository and the cached zips under
/// `target/stackcraft-assets` are reused.
pub const CONFIG: &str = r#"
[project]
name = "demo"
tags = { project = "demo" }

[environments.dev]
region = "eu-central-1"

[environments.prod]
account = "123456789012"
region = "eu-central-1"

[environments.other]
account = "111111111111"
region = "eu-central-1"

[stacks.data]
blueprint = "starter-data"
description = "Uploads bucket and items table"

[stacks.access]
blueprint = "starter-access"

[stacks.access.settings]
data_stack = "data"

[stacks.objects]
blueprint = "object-counter"
description = "Object counter: S3 events to SNS to a Rust Lambda, counts in DynamoDB, GET /count"

[stacks.objects.settings]
prefix = "uploads/"
"#;

/// The stacks of `CONFIG`, in dependency order.
pub const STACKS: &[&str] = &["data", "access", "objects"];

/// The starter stacks of `CONFIG` (no assets: they deploy without a bootstrap).
pub const STARTER: &[&str] = &["data", "access"];

static SETUP: Once = Once::new();

/// Sets the process environment once, before any test reads it (see
/// `shared::moto_environment`).
pub fn setup() {
    SETUP.call_once(|| {
        let dir =
            std::env::temp_dir().join(format!("stackcraft-deploy-tests-{}", std::process::id()));
        // SAFETY (edition 2021: safe functions): every test calls setup() before anything
        // reads the environment, and Once makes the others wait until this is done.
        for (key, value) in shared::moto_environment(&dir) {
            std::env::set_var(key, value);
        }
        for var in shared::AWS_VARS_CLEARED {
            std::env::remove_var(var);
        }
    });
}

/// A moto server of its own (one per test, so tests are isolated and run in parallel).
pub struct Moto {
    server: shared::MotoServer,
    pub url: String,
}

impl Moto {
    pub fn start() -> Moto {
        setup();
        let server = shared::MotoServer::start();
        let url = server.url.clone();
        Moto { server, url }
    }

    pub fn options(&self) -> ConnectOptions {
        ConnectOptions {
            endpoint_url: Some(self.url.clone()),
            ..ConnectOptions::default()
        }
    }

    /// An SDK configuration for clients of the test's own (to look at what the engine did).
    pub async fn sdk_config(&self) -> aws_config::SdkConfig {
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("eu-central-1"))
            .endpoint_url(&self.url)
            .load()
            .await
    }

    /// A verified session for an environment of `CONFIG`.
    pub async fn session(&self, env: &str) -> Session {
        let env = environment(CONFIG, env);
        stackcraft_deploy::connect(&env, &self.options())
            .await
            .unwrap()
            .with_poll(Duration::from_millis(20))
    }
}

/// An environment of `config`, without building its stacks.
pub fn environment(config: &str, env: &str) -> stackcraft::core::Environment {
    let path = repo_root().join("stackcraft.toml");
    let config = stackcraft::config::Config::parse(config, &path).unwrap();
    config.environment(env).unwrap()
}

/// Synthesizes one environment of `config` with the app's code stacks.
pub fn assembly_of(app: &stackcraft::App, config: &str, env: &str) -> Assembly {
    shared::synth_with(app, config, env).unwrap()
}

pub fn assembly(config: &str, env: &str) -> Assembly {
    shared::synth(config, env).unwrap()
}

/// The assembly narrowed to `stacks` (and what they depend on).
pub fn assembly_of_stacks(config: &str, env: &str, stacks: &[&str]) -> Assembly {
    let mut a = assembly(config, env);
    let names: Vec<String> = stacks.iter().map(|s| (*s).to_owned()).collect();
    a.select(&names).unwrap();
    a
}

/// The starter stacks (`data`, `access`) of one environment of `config`.
pub fn starter(config: &str, env: &str) -> Assembly {
    assembly_of_stacks(config, env, STARTER)
}

/// One change [`moto_compatible`] made: the resource, and what was changed in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MotoFix {
    pub logical_id: String,
    pub what: String,
}

/// The assembly with the two constructs of valid CloudFormation that moto 5.2.5 (server mode)
/// cannot create rewritten into equivalents it can; everything else is deployed as
/// synthesized. Both are moto bugs, not template errors (cfn-lint and CloudFormation accept
/// them):
///
/// - `AWS::KMS::Key` with `Tags`: moto's `Key.create_from_cloudformation_json` hands the
///   CloudFormation tags (`Key`/`Value`) to its KMS tagger, which wants `TagKey`/`TagValue`;
///   the `KeyError: 'TagKey'` is swallowed by the resource map's lookup, and ExecuteChangeSet
///   fails with `Template error: instance of Fn::GetAtt references undefined resource
///   ObjectEventsKey` (the topic's `KmsMasterKeyId`). Fix: the key's `Tags` are dropped.
/// - `Fn::GetAtt [<AWS::ApiGateway::Resource>, ResourceId]`: moto's API Gateway `Resource` has
///   no `get_cfn_attribute` (only `Ref`), so ExecuteChangeSet answers HTTP 500
///   (`AttributeError: 'Resource' object has no attribute 'get_cfn_attribute'`). Fix: `Ref` of
///   the resource, which CloudFormation documents as the same value (the resource id).
///
/// What moto accepts but does not really create is listed where the tests use this.
pub fn moto_compatible(mut assembly: Assembly) -> (Assembly, Vec<MotoFix>) {
    let mut fixes = Vec::new();
    for stack in &mut assembly.stacks {
        let mut json: serde_json::Value = serde_json::from_str(&stack.template.to_json()).unwrap();
        let resources = json["Resources"].as_object_mut().unwrap();
        let api_resources: Vec<String> = resources
            .iter()
            .filter(|(_, r)| r["Type"] == "AWS::ApiGateway::Resource")
            .map(|(id, _)| id.clone())
            .collect();
        for (id, resource) in resources.iter_mut() {
            if resource["Type"] == "AWS::KMS::Key" {
                if let Some(props) = resource["Properties"].as_object_mut() {
                    if props.remove("Tags").is_some() {
                        fixes.push(MotoFix {
                            logical_id: id.clone(),
                            what: "Tags dropped".into(),
                        });
                    }
                }
            }
            let mut replaced = Vec::new();
            ref_for_resource_id(resource, &api_resources, &mut replaced);
            for target in replaced {
                fixes.push(MotoFix {
                    logical_id: id.clone(),
                    what: format!("Fn::GetAtt {target}.ResourceId → Ref {target}"),
                });
            }
        }
        stack.template = stackcraft::template::Template::from_json(&json.to_string()).unwrap();
    }
    (assembly, fixes)
}

/// Replaces `{"Fn::GetAtt": [R, "ResourceId"]}` (R in `targets`) by `{"Ref": R}`, below `v`.
fn ref_for_resource_id(v: &mut serde_json::Value, targets: &[String], done: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            let target = match m.get("Fn::GetAtt") {
                Some(serde_json::Value::Array(a))
                    if m.len() == 1 && a.len() == 2 && a[1] == "ResourceId" =>
                {
                    a[0].as_str().filter(|t| targets.iter().any(|x| x == t))
                }
                _ => None,
            };
            if let Some(target) = target.map(str::to_owned) {
                *v = serde_json::json!({ "Ref": target });
                done.push(target);
                return;
            }
            for child in m.values_mut() {
                ref_for_resource_id(child, targets, done);
            }
        }
        serde_json::Value::Array(a) => {
            for child in a {
                ref_for_resource_id(child, targets, done);
            }
        }
        _ => {}
    }
}

/// A UI writing into a buffer, answering questions with `answer`.
pub fn ui(answer: Option<bool>) -> (Ui, Arc<Mutex<Vec<u8>>>) {
    Ui::capture(answer)
}

pub fn text(buffer: &Arc<Mutex<Vec<u8>>>) -> String {
    String::from_utf8(buffer.lock().unwrap().clone()).unwrap()
}

/// Runs the real CLI in-process; returns its exit code.
pub fn cli(dir: &Path, args: &[&str]) -> u8 {
    setup();
    let config = dir.join("stackcraft.toml");
    let mut argv = vec!["stackcraft", "--config", config.to_str().unwrap()];
    argv.extend_from_slice(args);
    let code = stackcraft::App::from_config(&config).run_from(argv);
    (0..=255u8)
        .find(|n| code == std::process::ExitCode::from(*n))
        .expect("an exit code")
}
