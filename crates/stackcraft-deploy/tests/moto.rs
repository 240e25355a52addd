//! The engine and the CLI against moto in server mode on loopback: bootstrap, deploy by change
//! set (CREATE, UPDATE, no change), diff, destroy, assets in the bucket under their hashes,
//! outputs file, plan and apply, bad input, and the concurrency timing.
//!
//! moto 5.2.5 creates stacks synchronously, shows no resource events, failures or rollbacks,
//! and loses stack outputs after ExecuteChangeSet: those are covered by `scripted.rs`.

mod common;

use std::time::{Duration, Instant};

use common::{assembly, assembly_of, cli, project, text, ui, Moto, CONFIG, STACKS};
use stackcraft::core::{Asset, Packaging};
use stackcraft::template::{Tagging, Value};
use stackcraft_deploy::*;

fn yes() -> DeployOptions {
    DeployOptions {
        yes: true,
        ..DeployOptions::default()
    }
}

fn map(v: serde_json::Value) -> stackcraft::template::Map {
    match Value::from(v) {
        Value::Map(m) => m,
        _ => unreachable!(),
    }
}

async fn status(session: &Session, stack: &str) -> Option<String> {
    session
        .cfn
        .describe_stack(stack)
        .await
        .unwrap()
        .map(|s| s.status)
}

#[tokio::test]
async fn bootstrap_is_idempotent_and_can_be_destroyed() {
    let moto = Moto::start();
    let session = moto.session("dev").await;
    let (ui1, out) = ui(None);
    bootstrap(&session, &BootstrapOptions::default(), &ui1)
        .await
        .unwrap();
    assert_eq!(
        status(&session, "stackcraft-bootstrap").await.as_deref(),
        Some("CREATE_COMPLETE")
    );
    let bucket = session.asset_bucket();
    assert_eq!(bucket, "stackcraft-assets-123456789012-eu-central-1");
    assert!(session.store.bucket_exists(&bucket).await.unwrap());
    assert!(text(&out).contains("bootstrap version 1 is in place"));

    let (ui2, out) = ui(None);
    bootstrap(&session, &BootstrapOptions::default(), &ui2)
        .await
        .unwrap();
    assert!(text(&out).contains("no changes"), "{}", text(&out));

    // Without a terminal and without --yes, --destroy refuses.
    let (ui3, _) = ui(None);
    let destroy_opts = BootstrapOptions {
        destroy: true,
        yes: false,
    };
    let err = bootstrap(&session, &destroy_opts, &ui3).await.unwrap_err();
    assert_eq!(err.exit_code(), 5);
    assert!(session.store.bucket_exists(&bucket).await.unwrap());

    session
        .store
        .put_bytes(&bucket, "assets/x.zip", b"x".to_vec())
        .await
        .unwrap();
    let (ui4, _) = ui(None);
    bootstrap(
        &session,
        &BootstrapOptions {
            destroy: true,
            yes: true,
        },
        &ui4,
    )
    .await
    .unwrap();
    assert_eq!(status(&session, "stackcraft-bootstrap").await, None);
    assert!(!session.store.bucket_exists(&bucket).await.unwrap());
}

