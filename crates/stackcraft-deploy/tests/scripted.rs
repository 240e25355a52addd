//! The engine against a scripted CloudFormation replaying realistic event sequences: what
//! moto cannot show (resource events, failures, rollbacks, stuck stacks, outputs, approval).

mod common;

use common::fake::{change, FakeCloudFormation, Script, Step};
use common::{assembly, text, ui, CONFIG};
use stackcraft_deploy::*;

const STACK: &str = "AWS::CloudFormation::Stack";
const DATA: &str = "demo-dev-data";

fn opts() -> DeployOptions {
    DeployOptions::default()
}

fn data_only() -> stackcraft::core::Assembly {
    let mut a = assembly(CONFIG, "dev");
    a.select(&["data".to_owned()]).unwrap();
    a
}

fn create_ok() -> Script {
    let steps: Vec<Step> = vec![
        ("", STACK, "CREATE_IN_PROGRESS", "User Initiated"),
        ("Uploads", "AWS::S3::Bucket", "CREATE_IN_PROGRESS", ""),
        ("Items", "AWS::DynamoDB::Table", "CREATE_IN_PROGRESS", ""),
        ("Uploads", "AWS::S3::Bucket", "CREATE_COMPLETE", ""),
        ("Items", "AWS::DynamoDB::Table", "CREATE_COMPLETE", ""),
        ("", STACK, "CREATE_COMPLETE", ""),
    ];
    Script {
        changes: vec![
            change(
                Action::Add,
                "Uploads",
                "AWS::S3::Bucket",
                Replacement::Never,
            ),
            change(
                Action::Add,
                "Items",
                "AWS::DynamoDB::Table",
                Replacement::Never,
            ),
        ],
        steps,
        outputs: vec![("UploadsBucket", "demo-dev-data-uploads-1")],
        hang: false,
    }
}

#[tokio::test]
async fn a_successful_create_streams_events_and_writes_outputs() {
    common::setup();
    let fake = FakeCloudFormation::default();
    fake.script(DATA, create_ok());
    let dir = tempfile::tempdir().unwrap();
    let outputs_file = dir.path().join("outputs.json");
    let (ui, out) = ui(None);
    let report = deploy(
        &fake.session(),
        &data_only(),
        &DeployOptions {
            outputs_file: Some(outputs_file.clone()),
            ..opts()
        },
        &ui,
    )
    .await
    .unwrap();
    let out = text(&out);
    assert_eq!(report.stacks.len(), 1);
    assert_eq!(
        report.stacks[0].outputs["UploadsBucket"],
        "demo-dev-data-uploads-1"
    );
    // Per-resource status, in order, with elapsed time.
    let bucket_done = out
        .find("CREATE_COMPLETE                AWS::S3::Bucket")
        .expect(&out);
    let bucket_started = out
        .find("CREATE_IN_PROGRESS             AWS::S3::Bucket")
        .unwrap();
    assert!(bucket_started < bucket_done, "{out}");
    assert!(
        out.contains("data  ✓ demo-dev-data CREATE_COMPLETE"),
        "{out}"
    );
    assert!(
        out.contains("UploadsBucket = demo-dev-data-uploads-1"),
        "{out}"
    );
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&outputs_file).unwrap()).unwrap();
    assert_eq!(written["data"]["UploadsBucket"], "demo-dev-data-uploads-1");
}

