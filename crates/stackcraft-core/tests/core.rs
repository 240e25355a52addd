//! The construct core's promises: stable and unique logical ids, tags, cross-stack
//! references without exports, dependency order, atomic and deterministic output.

use std::cell::Cell;
use std::io;
use std::path::Path;

use serde_json::json;
use stackcraft_core::assertions::TemplateAssertions;
use stackcraft_core::template::{get_att, Map, Tagging, Target};
use stackcraft_core::{Environment, Format, OutputFs, Stack, StackSet, StdFs, SynthError};

fn props(pairs: &[(&str, serde_json::Value)]) -> Map {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone().into()))
        .collect()
}

fn bucket(stack: &mut Stack, id: &str) -> Target {
    stack.add_raw(id, "AWS::S3::Bucket", Map::new(), Tagging::List)
}

fn ids(stack: &Stack) -> Vec<String> {
    stack.entries().map(|(id, _)| id.clone()).collect()
}

#[test]
fn logical_ids_come_from_paths_and_ignore_unrelated_constructs() {
    let build = |extra: bool| {
        let mut stack = Stack::new("s", Environment::new("dev", "eu-central-1"));
        if extra {
            bucket(&mut stack, "Unrelated");
        }
        stack.scope("Network", |s| {
            s.scope("PublicSubnet1", |s| {
                s.add_raw(
                    "RouteTable",
                    "AWS::EC2::RouteTable",
                    Map::new(),
                    Tagging::List,
                );
            });
            bucket(s, "Resource");
        });
        if extra {
            stack.scope("Other", |s| bucket(s, "Logs"));
        }
        ids(&stack)
    };
    let without = build(false);
    let with = build(true);
    assert_eq!(without, ["NetworkPublicSubnet1RouteTable", "Network"]);
    for id in &without {
        assert!(
            with.contains(id),
            "{id} changed when unrelated constructs were added: {with:?}"
        );
    }
}

#[test]
fn a_collision_names_both_paths() {
    let mut app = StackSet::new("p", Environment::new("dev", "eu-central-1"));
    let s = app.stack("data");
    s.scope("Logs", |s| bucket(s, "Bucket"));
    bucket(s, "LogsBucket");
    let err = app.synth().unwrap_err();
    let SynthError::Invalid(errors) = &err else {
        panic!("{err}")
    };
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].path, "data/LogsBucket");
    assert!(
        errors[0]
            .message
            .contains("already used by data/Logs/Bucket"),
        "{err}"
    );
}

#[test]
fn pins_and_renames_keep_old_logical_ids() {
    let mut stack = Stack::new("s", Environment::new("dev", "eu-central-1"));
    stack.pin_logical_id("Storage/Table", "CountsTable");
    stack.rename_logical_id("DataUploads", "Uploads");
    stack.scope("Storage", |s| {
        s.add_raw("Table", "AWS::DynamoDB::Table", Map::new(), Tagging::List)
    });
    stack.scope("Data", |s| bucket(s, "Uploads"));
    assert_eq!(ids(&stack), ["CountsTable", "Uploads"]);
    stack.pin_logical_id("Bad", "not-valid");
    bucket(&mut stack, "Bad");
    assert!(stack.errors()[0].message.contains("letters and digits"));
}

#[test]
fn tags_flow_to_taggable_resources_and_explicit_tags_win() {
    let mut env = Environment::new("dev", "eu-central-1");
    env.tags.insert("environment".into(), "dev".into());
    let mut app = StackSet::new("p", env);
    app.tag("project", "p");
    let s = app.stack("s");
    s.tag("team", "data");
    s.add_raw(
        "B",
        "AWS::S3::Bucket",
        props(&[("Tags", json!([{"Key": "team", "Value": "mine"}]))]),
        Tagging::List,
    );
    s.add_raw(
        "P",
        "AWS::SSM::Parameter",
        props(&[("Type", json!("String"))]),
        Tagging::Map,
    );
    s.add_raw(
        "W",
        "AWS::CloudFormation::WaitConditionHandle",
        Map::new(),
        Tagging::None,
    );
    let asm = app.synth().unwrap();
    let t = &asm.stacks[0].template;
    t.has_resource_properties(
        "AWS::S3::Bucket",
        json!({"Tags": [
            {"Key": "team", "Value": "mine"},
            {"Key": "project", "Value": "p"},
            {"Key": "environment", "Value": "dev"},
        ]}),
    );
    t.has_resource_properties(
        "AWS::SSM::Parameter",
        json!({"Tags": {"project": "p", "environment": "dev", "team": "data"}}),
    );
    assert!(t.resources["W"].properties.is_empty());
}