#[tokio::test]
async fn deploy_create_update_no_change_diff_and_destroy() {
    let moto = Moto::start();
    let session = moto.session("dev").await;
    let dir = tempfile::tempdir().unwrap();
    let outputs_file = dir.path().join("outputs.json");

    // CREATE, in dependency order; the consumer reads the producer's SSM parameters.
    let (ui1, out) = ui(None);
    let report = deploy(
        &session,
        &assembly(CONFIG, "dev"),
        &DeployOptions {
            outputs_file: Some(outputs_file.clone()),
            ..yes()
        },
        &ui1,
    )
    .await
    .unwrap();
    let order: Vec<_> = report.stacks.iter().map(|s| s.stack.as_str()).collect();
    assert_eq!(order, STACKS);
    assert!(report
        .stacks
        .iter()
        .all(|s| s.outcome == StackOutcome::Created));
    for name in ["demo-dev-data", "demo-dev-access"] {
        assert_eq!(
            status(&session, name).await.as_deref(),
            Some("CREATE_COMPLETE")
        );
    }
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&outputs_file).unwrap()).unwrap();
    assert_eq!(
        written.as_object().unwrap().keys().collect::<Vec<_>>(),
        STACKS
    );
    assert!(text(&out).contains("deployed 2 stack(s) to dev"));

    // No change: nothing executed.
    let (ui2, out) = ui(None);
    let report = deploy(&session, &assembly(CONFIG, "dev"), &yes(), &ui2)
        .await
        .unwrap();
    assert!(
        report
            .stacks
            .iter()
            .all(|s| s.outcome == StackOutcome::NoChanges),
        "{}",
        text(&out)
    );

    // diff: equal.
    let (ui3, _) = ui(None);
    let diffs = diff(&session, &assembly(CONFIG, "dev"), &ui3)
        .await
        .unwrap();
    assert!(diffs.iter().all(|d| !d.differs()), "{diffs:?}");

    // A change: the table gets a TTL attribute in dev.
    let changed = CONFIG.replace(
        "[stacks.access]",
        "[environments.dev.stacks.data]\nttl_attribute = \"expires_at\"\n\n[stacks.access]",
    );
    let (ui4, out) = ui(None);
    let diffs = diff(&session, &assembly(&changed, "dev"), &ui4)
        .await
        .unwrap();
    let data = diffs.iter().find(|d| d.stack == "data").unwrap();
    assert!(data.differs(), "{}", text(&out));
    assert!(
        text(&out).contains("[~] AWS::DynamoDB::Table Items"),
        "{}",
        text(&out)
    );
    assert!(
        text(&out).contains("TimeToLiveSpecification"),
        "{}",
        text(&out)
    );
    assert!(!diffs
        .iter()
        .find(|d| d.stack == "access")
        .unwrap()
        .differs());

    // UPDATE.
    let (ui5, out) = ui(None);
    let report = deploy(&session, &assembly(&changed, "dev"), &yes(), &ui5)
        .await
        .unwrap();
    let outcome = |s: &str| {
        report
            .stacks
            .iter()
            .find(|r| r.stack == s)
            .unwrap()
            .outcome
            .clone()
    };
    assert_eq!(outcome("data"), StackOutcome::Updated, "{}", text(&out));
    assert_eq!(outcome("access"), StackOutcome::NoChanges);
    assert_eq!(
        status(&session, "demo-dev-data").await.as_deref(),
        Some("UPDATE_COMPLETE")
    );
    let (ui6, _) = ui(None);
    let diffs = diff(&session, &assembly(&changed, "dev"), &ui6)
        .await
        .unwrap();
    assert!(diffs.iter().all(|d| !d.differs()));

    // destroy: refused without confirmation, then done in reverse order.
    let (ui7, _) = ui(None);
    let err = destroy(
        &session,
        &assembly(CONFIG, "dev"),
        &DestroyOptions::default(),
        &ui7,
    )
    .await
    .unwrap_err();
    assert_eq!(err.exit_code(), 5);
    assert!(status(&session, "demo-dev-data").await.is_some());
    let (ui8, out) = ui(None);
    let retained = destroy(
        &session,
        &assembly(CONFIG, "dev"),
        &DestroyOptions {
            yes: true,
            ..DestroyOptions::default()
        },
        &ui8,
    )
    .await
    .unwrap();
    let out = text(&out);
    assert!(retained.is_empty(), "dev keeps nothing: {retained:?}");
    assert!(
        out.find("access  ✓").unwrap() < out.find("data  ✓").unwrap(),
        "{out}"
    );
    assert_eq!(status(&session, "demo-dev-data").await, None);
    assert_eq!(status(&session, "demo-dev-access").await, None);
}

