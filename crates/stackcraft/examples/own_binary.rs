//! A project's own stackcraft binary, as `stackcraft init --rust` writes its `src/main.rs`:
//! every command of `stackcraft`, the blueprints of `stackcraft.toml`, and a stack written in
//! Rust (`cargo run -- synth` writes its template next to the configured ones).

use stackcraft::constructs::{dynamodb, iam};

fn main() -> std::process::ExitCode {
    stackcraft::App::from_config("stackcraft.toml")
        .stack("notes", |stack| {
            let table = dynamodb::Table::new(stack, "Notes", dynamodb::Key::string("user"));
            let reader = iam::Role::for_service(stack, "Reader", "lambda.amazonaws.com");
            table.grant_read(stack, &reader);
            stack.output("NotesTable", table.name());
        })
        .run()
}