#[tokio::test]
async fn a_failed_create_reports_the_first_failure_waits_for_rollback_and_blocks_with_the_fix() {
    common::setup();
    let fake = FakeCloudFormation::default();
    fake.script(
        DATA,
        Script {
            changes: create_ok().changes,
            steps: vec![
                ("", STACK, "CREATE_IN_PROGRESS", "User Initiated"),
                ("Uploads", "AWS::S3::Bucket", "CREATE_IN_PROGRESS", ""),
                ("Items", "AWS::DynamoDB::Table", "CREATE_IN_PROGRESS", ""),
                (
                    "Items",
                    "AWS::DynamoDB::Table",
                    "CREATE_FAILED",
                    "Resource handler returned message: \"Table already exists: items\"",
                ),
                (
                    "Uploads",
                    "AWS::S3::Bucket",
                    "CREATE_FAILED",
                    "Resource creation cancelled",
                ),
                (
                    "",
                    STACK,
                    "ROLLBACK_IN_PROGRESS",
                    "The following resource(s) failed to create: [Items, Uploads].",
                ),
                ("Uploads", "AWS::S3::Bucket", "DELETE_COMPLETE", ""),
                ("Items", "AWS::DynamoDB::Table", "DELETE_COMPLETE", ""),
                ("", STACK, "ROLLBACK_COMPLETE", ""),
            ],
            ..Script::default()
        },
    );
    let (ui1, out) = ui(None);
    let err = deploy(&fake.session(), &data_only(), &opts(), &ui1)
        .await
        .unwrap_err();
    let out = text(&out);
    assert_eq!(err.exit_code(), 5);
    let message = err.to_string();
    assert!(message.contains("Items (AWS::DynamoDB::Table) CREATE_FAILED: Resource handler returned message: \"Table already exists: items\""), "{message}");
    assert!(
        message.contains("rolled back (ROLLBACK_COMPLETE)"),
        "{message}"
    );
    assert!(
        message.contains("stackcraft destroy data --env dev --yes"),
        "{message}"
    );
    match &err {
        DeployError::ChangeSetFailed {
            stack,
            resource: Some(resource),
            status,
            recovery: Some(recovery),
            ..
        } => {
            assert_eq!(stack, "data");
            assert_eq!(
                (resource.logical_id.as_str(), resource.status.as_str()),
                ("Items", "CREATE_FAILED")
            );
            assert_eq!(status, "ROLLBACK_COMPLETE");
            assert!(recovery.contains("stackcraft destroy data"), "{recovery}");
        }
        other => panic!("a failed change set, not {other:?}"),
    }
    // The first failure is announced before the rollback finishes.
    let first = out.find("first failure: Items").expect(&out);
    let rolled_back = out.find("ROLLBACK_COMPLETE").unwrap();
    assert!(first < rolled_back, "{out}");
    assert_eq!(fake.status(DATA).as_deref(), Some("ROLLBACK_COMPLETE"));

    // The next deploy explains the stuck stack and touches nothing.
    let calls = fake.calls().len();
    let (ui2, _) = ui(None);
    let err = deploy(&fake.session(), &data_only(), &opts(), &ui2)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("is ROLLBACK_COMPLETE"), "{err}");
    assert!(
        matches!(&err, DeployError::Unrecoverable { stack, status, .. }
            if stack == "data" && status == "ROLLBACK_COMPLETE"),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("`stackcraft destroy data --env dev --yes`"),
        "{err}"
    );
    assert_eq!(fake.calls().len(), calls, "no change set was created");
}