#[test]
fn references_across_stacks_become_ssm_imports_and_dependencies() {
    let mut app = StackSet::new("shop", Environment::new("dev", "eu-central-1"));
    // Defined consumer first: order comes from dependencies, not from definition.
    let table = Target::in_stack("Counts", "data".into());
    let app_stack = app.stack("app");
    app_stack.add_raw(
        "Reader",
        "AWS::IAM::Policy",
        props(&[("PolicyDocument", json!({}))])
            .into_iter()
            .chain([("Table".to_string(), get_att::<String>(&table, "Arn").into())])
            .collect(),
        Tagging::None,
    );
    app_stack.output("TableArn", get_att::<String>(&table, "Arn"));
    let data = app.stack("data");
    data.add_raw("Counts", "AWS::DynamoDB::Table", Map::new(), Tagging::List);

    let asm = app.synth().unwrap();
    let names: Vec<_> = asm.stacks.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["data", "app"]);
    let consumer = asm.stack("app").unwrap();
    assert_eq!(consumer.dependencies, ["data"]);
    let param = "ImportDataCountsArn";
    consumer
        .template
        .has_resource_properties("AWS::IAM::Policy", json!({"Table": {"Ref": param}}));
    consumer
        .template
        .has_output("TableArn", json!({"Value": {"Ref": param}}));
    let p = &consumer.template.parameters[param];
    assert_eq!(p.type_, "AWS::SSM::Parameter::Value<String>");
    assert_eq!(
        p.attributes["Default"].as_str(),
        Some("/stackcraft/shop/dev/data/Counts/Arn")
    );
    let producer = &asm.stack("data").unwrap().template;
    producer.has_resource_properties(
        "AWS::SSM::Parameter",
        json!({
            "Name": "/stackcraft/shop/dev/data/Counts/Arn",
            "Value": {"Fn::GetAtt": ["Counts", "Arn"]},
        }),
    );
    assert!(
        producer.outputs.values().all(|o| o.export_name.is_none()),
        "no CloudFormation exports"
    );
}

#[test]
fn a_reference_to_an_unknown_stack_and_a_cycle_are_errors() {
    let mut app = StackSet::new("p", Environment::new("dev", "eu-central-1"));
    app.stack("a").output(
        "X",
        get_att::<String>(&Target::in_stack("T", "ghost".into()), "Arn"),
    );
    assert!(matches!(app.synth(), Err(SynthError::UnknownStack { .. })));

    let mut app = StackSet::new("p", Environment::new("dev", "eu-central-1"));
    let a = app.stack("a");
    bucket(a, "A");
    a.output(
        "B",
        get_att::<String>(&Target::in_stack("B", "b".into()), "Arn"),
    );
    let b = app.stack("b");
    bucket(b, "B");
    b.output(
        "A",
        get_att::<String>(&Target::in_stack("A", "a".into()), "Arn"),
    );
    assert!(matches!(app.synth(), Err(SynthError::Cycle(_))));
}

fn small_app() -> StackSet {
    let mut app = StackSet::new("p", Environment::new("dev", "eu-central-1"));
    let s = app.stack("s");
    s.describe("a small stack");
    bucket(s, "Uploads");
    s.output("Name", stackcraft_core::template::ref_::<String>("Uploads"));
    app
}

#[test]
fn output_is_deterministic_and_written_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    for format in [Format::Json, Format::Yaml] {
        small_app().synth().unwrap().write(&out, format).unwrap();
        let first = read_all(&out);
        small_app().synth().unwrap().write(&out, format).unwrap();
        assert_eq!(first, read_all(&out), "two runs, byte-identical");
        assert!(first
            .iter()
            .any(|(n, _)| n == &format!("s.template.{}", format.extension())));
    }
}

/// The real file system, except one injected failure: the `fail_write`-th file write, or the
/// rename that puts the staged output in place.
#[derive(Default)]
struct FailingFs {
    fail_write: Option<usize>,
    fail_final_rename: bool,
    writes: Cell<usize>,
}

impl OutputFs for FailingFs {
    fn write(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        self.writes.set(self.writes.get() + 1);
        if self.fail_write == Some(self.writes.get()) {
            return Err(io::Error::other("injected: no space left on device"));
        }
        StdFs.write(path, bytes)
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        // The old output is renamed aside to `.<leaf>.old`; the final rename targets `out`.
        if self.fail_final_rename && to.file_name() == Some("out".as_ref()) {
            return Err(io::Error::other("injected: rename refused"));
        }
        StdFs.rename(from, to)
    }
}

#[test]
fn a_write_failing_after_staging_leaves_the_previous_output_and_no_temporary_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    small_app()
        .synth()
        .unwrap()
        .write(&out, Format::Json)
        .unwrap();
    let before = read_all(&out);
    let files = small_app().synth().unwrap().files(Format::Yaml).len();
    assert!(files >= 2, "a manifest and a template at least");

    let mid_way = FailingFs {
        fail_write: Some(2),
        ..FailingFs::default()
    };
    let at_rename = FailingFs {
        fail_final_rename: true,
        ..FailingFs::default()
    };
    for (case, fs) in [("mid-way", &mid_way), ("final rename", &at_rename)] {
        // YAML this time, so a half-done swap would show as different files.
        let err = small_app()
            .synth()
            .unwrap()
            .write_with(&out, Format::Yaml, fs)
            .expect_err(case);
        assert!(err.to_string().contains("injected"), "{case}: {err}");
        assert_eq!(
            before,
            read_all(&out),
            "{case}: the previous output is intact"
        );
        let entries: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(entries, ["out"], "{case}: no staging directory left behind");
    }
    // The failures came after staging began: one file was staged before the second write
    // failed, and every file was staged before the rename failed.
    assert_eq!(mid_way.writes.get(), 2);
    assert_eq!(at_rename.writes.get(), files);
}

fn read_all(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}
