//! The engine against a scripted CloudFormation replaying realistic event sequences: what
//! moto cannot show (resource events, failures, rollbacks, stuck stacks, outputs, approval).

mod common;

use common::fake::{change, FakeCloudFormation, Script, Step};
use common::{assembly, assembly_of_stacks, text, ui, CONFIG, STARTER};
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
        ..Script::default()
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
    assert!(!message.contains("no change set was executed"), "{message}");
    assert!(
        message.contains("aws cloudformation describe-stack-events --stack-name demo-dev-data"),
        "{message}"
    );
    assert!(message.contains("picks up from the state"), "{message}");
}

/// A first create whose table fails: the stack rolls back to nothing.
fn create_rolled_back() -> Script {
    Script {
        changes: create_ok().changes,
        steps: vec![
            ("", STACK, "CREATE_IN_PROGRESS", ""),
            ("Items", "AWS::DynamoDB::Table", "CREATE_FAILED", "boom"),
            ("", STACK, "ROLLBACK_IN_PROGRESS", ""),
            ("", STACK, "ROLLBACK_COMPLETE", ""),
        ],
        ..Script::default()
    }
}

#[tokio::test]
async fn stacks_deploy_in_dependency_order_and_a_failure_stops_the_dependents() {
    common::setup();
    let fake = FakeCloudFormation::default();
    fake.script(DATA, create_rolled_back());
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

/// `HH:MM:SS` UTC, as event lines show an event's time.
fn clock(t: std::time::SystemTime) -> String {
    let secs = t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() % 86_400;
    format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

#[tokio::test]
async fn event_lines_show_the_time_cloudformation_recorded() {
    common::setup();
    let fake = FakeCloudFormation::default();
    fake.script(DATA, create_ok());
    let (ui, out) = ui(None);
    deploy(&fake.session(), &data_only(), &opts(), &ui)
        .await
        .unwrap();
    let out = text(&out);
    let events = fake.events(DATA);
    assert!(events.len() > 5, "{events:?}");
    for e in events.iter().filter(|e| e.status != "REVIEW_IN_PROGRESS") {
        let expected = format!(
            "data  {}  {:<30} {:<36} {}",
            clock(e.timestamp.unwrap()),
            e.status,
            e.resource_type,
            e.logical_id
        );
        assert!(out.contains(&expected), "{expected:?} not in\n{out}");
    }
}

#[tokio::test]
async fn a_failed_deploy_writes_the_outputs_the_stacks_still_have() {
    common::setup();
    let fake = FakeCloudFormation::default();
    fake.existing(DATA, "UPDATE_COMPLETE");
    fake.outputs(DATA, &[("UploadsBucket", "demo-dev-data-uploads-1")]);
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
                ("Items", "AWS::DynamoDB::Table", "UPDATE_FAILED", "boom"),
                ("", STACK, "UPDATE_ROLLBACK_IN_PROGRESS", ""),
                ("", STACK, "UPDATE_ROLLBACK_COMPLETE", ""),
            ],
            ..Script::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let outputs_file = dir.path().join("outputs.json");
    std::fs::write(
        &outputs_file,
        "{\"data\": {\"UploadsBucket\": \"stale\"}}\n",
    )
    .unwrap();
    let with_file = DeployOptions {
        outputs_file: Some(outputs_file.clone()),
        ..opts()
    };
    let (ui1, _) = ui(None);
    deploy(&fake.session(), &data_only(), &with_file, &ui1)
        .await
        .unwrap_err();
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&outputs_file).unwrap()).unwrap();
    assert_eq!(
        written,
        serde_json::json!({"data": {"UploadsBucket": "demo-dev-data-uploads-1"}}),
        "the stack's outputs as they are after the rollback"
    );

    // A deploy whose only stack fails to be created (it rolls back to nothing) leaves the file
    // alone.
    let fake = FakeCloudFormation::default();
    fake.script(DATA, create_rolled_back());
    let (ui2, out) = ui(None);
    deploy(&fake.session(), &data_only(), &with_file, &ui2)
        .await
        .unwrap_err();
    assert!(text(&out).contains("left as it was"), "{}", text(&out));
    assert_eq!(written.to_string(), {
        let again: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&outputs_file).unwrap()).unwrap();
        again.to_string()
    });
}

