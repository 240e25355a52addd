//! Mistakes in serverless constructs are reported with the construct's path, at synth.

use std::path::Path;

use stackcraft_constructs::lambda::{Function, FunctionOptions, RustCode};
use stackcraft_constructs::s3::{self, Bucket};
use stackcraft_constructs::sns::Topic;
use stackcraft_core::{Environment, Stack};

fn stack() -> Stack {
    let mut stack = Stack::new("s", Environment::new("dev", "eu-central-1"));
    stack.set_source_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."));
    stack
}

fn messages(stack: &Stack) -> Vec<String> {
    stack.errors().iter().map(|e| e.to_string()).collect()
}

#[test]
fn a_secret_in_a_function_environment_is_refused() {
    let mut s = stack();
    let code = RustCode {
        package_dir: "apps/no-such-package",
        package: "no-such-package",
        bin: "x",
    };
    let options = FunctionOptions {
        environment: vec![("DB_PASSWORD".into(), "hunter2".into())],
        ..Default::default()
    };
    Function::rust(&mut s, "Fn", code, options);
    let errors = messages(&s);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("s/Fn: the code asset could not be built")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("s/Fn: environment variable DB_PASSWORD looks like a secret")),
        "{errors:?}"
    );
}

#[test]
fn a_notifying_bucket_needs_a_name_known_before_deploy() {
    let mut s = stack();
    let bucket = Bucket::new(&mut s, "Uploads");
    let topic = Topic::new(&mut s, "Events");
    bucket.notify(&mut s, &topic, &["s3:ObjectCreated:*"], "", "");
    assert!(
        messages(&s)[0].starts_with("s/Uploads: a bucket that notifies a topic needs a name"),
        "{:?}",
        messages(&s)
    );
}

#[test]
fn a_derived_bucket_name_over_63_characters_is_an_error() {
    let mut s = stack();
    s.set_deployed_name("a-very-long-project-name-indeed-prod-objects");
    s3::unique_name(&mut s, "uploads");
    assert!(
        messages(&s)[0].contains("over S3's 63"),
        "{:?}",
        messages(&s)
    );
}