#[tokio::test]
async fn a_failed_update_ends_in_update_rollback_complete_and_the_next_deploy_proceeds() {
    common::setup();
    let fake = FakeCloudFormation::default();
    fake.existing(DATA, "UPDATE_COMPLETE");
    fake.script(
        DATA,
        Script {
            changes: vec![change(
                Action::Modify,
                "Items",
                "AWS::DynamoDB::Table",
                Replacement::Never,
            )],
            steps: vec![
                ("", STACK, "UPDATE_IN_PROGRESS", "User Initiated"),
                ("Items", "AWS::DynamoDB::Table", "UPDATE_IN_PROGRESS", ""),
                (
                    "Items",
                    "AWS::DynamoDB::Table",
                    "UPDATE_FAILED",
                    "Cannot update GSI's properties other than Provisioned Throughput",
                ),
                (
                    "",
                    STACK,
                    "UPDATE_ROLLBACK_IN_PROGRESS",
                    "The following resource(s) failed to update: [Items].",
                ),
                ("Items", "AWS::DynamoDB::Table", "UPDATE_COMPLETE", ""),
                (
                    "",
                    STACK,
                    "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
                    "",
                ),
                ("", STACK, "UPDATE_ROLLBACK_COMPLETE", ""),
            ],
            ..Script::default()
        },
    );
    let (ui1, _) = ui(None);
    let err = deploy(&fake.session(), &data_only(), &opts(), &ui1)
        .await
        .unwrap_err();
    assert_eq!(err.exit_code(), 5);
    let message = err.to_string();
    assert!(
        message.contains("Items (AWS::DynamoDB::Table) UPDATE_FAILED: Cannot update GSI"),
        "{message}"
    );
    assert!(
        message.contains("rolled back (UPDATE_ROLLBACK_COMPLETE)"),
        "{message}"
    );
    assert_eq!(
        fake.status(DATA).as_deref(),
        Some("UPDATE_ROLLBACK_COMPLETE")
    );

    // UPDATE_ROLLBACK_COMPLETE takes updates: the next deploy goes ahead.
    fake.script(
        DATA,
        Script {
            changes: vec![change(
                Action::Modify,
                "Items",
                "AWS::DynamoDB::Table",
                Replacement::Never,
            )],
            steps: vec![
                ("", STACK, "UPDATE_IN_PROGRESS", ""),
                ("", STACK, "UPDATE_COMPLETE", ""),
            ],
            ..Script::default()
        },
    );
    let (ui2, _) = ui(None);
    deploy(&fake.session(), &data_only(), &opts(), &ui2)
        .await
        .unwrap();
    assert_eq!(fake.status(DATA).as_deref(), Some("UPDATE_COMPLETE"));
}

#[tokio::test]
async fn update_rollback_failed_is_explained_with_the_command_that_recovers_it() {
    common::setup();
    let fake = FakeCloudFormation::default();
    fake.existing(DATA, "UPDATE_ROLLBACK_FAILED");
    let (ui1, _) = ui(None);
    let err = deploy(&fake.session(), &data_only(), &opts(), &ui1)
        .await
        .unwrap_err();
    assert_eq!(err.exit_code(), 5);
    assert!(
        matches!(&err, DeployError::Unrecoverable { status, .. } if status == "UPDATE_ROLLBACK_FAILED"),
        "{err:?}"
    );
    assert!(
        err.to_string().contains(
            "aws cloudformation continue-update-rollback --stack-name demo-dev-data --region eu-central-1"
        ),
        "{err}"
    );
    assert!(fake.calls().is_empty(), "{:?}", fake.calls());
}