#[tokio::test]
async fn a_failed_deletion_is_not_said_to_roll_back() {
    common::setup();
    let fake = FakeCloudFormation::default();
    fake.existing(DATA, "UPDATE_COMPLETE");
    fake.delete_script(
        DATA,
        vec![
            ("", STACK, "DELETE_IN_PROGRESS", "User Initiated"),
            (
                "Uploads",
                "AWS::S3::Bucket",
                "DELETE_FAILED",
                "The bucket you tried to delete is not empty",
            ),
            ("Items", "AWS::DynamoDB::Table", "DELETE_COMPLETE", ""),
            (
                "",
                STACK,
                "DELETE_FAILED",
                "The following resource(s) failed to delete: [Uploads].",
            ),
        ],
    );
    let (ui1, out) = ui(None);
    let err = destroy(
        &fake.session(),
        &data_only(),
        &DestroyOptions {
            yes: true,
            ..DestroyOptions::default()
        },
        &ui1,
    )
    .await
    .unwrap_err();
    let out = text(&out);
    assert!(
        matches!(&err, DeployError::DeleteFailed { status, .. } if status == "DELETE_FAILED"),
        "{err:?}"
    );
    assert!(out.contains("first failure: Uploads"), "{out}");
    assert!(!out.contains("roll back"), "{out}");
    assert!(
        out.contains("data    waiting for CloudFormation to delete what it can"),
        "{out}"
    );
}

fn update_items() -> Script {
    Script {
        changes: vec![change(
            Action::Modify,
            "Items",
            "AWS::DynamoDB::Table",
            Replacement::Never,
        )],
        steps: vec![
            ("", STACK, "UPDATE_IN_PROGRESS", ""),
            ("Items", "AWS::DynamoDB::Table", "UPDATE_COMPLETE", ""),
            ("", STACK, "UPDATE_COMPLETE", ""),
        ],
        ..Script::default()
    }
}

#[tokio::test]
async fn applying_an_applied_plan_again_says_it_was_applied() {
    common::setup();
    let fake = FakeCloudFormation::default();
    fake.existing(DATA, "UPDATE_COMPLETE");
    fake.script(DATA, update_items());
    let (ui1, _) = ui(None);
    let planned = plan(&fake.session(), &data_only(), &ui1).await.unwrap();
    let (ui2, _) = ui(None);
    apply(
        &fake.session(),
        &planned,
        &data_only(),
        &ApplyOptions::default(),
        &ui2,
    )
    .await
    .unwrap();
    let calls = fake.calls().len();

    // The executed change set is still there: EXECUTE_COMPLETE.
    let (ui3, _) = ui(None);
    let err = apply(
        &fake.session(),
        &planned,
        &data_only(),
        &ApplyOptions::default(),
        &ui3,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, DeployError::PlanAlreadyApplied { stack, .. } if stack == "data"),
        "{err:?}"
    );
    assert!(err.to_string().contains("already applied"), "{err}");

    // CloudFormation forgot it: the stack runs the plan's template.
    fake.forget_change_sets();
    let (ui4, _) = ui(None);
    let err = apply(
        &fake.session(),
        &planned,
        &data_only(),
        &ApplyOptions::default(),
        &ui4,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, DeployError::PlanAlreadyApplied { stack, .. } if stack == "data"),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("runs the plan's template"),
        "{err}"
    );
    assert_eq!(fake.calls().len(), calls, "nothing created or executed");
}

/// Every object key below `v`, with its path.
fn keys(v: &serde_json::Value, at: &str, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, child) in m {
                out.push(format!("{at}.{k}"));
                keys(child, &format!("{at}.{k}"), out);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|c| keys(c, &format!("{at}[]"), out)),
        _ => {}
    }
}

