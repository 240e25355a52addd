//! A user's own stackcraft binary: `cargo run -p own-stack -- synth` in this directory.
//!
//! It offers the same commands as `stackcraft` (ls, synth, ...), with one more stack written in
//! Rust next to the configured ones: a notes table read by a role, plus a resource type that
//! has no L2 construct, written through the untyped escape hatch.

use std::process::ExitCode;

use stackcraft::core::template::{Map, Tagging};
use stackcraft::Stack;
use stackcraft_constructs::dynamodb::{Key, Table, TableOptions};
use stackcraft_constructs::iam::Role;

fn notes(stack: &mut Stack) {
    stack.describe("Notes, written in Rust");
    let table = Table::with(
        stack,
        "Notes",
        Key::string("user"),
        TableOptions {
            sort_key: Some(Key::number("created")),
            ..TableOptions::default()
        },
    );
    let reader = Role::for_service(stack, "Reader", "lambda.amazonaws.com");
    table.grant_read(stack, &reader);

    // No construct wraps this type: the escape hatch takes any type and property map.
    let mut props = Map::new();
    props.insert("Description".into(), "notes app settings".into());
    props.insert("Name".into(), "notes".into());
    stack.add_raw(
        "Settings",
        "AWS::AppConfig::Application",
        props,
        Tagging::List,
    );
    stack.output("NotesTable", table.name());
}

fn main() -> ExitCode {
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/stackcraft.toml");
    stackcraft::App::from_config(config)
        .stack("notes", notes)
        .run()
}