fn replace_database() -> Script {
    Script {
        changes: vec![
            change(Action::Modify, "Database", "AWS::RDS::DBInstance", Replacement::Always),
            change(Action::Modify, "Items", "AWS::DynamoDB::Table", Replacement::Never),
        ],
        steps: vec![
            ("", STACK, "UPDATE_IN_PROGRESS", ""),
            ("Database", "AWS::RDS::DBInstance", "UPDATE_IN_PROGRESS", "Requested update requires the creation of a new physical resource; hence creating one."),
            ("Database", "AWS::RDS::DBInstance", "UPDATE_COMPLETE", ""),
            ("", STACK, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", ""),
            ("Database", "AWS::RDS::DBInstance", "DELETE_COMPLETE", ""),
            ("", STACK, "UPDATE_COMPLETE", ""),
        ],
        ..Script::default()
    }
}

#[tokio::test]
async fn replacing_a_database_needs_approval() {
    common::setup();
    let fake = FakeCloudFormation::default();
    fake.existing(DATA, "UPDATE_COMPLETE");

    // No terminal, no --yes: refused, change set deleted, nothing executed.
    fake.script(DATA, replace_database());
    let (ui1, out) = ui(None);
    let err = deploy(&fake.session(), &data_only(), &opts(), &ui1)
        .await
        .unwrap_err();
    let out = text(&out);
    assert_eq!(err.exit_code(), 5);
    assert!(err.to_string().contains("needs approval"), "{err}");
    assert!(
        matches!(
            err,
            DeployError::NotApproved {
                refusal: Refusal::NobodyToAsk,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(out.contains("± REPLACE      AWS::RDS::DBInstance"), "{out}");
    assert!(
        out.contains("!!! STATEFUL RESOURCE REPLACED: the data in Database is lost"),
        "{out}"
    );
    assert!(
        !out.contains("STATEFUL RESOURCE REPLACED: the data in Items"),
        "{out}"
    );
    assert!(fake.calls().contains(&"delete_change_set".to_owned()));
    assert!(!fake.calls().iter().any(|c| c.starts_with("execute")));

    // Asked and declined.
    let (ui2, _) = ui(Some(false));
    let err = deploy(&fake.session(), &data_only(), &opts(), &ui2)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("declined"), "{err}");
    assert!(
        matches!(
            err,
            DeployError::NotApproved {
                refusal: Refusal::Declined,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!fake.calls().iter().any(|c| c.starts_with("execute")));

    // Asked and approved.
    let (ui3, _) = ui(Some(true));
    deploy(&fake.session(), &data_only(), &opts(), &ui3)
        .await
        .unwrap();
    assert_eq!(fake.status(DATA).as_deref(), Some("UPDATE_COMPLETE"));

    // --yes: no question.
    fake.script(DATA, replace_database());
    let (ui4, _) = ui(None);
    deploy(
        &fake.session(),
        &data_only(),
        &DeployOptions {
            yes: true,
            ..opts()
        },
        &ui4,
    )
    .await
    .unwrap();
    assert_eq!(
        fake.calls()
            .iter()
            .filter(|c| c.starts_with("execute"))
            .count(),
        2
    );
}

#[tokio::test]
async fn an_empty_change_set_is_no_changes_and_is_not_executed() {
    common::setup();
    let fake = FakeCloudFormation::default();
    fake.existing(DATA, "UPDATE_COMPLETE");
    let (ui1, out) = ui(None);
    let report = deploy(&fake.session(), &data_only(), &opts(), &ui1)
        .await
        .unwrap();
    assert_eq!(report.stacks[0].outcome, stackcraft_deploy_outcome());
    assert!(text(&out).contains("data (demo-dev-data): no changes"));
    assert!(!fake.calls().iter().any(|c| c.starts_with("execute")));
}

fn stackcraft_deploy_outcome() -> stackcraft_deploy::StackOutcome {
    stackcraft_deploy::StackOutcome::NoChanges
}

#[tokio::test]
async fn a_busy_stack_is_followed_until_it_settles_then_deployed() {
    common::setup();
    let fake = FakeCloudFormation::default();
    fake.existing(DATA, "UPDATE_IN_PROGRESS");
    fake.busy(
        DATA,
        vec![
            ("Items", "AWS::DynamoDB::Table", "UPDATE_COMPLETE", ""),
            ("", STACK, "UPDATE_COMPLETE", ""),
        ],
    );
    fake.script(
        DATA,
        Script {
            changes: vec![change(
                Action::Add,
                "New",
                "AWS::SQS::Queue",
                Replacement::Never,
            )],
            steps: vec![
                ("", STACK, "UPDATE_IN_PROGRESS", ""),
                ("", STACK, "UPDATE_COMPLETE", ""),
            ],
            ..Script::default()
        },
    );
    let (ui1, out) = ui(None);
    deploy(&fake.session(), &data_only(), &opts(), &ui1)
        .await
        .unwrap();
    let out = text(&out);
    assert!(
        out.contains("is UPDATE_IN_PROGRESS; following it until it settles"),
        "{out}"
    );
    assert!(fake.calls().iter().any(|c| c.starts_with("execute")));
}

#[tokio::test]
async fn ctrl_c_after_execution_says_the_change_set_was_executed() {
    common::setup();
    let fake = FakeCloudFormation::default();
    fake.script(
        DATA,
        Script {
            hang: true,
            ..create_ok()
        },
    );
    let (ui1, _) = ui(None);
    let ui1 = ui1.with_interrupt(Interrupt::Notify(fake.executed.clone()));
    let err = deploy(&fake.session(), &data_only(), &opts(), &ui1)
        .await
        .unwrap_err();
    assert_eq!(err.exit_code(), 130);
    assert!(err.change_set_executed(), "{err:?}");
    assert!(
        matches!(&err, DeployError::Interrupted { stacks, .. }
            if stacks.len() == 1 && stacks[0].executed_change_set.is_some()),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(message.contains("WAS executed"), "{message}");
    assert!(
        message.contains("aws cloudformation describe-stack-events --stack-name demo-dev-data"),
        "{message}"
    );
    assert!(message.contains("picks up from the state"), "{message}");
}

#[tokio::test]
async fn stacks_deploy_in_dependency_order_and_a_failure_stops_the_dependents() {
    common::setup();
    let fake = FakeCloudFormation::default();
    fake.script(
        DATA,
        Script {
            changes: create_ok().changes,
            steps: vec![
                ("", STACK, "CREATE_IN_PROGRESS", ""),
                ("Items", "AWS::DynamoDB::Table", "CREATE_FAILED", "boom"),
                ("", STACK, "ROLLBACK_IN_PROGRESS", ""),
                ("", STACK, "ROLLBACK_COMPLETE", ""),
            ],
            ..Script::default()
        },
    );
    let (ui1, out) = ui(None);
    let all = assembly(CONFIG, "dev");
    let err = deploy(
        &fake.session(),
        &all,
        &DeployOptions {
            concurrency: 4,
            ..opts()
        },
        &ui1,
    )
    .await
    .unwrap_err();
    assert!(err
        .to_string()
        .contains("Items (AWS::DynamoDB::Table) CREATE_FAILED: boom"));
    assert!(text(&out).contains("not deployed because of the failure: access"));
    assert!(
        !fake.calls().iter().any(|c| c.contains("demo-dev-access")),
        "{:?}",
        fake.calls()
    );
}

/// A script that adds one queue and settles after a few polls.
fn queue_added() -> Script {
    Script {
        changes: vec![change(
            Action::Add,
            "Queue",
            "AWS::SQS::Queue",
            Replacement::Never,
        )],
        steps: vec![
            ("", STACK, "CREATE_IN_PROGRESS", "User Initiated"),
            ("Queue", "AWS::SQS::Queue", "CREATE_IN_PROGRESS", ""),
            ("Queue", "AWS::SQS::Queue", "CREATE_COMPLETE", ""),
            ("", STACK, "CREATE_COMPLETE", ""),
        ],
        ..Script::default()
    }
}

#[tokio::test]
async fn independent_stacks_really_overlap_up_to_the_concurrency() {
    common::setup();
    let mut app = stackcraft::App::from_config("stackcraft.toml");
    for i in 0..8 {
        app = app.stack(&format!("s{i}"), |stack| {
            stack.add_raw(
                "Queue",
                "AWS::SQS::Queue",
                stackcraft::template::Map::new(),
                stackcraft::template::Tagging::List,
            );
        });
    }
    let mut eight = common::assembly_of(&app, CONFIG, "dev");
    eight.stacks.retain(|s| s.name.starts_with('s'));
    assert_eq!(eight.stacks.len(), 8);
    for concurrency in [1, 4] {
        let fake = FakeCloudFormation::default();
        for stack in &eight.stacks {
            fake.script(&stack.deployed_name, queue_added());
        }
        let (ui1, _) = ui(None);
        let report = deploy(
            &fake.session(),
            &eight,
            &DeployOptions {
                concurrency,
                ..opts()
            },
            &ui1,
        )
        .await
        .unwrap();
        assert_eq!(report.stacks.len(), 8);
        // The fake counts the stacks executed and not yet settled at each moment.
        assert_eq!(
            fake.most_in_flight(),
            concurrency,
            "--concurrency {concurrency}: {:?}",
            fake.calls()
        );
    }
}

/// The database is replaced and a queue is added: the queue alone is no destructive change.
fn add_a_queue_to_data() -> Script {
    Script {
        changes: vec![change(
            Action::Add,
            "Queue",
            "AWS::SQS::Queue",
            Replacement::Never,
        )],
        steps: vec![
            ("", STACK, "UPDATE_IN_PROGRESS", ""),
            ("", STACK, "UPDATE_COMPLETE", ""),
        ],
        ..Script::default()
    }
}

#[tokio::test]
async fn require_approval_never_and_any_change() {
    common::setup();
    let executions = |fake: &FakeCloudFormation| {
        fake.calls()
            .iter()
            .filter(|c| c.starts_with("execute"))
            .count()
    };
    // never: a replaced database goes ahead without a question (nobody to ask, no --yes).
    let fake = FakeCloudFormation::default();
    fake.existing(DATA, "UPDATE_COMPLETE");
    fake.script(DATA, replace_database());
    let (ui1, out) = ui(None);
    let never = DeployOptions {
        require_approval: RequireApproval::Never,
        ..opts()
    };
    deploy(&fake.session(), &data_only(), &never, &ui1)
        .await
        .unwrap();
    assert_eq!(executions(&fake), 1);
    assert!(!text(&out).contains("Execute it?"), "{}", text(&out));

    // any-change: even an added queue is asked about; declined, it is not executed.
    let any = DeployOptions {
        require_approval: RequireApproval::AnyChange,
        ..opts()
    };
    fake.script(DATA, add_a_queue_to_data());
    let (ui2, _) = ui(Some(false));
    let err = deploy(&fake.session(), &data_only(), &any, &ui2)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            DeployError::NotApproved {
                refusal: Refusal::Declined,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("changes resources"), "{err}");
    assert_eq!(executions(&fake), 1);
    // ... and with the default (destructive only) the same change set needs no question.
    fake.script(DATA, add_a_queue_to_data());
    let (ui3, _) = ui(None);
    deploy(&fake.session(), &data_only(), &opts(), &ui3)
        .await
        .unwrap();
    assert_eq!(executions(&fake), 2);
}

#[tokio::test]
async fn removing_a_stateful_resource_is_flagged_and_needs_approval() {
    common::setup();
    let fake = FakeCloudFormation::default();
    fake.existing(DATA, "UPDATE_COMPLETE");
    fake.script(
        DATA,
        Script {
            changes: vec![
                change(
                    Action::Remove,
                    "Items",
                    "AWS::DynamoDB::Table",
                    Replacement::Never,
                ),
                change(
                    Action::Remove,
                    "Reader",
                    "AWS::IAM::Role",
                    Replacement::Never,
                ),
            ],
            ..Script::default()
        },
    );
    let (ui1, out) = ui(None);
    let err = deploy(&fake.session(), &data_only(), &opts(), &ui1)
        .await
        .unwrap_err();
    let out = text(&out);
    assert!(
        out.contains("0 to add, 0 to modify (0 replaced), 2 to remove"),
        "{out}"
    );
    assert!(
        out.contains("!!! STATEFUL RESOURCE REMOVED: the data in Items is lost"),
        "{out}"
    );
    assert!(
        !out.contains("the data in Reader"),
        "a role holds no data: {out}"
    );
    assert!(
        err.to_string().contains("replaces or removes resources"),
        "{err}"
    );
    assert!(!fake.calls().iter().any(|c| c.starts_with("execute")));
}

#[tokio::test]
async fn ctrl_c_before_execution_says_nothing_was_executed() {
    common::setup();
    let fake = FakeCloudFormation::default();
    fake.script(DATA, create_ok());
    // The interrupt has already happened when the deploy starts.
    let interrupt = std::sync::Arc::new(tokio::sync::Notify::new());
    interrupt.notify_one();
    let (ui1, _) = ui(None);
    let ui1 = ui1.with_interrupt(Interrupt::Notify(interrupt));
    let err = deploy(&fake.session(), &data_only(), &opts(), &ui1)
        .await
        .unwrap_err();
    assert_eq!(err.exit_code(), 130);
    assert!(!err.change_set_executed(), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("nothing was executed") || message.contains("no change set was executed"),
        "{message}"
    );
    assert!(!message.contains("WAS executed"), "{message}");
    assert!(!fake.calls().iter().any(|c| c.starts_with("execute")));
}

#[tokio::test]
async fn destroying_a_protected_environment_needs_force_and_lists_what_is_kept() {
    common::setup();
    let mut prod = assembly(CONFIG, "prod");
    prod.select(&["data".to_owned()]).unwrap();
    assert!(prod.environment.protected, "prod is protected");
    let data = prod.stack("data").unwrap();
    let template = stackcraft::core::Format::Json.render(&data.template);
    let kept: Vec<(String, String)> = data
        .template
        .resources
        .iter()
        .filter(|(_, r)| {
            use stackcraft::template::Policy::*;
            matches!(
                r.deletion_policy,
                Some(Retain | RetainExceptOnCreate | Snapshot)
            )
        })
        .map(|(id, r)| (id.clone(), r.type_.clone()))
        .collect();
    assert!(
        kept.len() >= 2,
        "the bucket and the table are kept: {kept:?}"
    );
    let physical: Vec<(String, String)> = kept
        .iter()
        .map(|(id, _)| {
            (
                id.clone(),
                format!("demo-prod-data-{}-1a2b", id.to_lowercase()),
            )
        })
        .collect();
    let physical_ids: Vec<(&str, &str)> = physical
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();

    let fake = FakeCloudFormation::default();
    fake.deployed(&data.deployed_name, template, &physical_ids);
    let session = fake.session_in("prod");
    let yes = DestroyOptions {
        yes: true,
        ..DestroyOptions::default()
    };

    // Without --force: refused before anything is looked at or deleted.
    let (ui1, _) = ui(None);
    let err = destroy(&session, &prod, &yes, &ui1).await.unwrap_err();
    assert!(matches!(err, DeployError::Protected { .. }), "{err:?}");
    assert_eq!(err.exit_code(), 2);
    assert!(err.to_string().contains("without --force"), "{err}");
    assert!(fake.calls().is_empty(), "{:?}", fake.calls());

    // With --force: deleted, and every kept resource listed with its physical id.
    let (ui2, out) = ui(None);
    let retained = destroy(
        &session,
        &prod,
        &DestroyOptions { force: true, ..yes },
        &ui2,
    )
    .await
    .unwrap();
    assert!(
        fake.calls()
            .iter()
            .any(|c| c.starts_with("delete_stack:") && c.contains(&data.deployed_name)),
        "{:?}",
        fake.calls()
    );
    let out = text(&out);
    assert!(out.contains("retained (still exist"), "{out}");
    assert_eq!(retained.len(), kept.len(), "{retained:?}");
    for ((id, type_), (_, physical)) in kept.iter().zip(&physical) {
        let line = format!("data/{id} {type_} {physical} (");
        assert!(
            retained.iter().any(|l| l.starts_with(&line)),
            "{line} in {retained:?}"
        );
        assert!(out.contains(&line), "{out}");
    }
}