#[tokio::test]
async fn assets_are_uploaded_once_under_their_hashes_and_need_a_bootstrap() {
    let moto = Moto::start();
    let session = moto.session("dev").await;
    let files = tempfile::tempdir().unwrap();
    let zip = files.path().join("code.zip");
    std::fs::write(&zip, b"PK fake zip").unwrap();
    let site = files.path().join("site");
    std::fs::create_dir_all(site.join("css")).unwrap();
    std::fs::write(site.join("index.html"), "<h1>hi</h1>").unwrap();
    std::fs::write(site.join("css/site.css"), "h1{}").unwrap();
    let zip_hash = "a".repeat(64);
    let site_hash = "b".repeat(64);
    let (zip2, site2, zh, sh) = (
        zip.clone(),
        site.clone(),
        zip_hash.clone(),
        site_hash.clone(),
    );
    let app = stackcraft::App::from_config("stackcraft.toml").stack("web", move |stack| {
        stack.add_asset(Asset {
            hash: zh.clone(),
            packaging: Packaging::Zip,
            source: zip2.clone(),
            object_key: format!("assets/{zh}.zip"),
        });
        stack.add_asset(Asset {
            hash: sh.clone(),
            packaging: Packaging::Directory,
            source: site2.clone(),
            object_key: format!("sites/{sh}/"),
        });
        stack.add_raw(
            "CodeKey",
            "AWS::SSM::Parameter",
            map(serde_json::json!({"Type": "String", "Value": format!("assets/{zh}.zip")})),
            Tagging::Map,
        );
    });
    let mut web = assembly_of(&app, CONFIG, "dev");
    web.select(&["web".to_owned()]).unwrap();

    // Not bootstrapped: one clear error, nothing deployed.
    let (ui0, _) = ui(None);
    let err = deploy(&session, &web, &yes(), &ui0).await.unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(
        err.to_string()
            .contains("run `stackcraft bootstrap --env dev`"),
        "{err}"
    );
    assert_eq!(status(&session, "demo-dev-web").await, None);

    let (uib, _) = ui(None);
    bootstrap(&session, &BootstrapOptions::default(), &uib)
        .await
        .unwrap();
    let (ui1, out) = ui(None);
    deploy(&session, &web, &yes(), &ui1).await.unwrap();
    assert!(
        text(&out).contains("assets: 3 uploaded, 0 already"),
        "{}",
        text(&out)
    );
    let bucket = session.asset_bucket();
    for key in [
        format!("assets/{zip_hash}.zip"),
        format!("sites/{site_hash}/index.html"),
        format!("sites/{site_hash}/css/site.css"),
    ] {
        assert!(
            session.store.object_exists(&bucket, &key).await.unwrap(),
            "{key}"
        );
    }
    let (ui2, out) = ui(None);
    deploy(&session, &web, &yes(), &ui2).await.unwrap();
    assert!(
        text(&out).contains("assets: 0 uploaded, 3 already"),
        "{}",
        text(&out)
    );
}

#[tokio::test]
async fn a_template_over_the_inline_limit_goes_through_the_asset_bucket() {
    let moto = Moto::start();
    let session = moto.session("dev").await;
    let (uib, _) = ui(None);
    bootstrap(&session, &BootstrapOptions::default(), &uib)
        .await
        .unwrap();
    let app = stackcraft::App::from_config("stackcraft.toml").stack("big", |stack| {
        for i in 0..60 {
            stack.add_raw(
                &format!("Param{i}"),
                "AWS::SSM::Parameter",
                map(serde_json::json!({"Type": "String", "Value": "x".repeat(1000)})),
                Tagging::Map,
            );
        }
    });
    let mut big = assembly_of(&app, CONFIG, "dev");
    big.select(&["big".to_owned()]).unwrap();
    assert!(big.stacks[0].template.to_json().len() > 51_200);
    let (ui1, _) = ui(None);
    deploy(&session, &big, &yes(), &ui1).await.unwrap();
    assert_eq!(
        status(&session, "demo-dev-big").await.as_deref(),
        Some("CREATE_COMPLETE")
    );
}