#[tokio::test]
async fn the_plan_file_has_one_key_style_and_a_version_that_is_checked() {
    common::setup();
    let fake = FakeCloudFormation::default();
    fake.existing(DATA, "UPDATE_COMPLETE");
    fake.script(DATA, update_items());
    let (ui1, _) = ui(None);
    let planned = plan(&fake.session(), &data_only(), &ui1).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    planned.write(&path).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut all = Vec::new();
    keys(&json, "", &mut all);
    assert!(
        all.contains(&".stacks[].changes[].logicalId".to_owned()),
        "{all:?}"
    );
    let snake: Vec<_> = all.iter().filter(|k| k.contains('_')).collect();
    assert!(snake.is_empty(), "snake_case keys: {snake:?}");
    assert_eq!(json["version"], PLAN_VERSION);
    assert_eq!(Plan::read(&path).unwrap(), planned);

    // A newer format is refused, naming both versions.
    let mut newer = json.clone();
    newer["version"] = (PLAN_VERSION + 1).into();
    std::fs::write(&path, newer.to_string()).unwrap();
    let err = Plan::read(&path).unwrap_err();
    assert!(matches!(err, DeployError::BadPlan { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains(&format!("plan format {}", PLAN_VERSION + 1))
            && message.contains("newer stackcraft")
            && message.contains(&format!("up to {PLAN_VERSION}")),
        "{message}"
    );

    // No version: not a plan.
    let mut unversioned = json.clone();
    unversioned.as_object_mut().unwrap().remove("version");
    std::fs::write(&path, unversioned.to_string()).unwrap();
    let err = Plan::read(&path).unwrap_err();
    assert!(err.to_string().contains("has no `version`"), "{err}");

    // Format 1 (the changes' keys in snake_case) is migrated.
    let mut v1 = json.clone();
    v1["version"] = 1.into();
    let change = v1["stacks"][0]["changes"][0].as_object_mut().unwrap();
    for (new, old) in [
        ("logicalId", "logical_id"),
        ("physicalId", "physical_id"),
        ("resourceType", "resource_type"),
    ] {
        let v = change.remove(new).unwrap();
        change.insert(old.to_owned(), v);
    }
    std::fs::write(&path, v1.to_string()).unwrap();
    assert_eq!(Plan::read(&path).unwrap(), planned);
}

/// A deploy against the scripted fake with the UI the CLI uses ([`Ui::terminal`]): run by
/// [`status_lines_on_a_terminal_and_not_in_a_pipe`] under a pseudo-terminal and in a pipe.
#[tokio::test]
#[ignore = "run by status_lines_on_a_terminal_and_not_in_a_pipe, under a terminal and in a pipe"]
async fn deploy_with_the_terminal_ui() {
    common::setup();
    let fake = FakeCloudFormation::default();
    fake.script(DATA, create_ok());
    let session = fake
        .session()
        .with_poll(std::time::Duration::from_millis(20));
    let ui = Ui::terminal().with_interrupt(Interrupt::Never);
    deploy(&session, &data_only(), &opts(), &ui).await.unwrap();
}

#[test]
fn status_lines_on_a_terminal_and_not_in_a_pipe() {
    common::setup();
    let exe = std::env::current_exe().unwrap();
    let args = [
        "--exact",
        "deploy_with_the_terminal_ui",
        "--ignored",
        "--nocapture",
    ];
    // A pseudo-terminal: script(1) runs the deploy with its stdin, stdout and stderr on one.
    let command = format!("{} {}", exe.display(), args.join(" "));
    let on_terminal = std::process::Command::new("script")
        .args(["-qefc", &command, "/dev/null"])
        .env("TERM", "xterm")
        // No colour (so the lines read as in a pipe), yet status lines: they are no colour.
        .env("NO_COLOR", "1")
        .output()
        .expect("script(1) (util-linux) runs");
    let screen = String::from_utf8_lossy(&on_terminal.stdout);
    assert!(on_terminal.status.success(), "{screen}");
    // The status line: bar, count, elapsed and the resource in progress...
    assert!(
        screen.contains(
            "data  [##########----------] 1/2  0s  CREATE_IN_PROGRESS Items (AWS::DynamoDB::Table)"
        ),
        "{screen}"
    );
    // ...redrawn in place: moved up over and cleared before the next event line.
    assert!(screen.contains("\r\x1b[1A\x1b[J"), "{screen:?}");
    // The event lines are still there, the status line is gone at the end.
    assert!(
        screen.contains("CREATE_COMPLETE                AWS::S3::Bucket"),
        "{screen}"
    );
    let last = screen
        .rfind("data  ✓ demo-dev-data CREATE_COMPLETE")
        .expect(&screen);
    assert!(!screen[last..].contains("1/2"), "{screen}");

    let in_pipe = std::process::Command::new(&exe)
        .args(args)
        .env("TERM", "xterm")
        .output()
        .unwrap();
    let progress = String::from_utf8_lossy(&in_pipe.stderr);
    assert!(in_pipe.status.success(), "{progress}");
    assert!(
        progress.contains("CREATE_COMPLETE                AWS::S3::Bucket"),
        "{progress}"
    );
    assert!(
        !progress.contains('\x1b'),
        "no terminal codes in a pipe: {progress:?}"
    );
    assert!(
        !progress.contains("1/2"),
        "no status line in a pipe: {progress}"
    );
}

#[tokio::test]
async fn drift_lists_the_drifted_resources_and_properties() {
    common::setup();
    let fake = FakeCloudFormation::default();
    fake.existing(DATA, "UPDATE_COMPLETE");
    fake.drift(
        DATA,
        "DRIFTED",
        vec![
            ResourceDrift {
                logical_id: "Items".into(),
                physical_id: Some("demo-dev-data-items".into()),
                resource_type: "AWS::DynamoDB::Table".into(),
                status: "MODIFIED".into(),
                differences: vec![PropertyDifference {
                    path: "/BillingMode".into(),
                    expected: "PAY_PER_REQUEST".into(),
                    actual: "PROVISIONED".into(),
                    kind: "NOT_EQUAL".into(),
                }],
            },
            ResourceDrift {
                logical_id: "Uploads".into(),
                physical_id: Some("demo-dev-data-uploads-1".into()),
                resource_type: "AWS::S3::Bucket".into(),
                status: "DELETED".into(),
                differences: Vec::new(),
            },
        ],
    );
    let (ui1, results, progress) = Ui::capture_streams(None);
    let report = drift(&fake.session(), &data_only(), &ui1).await.unwrap();
    assert_eq!(report.len(), 1);
    assert!(report[0].drifted());
    assert_eq!(
        text(&results),
        "data (demo-dev-data): DRIFTED, 2 resource(s) differ from the template\n\
         \x20 ~ Items (AWS::DynamoDB::Table) MODIFIED demo-dev-data-items\n\
         \x20     /BillingMode: template PAY_PER_REQUEST, actual PROVISIONED\n\
         \x20 - Uploads (AWS::S3::Bucket) DELETED demo-dev-data-uploads-1\n"
    );
    assert!(text(&progress).contains("1 stack(s) of dev drifted"));

    // In sync, and a stack that is not deployed: nothing drifted.
    let fake = FakeCloudFormation::default();
    fake.existing(DATA, "UPDATE_COMPLETE");
    let (ui2, results) = ui(None);
    let report = drift(
        &fake.session(),
        &assembly_of_stacks(CONFIG, "dev", STARTER),
        &ui2,
    )
    .await
    .unwrap();
    assert!(report.iter().all(|d| !d.drifted()), "{report:?}");
    let results = text(&results);
    assert!(
        results.contains("data (demo-dev-data): in sync"),
        "{results}"
    );
    assert!(
        results.contains("access (demo-dev-access): not deployed"),
        "{results}"
    );
    assert!(results.contains("no drift in dev"), "{results}");
    assert_eq!(
        fake.calls()
            .iter()
            .filter(|c| c.starts_with("detect_drift"))
            .count(),
        1,
        "only deployed stacks are checked"
    );
}

const ACCESS: &str = "demo-dev-access";
const ARCHIVE: &str = "demo-dev-archive";

/// `data`, `access` (which depends on `data`) and `archive`, a copy of `data` that depends on
/// nothing, each with a change set to execute.
fn data_access_and_archive(fake: &FakeCloudFormation) -> stackcraft::core::Assembly {
    let mut assembly = assembly_of_stacks(CONFIG, "dev", STARTER);
    let mut archive = assembly.stack("data").unwrap().clone();
    archive.name = "archive".into();
    archive.deployed_name = ARCHIVE.into();
    archive.dependencies.clear();
    assembly.stacks.push(archive);
    assert_eq!(assembly.stack("access").unwrap().dependencies, ["data"]);
    for stack in [DATA, ACCESS, ARCHIVE] {
        fake.script(stack, create_ok());
    }
    assembly
}

/// Where `call` is in the fake's calls.
fn position(calls: &[String], call: &str) -> usize {
    calls
        .iter()
        .position(|c| c == call)
        .unwrap_or_else(|| panic!("no {call} in {calls:?}"))
}

#[tokio::test]
async fn independent_stacks_overlap_up_to_the_concurrency_and_a_dependent_waits() {
    common::setup();
    let fake = FakeCloudFormation::default();
    let assembly = data_access_and_archive(&fake);
    // data stays in progress until archive's change set exists: they can only both finish
    // if they ran at the same time.
    fake.hold_until_change_set_of(DATA, ARCHIVE);
    let (ui1, out) = ui(None);
    let two = DeployOptions {
        concurrency: 2,
        ..opts()
    };
    let report = deploy(&fake.session(), &assembly, &two, &ui1)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", text(&out)));
    assert_eq!(report.stacks.len(), 3);
    let calls = fake.calls();
    assert_eq!(fake.max_in_flight(), 2, "{calls:?}");
    let data_settled = position(&calls, &format!("settled:{DATA}"));
    // access started only once data had settled...
    assert!(
        data_settled < position(&calls, &format!("create_change_set:{ACCESS}")),
        "{calls:?}"
    );
    // ...and archive while data was in flight.
    assert!(
        position(&calls, &format!("create_change_set:{ARCHIVE}")) < data_settled,
        "{calls:?}"
    );

    // One at a time: never two in flight, each settled before the next starts.
    let fake = FakeCloudFormation::default();
    let assembly = data_access_and_archive(&fake);
    let (ui2, out) = ui(None);
    deploy(&fake.session(), &assembly, &opts(), &ui2)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", text(&out)));
    let calls = fake.calls();
    assert_eq!(fake.max_in_flight(), 1, "{calls:?}");
    let order: Vec<&str> = calls
        .iter()
        .filter(|c| c.starts_with("create_change_set:") || c.starts_with("settled:"))
        .map(String::as_str)
        .collect();
    assert_eq!(
        order,
        [
            "create_change_set:demo-dev-data",
            "settled:demo-dev-data",
            "create_change_set:demo-dev-access",
            "settled:demo-dev-access",
            "create_change_set:demo-dev-archive",
            "settled:demo-dev-archive",
        ]
    );
}

/// A script that modifies `changes` in place (UPDATE_IN_PROGRESS, UPDATE_COMPLETE).
fn update(changes: Vec<ResourceChange>) -> Script {
    Script {
        changes,
        steps: vec![
            ("", STACK, "UPDATE_IN_PROGRESS", ""),
            ("", STACK, "UPDATE_COMPLETE", ""),
        ],
        ..Script::default()
    }
}

fn modify_items() -> ResourceChange {
    change(
        Action::Modify,
        "Items",
        "AWS::DynamoDB::Table",
        Replacement::Never,
    )
}

fn remove_topic() -> ResourceChange {
    change(
        Action::Remove,
        "Events",
        "AWS::SNS::Topic",
        Replacement::Never,
    )
}

fn executions(fake: &FakeCloudFormation) -> usize {
    fake.calls()
        .iter()
        .filter(|c| c.starts_with("execute:"))
        .count()
}

fn requiring(require_approval: RequireApproval) -> DeployOptions {
    DeployOptions {
        require_approval,
        ..opts()
    }
}

const QUESTION: &str = "Execute it? [y/N]";

#[tokio::test]
async fn require_approval_never_executes_replacements_and_removals_without_asking() {
    common::setup();
    let fake = FakeCloudFormation::default();
    fake.existing(DATA, "UPDATE_COMPLETE");
    let mut destructive = replace_database();
    destructive.changes.push(remove_topic());
    fake.script(DATA, destructive);
    // Someone at the terminal who would say no: never asked.
    let (ui1, out) = ui(Some(false));
    deploy(
        &fake.session(),
        &data_only(),
        &requiring(RequireApproval::Never),
        &ui1,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", text(&out)));
    let out = text(&out);
    assert!(!out.contains(QUESTION), "{out}");
    assert!(out.contains("± REPLACE      AWS::RDS::DBInstance"), "{out}");
    assert_eq!(executions(&fake), 1);
    assert_eq!(fake.status(DATA).as_deref(), Some("UPDATE_COMPLETE"));
}

#[tokio::test]
async fn require_approval_any_change_asks_even_for_an_in_place_modification() {
    common::setup();
    let fake = FakeCloudFormation::default();
    fake.existing(DATA, "UPDATE_COMPLETE");
    fake.script(DATA, update(vec![modify_items()]));
    let any_change = requiring(RequireApproval::AnyChange);

    // Nobody to ask: refused with what to do, the change set deleted, nothing executed.
    let (ui1, _) = ui(None);
    let err = deploy(&fake.session(), &data_only(), &any_change, &ui1)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "deploy of stack data (its change set changes resources) needs approval, but there is \
         no terminal to ask: nothing was executed; rerun with --yes (or --require-approval \
         never), or review it first with `stackcraft plan`"
    );
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
    assert_eq!(err.exit_code(), 5);
    assert_eq!(executions(&fake), 0);
    assert!(fake.calls().contains(&"delete_change_set".to_owned()));

    // Asked on the terminal, approved: executed.
    let (ui2, out) = ui(Some(true));
    deploy(&fake.session(), &data_only(), &any_change, &ui2)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", text(&out)));
    let out = text(&out);
    assert!(
        out.contains("The change set of data (demo-dev-data) changes resources. Execute it?"),
        "{out}"
    );
    assert_eq!(executions(&fake), 1);
}

#[tokio::test]
async fn require_approval_destructive_asks_only_when_something_is_replaced_or_removed() {
    common::setup();
    let fake = FakeCloudFormation::default();
    fake.existing(DATA, "UPDATE_COMPLETE");
    let destructive = requiring(RequireApproval::Destructive);

    // An in-place modification: executed without a question, even with nobody to ask.
    fake.script(DATA, update(vec![modify_items()]));
    let (ui1, out) = ui(None);
    deploy(&fake.session(), &data_only(), &destructive, &ui1)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", text(&out)));
    assert!(!text(&out).contains(QUESTION), "{}", text(&out));
    assert_eq!(executions(&fake), 1);

    // A removal (of nothing stateful): asked, so refused without a terminal.
    fake.script(DATA, update(vec![modify_items(), remove_topic()]));
    let (ui2, _) = ui(None);
    let err = deploy(&fake.session(), &data_only(), &destructive, &ui2)
        .await
        .unwrap_err();
    assert!(
        err.to_string().starts_with(
            "deploy of stack data (its change set replaces or removes resources) needs approval"
        ),
        "{err}"
    );
    assert_eq!(executions(&fake), 1, "the removal was not executed");

    // Asked on the terminal and approved: executed.
    let (ui3, out) = ui(Some(true));
    deploy(&fake.session(), &data_only(), &destructive, &ui3)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", text(&out)));
    assert!(
        text(&out).contains(
            "The change set of data (demo-dev-data) replaces or removes resources. Execute it?"
        ),
        "{}",
        text(&out)
    );
    assert_eq!(executions(&fake), 2);
}

#[tokio::test]
async fn only_replacing_or_removing_a_stateful_resource_is_flagged() {
    common::setup();
    let fake = FakeCloudFormation::default();
    fake.existing(DATA, "UPDATE_COMPLETE");
    fake.script(
        DATA,
        update(vec![
            change(
                Action::Remove,
                "Uploads",
                "AWS::S3::Bucket",
                Replacement::Never,
            ),
            change(
                Action::Modify,
                "Items",
                "AWS::DynamoDB::Table",
                Replacement::Always,
            ),
            // Stateful, changed in place: no data lost.
            change(
                Action::Modify,
                "Database",
                "AWS::RDS::DBInstance",
                Replacement::Never,
            ),
            // Replaced or removed, but without data.
            change(
                Action::Modify,
                "Handler",
                "AWS::Lambda::Function",
                Replacement::Always,
            ),
            change(Action::Remove, "Role", "AWS::IAM::Role", Replacement::Never),
        ]),
    );
    let (ui1, out) = ui(None);
    deploy(
        &fake.session(),
        &data_only(),
        &DeployOptions {
            yes: true,
            ..opts()
        },
        &ui1,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", text(&out)));
    let out = text(&out);
    let lines: Vec<&str> = out.lines().collect();
    // The marker follows the line of the resource it is about.
    let flag_after = |resource: &str| {
        let at = lines
            .iter()
            .position(|l| l.starts_with("  ") && l.ends_with(&format!(" {resource}")))
            .unwrap_or_else(|| panic!("no change line of {resource} in\n{out}"));
        lines.get(at + 1).copied().unwrap_or_default()
    };
    assert_eq!(
        flag_after("Uploads"),
        "    !!! STATEFUL RESOURCE REMOVED: the data in Uploads is lost unless it is retained"
    );
    assert_eq!(
        flag_after("Items"),
        "    !!! STATEFUL RESOURCE REPLACED: the data in Items is lost unless it is retained"
    );
    let flags: Vec<&&str> = lines.iter().filter(|l| l.contains("!!!")).collect();
    assert_eq!(flags.len(), 2, "only Uploads and Items are flagged:\n{out}");
}

#[tokio::test]
async fn ctrl_c_before_execution_says_nothing_was_executed_and_executes_nothing() {
    common::setup();
    let fake = FakeCloudFormation::default();
    // The change set is still being created when Ctrl-C comes; if the interrupt were missed,
    // it would complete after these polls and be executed.
    fake.script(
        DATA,
        Script {
            change_set_polls: 1_000,
            ..create_ok()
        },
    );
    let (ui1, _) = ui(None);
    let ui1 = ui1.with_interrupt(Interrupt::Notify(fake.change_set_pending.clone()));
    let err = deploy(&fake.session(), &data_only(), &opts(), &ui1)
        .await
        .unwrap_err();
    assert_eq!(err.exit_code(), 130);
    assert!(!err.change_set_executed(), "{err:?}");
    assert!(
        matches!(&err, DeployError::Interrupted { stacks, .. }
            if stacks.len() == 1
                && stacks[0].stack == "data"
                && stacks[0].executed_change_set.is_none()),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "interrupted: data (demo-dev-data): no change set was executed; the next `stackcraft \
         deploy --env dev` picks up from the state the stacks are in"
    );
    assert_eq!(executions(&fake), 0, "{:?}", fake.calls());
}

const PROD_DATA: &str = "demo-prod-data";

/// What the prod `data` stack runs: two retained buckets and table, a database whose final
/// snapshot is kept, and resources deleted with the stack.
const PROD_TEMPLATE: &str = r#"{
  "Resources": {
    "Uploads": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain"},
    "UploadsPolicy": {"Type": "AWS::S3::BucketPolicy"},
    "Items": {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain"},
    "Database": {"Type": "AWS::RDS::DBInstance", "DeletionPolicy": "Snapshot"},
    "Queue": {"Type": "AWS::SQS::Queue", "DeletionPolicy": "Delete"}
  }
}"#;

#[tokio::test]
async fn destroying_a_protected_environment_needs_force_and_lists_what_was_retained() {
    common::setup();
    let prod = assembly_of_stacks(CONFIG, "prod", &["data"]);
    assert!(prod.environment.protected, "prod is protected");
    let fake = FakeCloudFormation::default();
    fake.existing(PROD_DATA, "UPDATE_COMPLETE");
    fake.template(PROD_DATA, PROD_TEMPLATE);
    fake.resources(
        PROD_DATA,
        &[
            ("Uploads", "AWS::S3::Bucket", "demo-prod-data-uploads-1"),
            ("UploadsPolicy", "AWS::S3::BucketPolicy", "policy-1"),
            ("Items", "AWS::DynamoDB::Table", "demo-prod-data-items-1"),
            ("Database", "AWS::RDS::DBInstance", "demo-prod-db-1"),
            ("Queue", "AWS::SQS::Queue", "https://sqs/queue-1"),
        ],
    );
    let session = fake.session_of("prod");
    let yes = DestroyOptions {
        yes: true,
        ..DestroyOptions::default()
    };

    // Without --force: refused, even with --yes; nothing deleted.
    let (ui1, _) = ui(None);
    let err = destroy(&session, &prod, &yes, &ui1).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "environment prod is protected: destroy refuses without --force"
    );
    assert_eq!(err.exit_code(), 2);
    assert!(fake.calls().is_empty(), "{:?}", fake.calls());
    assert!(fake.status(PROD_DATA).is_some());

    // With --force: deleted, and each retained resource named with its physical id.
    let (ui2, results, progress) = Ui::capture_streams(None);
    let forced = DestroyOptions { force: true, ..yes };
    let retained = destroy(&session, &prod, &forced, &ui2)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", text(&progress)));
    let expected = [
        "data/Uploads AWS::S3::Bucket demo-prod-data-uploads-1 (retained)",
        "data/Items AWS::DynamoDB::Table demo-prod-data-items-1 (retained)",
        "data/Database AWS::RDS::DBInstance demo-prod-db-1 (final snapshot kept)",
    ];
    assert_eq!(retained, expected);
    let mut printed =
        "retained (still exist, delete them yourself when no longer needed):\n".to_owned();
    for line in expected {
        printed.push_str(&format!("  {line}\n"));
    }
    assert_eq!(text(&results), printed);
    let deletions: Vec<String> = fake
        .calls()
        .into_iter()
        .filter(|c| c.starts_with("delete_stack:"))
        .collect();
    assert_eq!(deletions.len(), 1, "{deletions:?}");
    assert_eq!(fake.status(PROD_DATA).as_deref(), Some("DELETE_COMPLETE"));
}

#[tokio::test]
async fn apply_pushes_the_images_before_executing_any_change_set() {
    common::setup();
    let fake = FakeCloudFormation::default();
    fake.existing(DATA, "UPDATE_COMPLETE");
    fake.script(DATA, update_items());
    let (ui1, _) = ui(None);
    let planned = plan(&fake.session(), &data_only(), &ui1).await.unwrap();
    // The same stack with an image to push (not named by its template, so still the planned
    // template); the fake's session has no registry, so the push fails.
    let mut with_image = data_only();
    with_image.stacks[0]
        .images
        .push(stackcraft::core::ImageAsset::new(
            format!("sha256:{}", "0".repeat(64)),
            "counter/counter",
            std::path::PathBuf::from("/nonexistent/oci"),
        ));
    let (ui2, out) = ui(None);
    let err = apply(
        &fake.session(),
        &planned,
        &with_image,
        &ApplyOptions::default(),
        &ui2,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, DeployError::ImagePush { image, .. } if image == "(every image)"),
        "{err:?}\n{}",
        text(&out)
    );
    assert_eq!(executions(&fake), 0, "{:?}", fake.calls());
}

#[tokio::test]
async fn apply_refuses_stacks_synthesized_otherwise_than_planned() {
    common::setup();
    let fake = FakeCloudFormation::default();
    fake.existing(DATA, "UPDATE_COMPLETE");
    fake.script(DATA, update_items());
    let (ui1, _) = ui(None);
    let planned = plan(&fake.session(), &data_only(), &ui1).await.unwrap();
    let changed = CONFIG.replace(
        "[stacks.access]",
        "[environments.dev.stacks.data]\nttl_attribute = \"expires_at\"\n\n[stacks.access]",
    );
    let edited = assembly_of_stacks(&changed, "dev", &["data"]);
    let (ui2, _) = ui(None);
    let err = apply(
        &fake.session(),
        &planned,
        &edited,
        &ApplyOptions::default(),
        &ui2,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, DeployError::PlanOutdated { stack, .. } if stack == "data"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "stack data (demo-dev-data) is not what the plan was made from: its synthesized \
         template differs from the planned one (the code or the configuration changed); \
         nothing was executed — make a new plan"
    );
    assert_eq!(err.exit_code(), 5);
    assert_eq!(executions(&fake), 0);
}