#[tokio::test]
async fn plan_then_apply_executes_exactly_the_plan_and_refuses_a_stale_one() {
    let moto = Moto::start();
    let session = moto.session("dev").await;
    let (ui1, out) = ui(None);
    let planned = plan(
        &session,
        &{
            let mut a = assembly(CONFIG, "dev");
            a.select(&["data".to_owned()]).unwrap();
            a
        },
        &ui1,
    )
    .await
    .unwrap();
    assert!(text(&out).contains("5 to add"), "{}", text(&out));
    assert_eq!(
        status(&session, "demo-dev-data").await.as_deref(),
        Some("REVIEW_IN_PROGRESS")
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    planned.write(&path).unwrap();
    let read = Plan::read(&path).unwrap();
    assert_eq!(read, planned);
    let (ui2, _) = ui(None);
    let report = apply(&session, &read, &ApplyOptions::default(), &ui2)
        .await
        .unwrap();
    assert_eq!(report.stacks.len(), 1);
    assert_eq!(
        status(&session, "demo-dev-data").await.as_deref(),
        Some("CREATE_COMPLETE")
    );

    // A plan made, then the stack moves (another deploy): apply refuses, executes nothing.
    let changed = CONFIG.replace(
        "[stacks.access]",
        "[environments.dev.stacks.data]\nttl_attribute = \"expires_at\"\n\n[stacks.access]",
    );
    let mut data = assembly(&changed, "dev");
    data.select(&["data".to_owned()]).unwrap();
    let (ui3, _) = ui(None);
    let stale = plan(&session, &data, &ui3).await.unwrap();
    assert!(stale.stacks[0].change_set_id.is_some());
    let (ui4, _) = ui(None);
    deploy(&session, &data, &yes(), &ui4).await.unwrap();
    let (ui5, _) = ui(None);
    let err = apply(&session, &stale, &ApplyOptions::default(), &ui5)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("moved since the plan"), "{err}");
}

#[test]
fn bad_input_is_one_clear_error_and_touches_nothing() {
    let moto = Moto::start();
    let dir = project(CONFIG);
    let ep = format!("--endpoint-url={}", moto.url);
    let d = dir.path();
    // Unknown stack (3, as for synth), unknown environment (2), no stacks named (2).
    assert_eq!(cli(d, &["deploy", "nope", "--env", "dev", &ep, "--yes"]), 3);
    assert_eq!(
        cli(d, &["deploy", "--all", "--env", "nope", &ep, "--yes"]),
        2
    );
    assert_eq!(cli(d, &["deploy", "--env", "dev", &ep]), 2);
    // Account mismatch: moto is 123456789012, `other` is 111111111111.
    assert_eq!(
        cli(d, &["deploy", "--all", "--env", "other", &ep, "--yes"]),
        2
    );
    let env = common::environment(CONFIG, "other");
    let err = block_on(connect(&env, &moto.options())).err().unwrap();
    assert!(err.to_string().contains("environment other is account 111111111111, but the credentials of the default credential chain are for account 123456789012"), "{err}");
    // Missing credentials.
    assert_eq!(
        cli(
            d,
            &[
                "deploy",
                "--all",
                "--env",
                "dev",
                &ep,
                "--profile",
                "nocreds"
            ]
        ),
        2
    );
    // Region other than the environment's.
    assert_eq!(
        cli(
            d,
            &[
                "deploy",
                "--all",
                "--env",
                "dev",
                &ep,
                "--region",
                "us-east-1"
            ]
        ),
        2
    );
    // Unreachable endpoint (a closed loopback port).
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let started = Instant::now();
    assert_eq!(
        cli(
            d,
            &[
                "deploy",
                "--all",
                "--env",
                "dev",
                &format!("--endpoint-url=http://127.0.0.1:{closed}"),
                "--yes"
            ]
        ),
        4
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    // Protected environment.
    assert_eq!(
        cli(d, &["destroy", "--all", "--env", "prod", &ep, "--yes"]),
        2
    );
    // Nothing was touched.
    block_on(async {
        let session = moto.session("dev").await;
        for name in [
            "demo-dev-data",
            "demo-dev-access",
            "demo-other-data",
            "demo-prod-data",
        ] {
            assert_eq!(status(&session, name).await, None, "{name}");
        }
    });
    // The CLI path works end to end: deploy, diff (0, then 1 on a change), destroy.
    assert_eq!(
        cli(d, &["deploy", "--all", "--env", "dev", &ep, "--yes"]),
        0
    );
    assert_eq!(cli(d, &["diff", "--env", "dev", &ep]), 0);
    let changed = CONFIG.replace(
        "[stacks.access]",
        "[environments.dev.stacks.data]\nttl_attribute = \"expires_at\"\n\n[stacks.access]",
    );
    std::fs::write(d.join("stackcraft.toml"), changed).unwrap();
    assert_eq!(cli(d, &["diff", "--env", "dev", &ep]), 1);
    assert_eq!(
        cli(d, &["destroy", "--all", "--env", "dev", &ep, "--yes"]),
        0
    );
}

#[test]
fn endpoints_outside_loopback_are_refused_in_test_mode() {
    common::setup();
    let env = common::environment(CONFIG, "dev");
    for url in [
        "http://10.1.2.3:5000",
        "https://cloudformation.eu-central-1.amazonaws.com",
        "http://[2001:db8::1]:80",
    ] {
        let opts = ConnectOptions {
            endpoint_url: Some(url.into()),
            ..ConnectOptions::default()
        };
        let err = block_on(connect(&env, &opts)).err().expect(url);
        assert_eq!(err.exit_code(), 2, "{url}");
        assert!(err.to_string().contains("refused"), "{err}");
    }
    // No endpoint at all would mean AWS itself.
    let err = block_on(connect(&env, &ConnectOptions::default()))
        .err()
        .unwrap();
    assert!(err.to_string().contains("refusing to reach AWS"), "{err}");
    let dir = project(CONFIG);
    assert_eq!(
        cli(
            dir.path(),
            &[
                "deploy",
                "--all",
                "--env",
                "dev",
                "--endpoint-url=http://192.0.2.1:80"
            ]
        ),
        2
    );
}

/// Eight independent stacks against moto, `--concurrency 1` vs `4` (timings printed; run with
/// `--nocapture` to see them).
#[tokio::test]
async fn eight_independent_stacks_with_concurrency_1_and_4() {
    let moto = Moto::start();
    let session = moto.session("dev").await;
    let mut app = stackcraft::App::from_config("stackcraft.toml");
    for i in 0..8 {
        app = app.stack(&format!("s{i}"), move |stack| {
            for r in 0..3 {
                stack.add_raw(
                    &format!("Param{r}"),
                    "AWS::SSM::Parameter",
                    map(serde_json::json!({"Type": "String", "Value": format!("{i}-{r}")})),
                    Tagging::Map,
                );
            }
            stack.add_raw(
                "Queue",
                "AWS::SQS::Queue",
                map(serde_json::json!({})),
                Tagging::List,
            );
        });
    }
    let mut timings = Vec::new();
    for (round, concurrency) in [(0, 1), (1, 4)] {
        let mut a = assembly_of(&app, CONFIG, "dev");
        a.stacks.retain(|s| s.name.starts_with('s'));
        for s in &mut a.stacks {
            s.deployed_name = format!("{}-r{round}", s.deployed_name);
        }
        let (u, _) = ui(None);
        let started = Instant::now();
        let report = deploy(
            &session,
            &a,
            &DeployOptions {
                concurrency,
                ..yes()
            },
            &u,
        )
        .await
        .unwrap();
        timings.push((concurrency, started.elapsed()));
        assert_eq!(report.stacks.len(), 8);
    }
    for (c, t) in &timings {
        println!("8 stacks, --concurrency {c}: {:.2}s", t.as_secs_f64());
    }
}
