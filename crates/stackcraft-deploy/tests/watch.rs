//! `stackcraft watch` end to end against moto in server mode on loopback: a tiny project (the
//! std-only fixture workspace, one Rust Lambda built by the real asset builder), watched the
//! way the CLI watches it. Round 1 creates the stack by change set; an edit of the function's
//! source is hotswapped (UpdateFunctionCode, no change set, the drift said); a changed
//! environment variable falls back to a change set, after which the stack runs its template
//! again (it converges); another edit is hotswapped, and putting the source back converges
//! without a change set; the UI's interrupt ends the watch; a full deploy afterwards has
//! nothing to put back.
//!
//! moto 5.2.5's limits that matter here: it records no resource events, only the stack's own
//! `*_IN_PROGRESS`/`*_COMPLETE` pair around each executed change set, so those count the
//! executed change sets; UpdateFunctionCode finishes at once and runs nothing; GetFunction's
//! `CodeSha256` is base64 of the sha256 of the zip it read from S3, as Lambda's.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use common::{assembly_of, fixture, text, ui, Moto};
use sha2::Digest;
use stackcraft::core::Assembly;
use stackcraft_constructs::lambda::{Function, FunctionOptions, RustCode};
use stackcraft_deploy::*;

const STACK: &str = "hello";
const DEPLOYED: &str = "demo-dev-hello";
const FUNCTION: &str = "Handler";
/// Where the engine marks a hotswapped stack (`hotswap::marker_key`), in the asset bucket.
const MARKER: &str = "hotswap/demo-dev-hello";
/// A file of the project the stack reads its function's `GREETING` variable from: a change of
/// the stack, not of the function's code.
const GREETING_FILE: &str = "greeting.txt";

/// The project's configuration: workloads built from `root`, environment `dev` as moto's.
fn config(root: &Path) -> String {
    format!(
        "[project]\nname = \"demo\"\nroot = {:?}\n\n[environments.dev]\nregion = \"eu-central-1\"\n",
        root.display().to_string()
    )
}

/// Synthesizes the project as it is on disk now: stack `hello`, one function running the
/// fixture's `hello` binary (built and zipped by the asset builder when its sources changed).
fn synth_project(root: &Path) -> Assembly {
    let greeting = std::fs::read_to_string(root.join(GREETING_FILE)).unwrap();
    let app = stackcraft::App::from_config("stackcraft.toml").stack(STACK, move |stack| {
        let code = RustCode {
            package_dir: "hello",
            package: "hello",
            bin: "hello",
        };
        let options = FunctionOptions {
            dead_letter_queue: false,
            environment: vec![("GREETING".into(), greeting.as_str().into())],
            ..FunctionOptions::default()
        };
        Function::rust(stack, FUNCTION, code, options);
    });
    assembly_of(&app, &config(root), "dev")
}

/// The zip the assembly's function runs.
fn zip_of(assembly: &Assembly) -> PathBuf {
    assembly.stacks[0].assets[0].source.clone()
}

/// A real change of the function's code: another text printed (`from` replaced by `to`), so
/// another binary and zip.
fn edit_function_source(root: &Path, from: &str, to: &str) {
    let path = root.join("hello/src/bin/hello.rs");
    let source = std::fs::read_to_string(&path).unwrap();
    let edited = source.replace(from, to);
    assert_ne!(edited, source, "the function's source prints {from:?}");
    std::fs::write(&path, edited).unwrap();
}

const CONVERGED: &str =
    "hello: converged: the hotswapped functions and services run what the template says again";

/// `CodeSha256` as Lambda reports it for a zip: base64 of its sha256.
fn code_sha256(zip: &Path) -> String {
    base64::engine::general_purpose::STANDARD
        .encode(sha2::Sha256::digest(std::fs::read(zip).unwrap()))
}

/// What moto holds of the stack at one moment.
#[derive(Clone, Debug)]
struct Deployed {
    /// The function's code (GetFunction).
    code_sha256: String,
    greeting: Option<String>,
    /// Change sets executed so far (see the module's comment).
    executed_change_sets: usize,
    /// The stack's template, as CloudFormation holds it.
    template: String,
    hotswap_marker: bool,
}

async fn look(moto: &Moto) -> Deployed {
    let session = moto.session("dev").await;
    let resources = session.cfn.stack_resources(DEPLOYED).await.unwrap();
    let function = resources
        .iter()
        .find(|r| r.logical_id == FUNCTION)
        .and_then(|r| r.physical_id.clone())
        .unwrap_or_else(|| panic!("no function {FUNCTION}: {resources:?}"));
    let lambda = aws_sdk_lambda::Client::new(&moto.sdk_config().await);
    let got = lambda
        .get_function()
        .function_name(&function)
        .send()
        .await
        .unwrap();
    let configuration = got.configuration().unwrap();
    let events = session.cfn.stack_events(DEPLOYED, None).await.unwrap();
    Deployed {
        code_sha256: configuration.code_sha256().unwrap().to_owned(),
        greeting: configuration
            .environment()
            .and_then(|e| e.variables())
            .and_then(|v| v.get("GREETING").cloned()),
        executed_change_sets: events
            .iter()
            .filter(|e| e.resource_type == "AWS::CloudFormation::Stack")
            .filter(|e| matches!(e.status.as_str(), "CREATE_COMPLETE" | "UPDATE_COMPLETE"))
            .count(),
        template: session.cfn.get_template(DEPLOYED).await.unwrap(),
        hotswap_marker: session
            .store
            .object_exists(&session.asset_bucket(), MARKER)
            .await
            .unwrap(),
    }
}

/// Runs `work` on a runtime and thread of its own: the `changed` closure is synchronous and
/// runs on the watch's runtime, which waits meanwhile.
fn between_rounds<T: Send>(work: impl std::future::Future<Output = T> + Send) -> T {
    std::thread::scope(|s| s.spawn(|| block_on(work)).join().unwrap())
}

/// One round of the watch, seen when it asked for changes: what it printed and what moto held.
struct Round {
    output: String,
    deployed: Deployed,
}

/// `rounds` rounds of `watch` over the project in `root`, with the CLI's options (hotswap):
/// when the watch asks whether the sources changed, the round just over is recorded, then
/// `next_change(rounds seen)` changes the project and the answer is yes; after the last round
/// the UI's interrupt is triggered instead. Returns the rounds and the zip each one built.
async fn watch_rounds(
    moto: &Moto,
    root: &Path,
    rounds: usize,
    mut next_change: impl FnMut(usize),
) -> (Vec<Round>, Vec<PathBuf>) {
    let session = moto.session("dev").await;
    let interrupt = Arc::new(tokio::sync::Notify::new());
    let (ui, out) = ui(None);
    let ui = ui.with_interrupt(Interrupt::Notify(interrupt.clone()));
    let opts = DeployOptions {
        hotswap: true,
        ..DeployOptions::default()
    };
    let (mut seen, mut zips) = (Vec::new(), Vec::new());
    let mut printed = 0;
    let synth = || {
        let assembly = synth_project(root);
        zips.push(zip_of(&assembly));
        Ok(assembly)
    };
    let changed = || {
        assert!(seen.len() < rounds, "the watch went on after its interrupt");
        seen.push(Round {
            output: printed_since(&out, &mut printed),
            deployed: between_rounds(look(moto)),
        });
        if seen.len() == rounds {
            interrupt.notify_one();
            return false;
        }
        next_change(seen.len());
        true
    };
    let interval = Duration::from_millis(10);
    watch(&session, &ui, &opts, interval, synth, changed)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", text(&out)));
    (seen, zips)
}

/// What the UI printed after its first `printed` bytes (then counted as printed too).
fn printed_since(out: &Captured, printed: &mut usize) -> String {
    let all = text(out);
    let new = all[*printed..].to_owned();
    *printed = all.len();
    new
}

/// Deploys the project as it is, in full (no hotswap, as `stackcraft deploy`); returns the
/// outcome and what it printed.
async fn full_deploy(moto: &Moto, root: &Path) -> (StackOutcome, String) {
    let session = moto.session("dev").await;
    let (ui, out) = ui(None);
    let report = deploy(
        &session,
        &synth_project(root),
        &DeployOptions::default(),
        &ui,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", text(&out)));
    (report.stacks[0].outcome.clone(), text(&out))
}

#[tokio::test]
async fn watch_creates_hotswaps_code_falls_back_to_a_change_set_converges_and_ends_on_interrupt() {
    let moto = Moto::start();
    let (ub, _) = ui(None);
    bootstrap(
        &moto.session("dev").await,
        &BootstrapOptions::default(),
        &ub,
    )
    .await
    .unwrap();
    let project = tempfile::tempdir().unwrap();
    let root = project.path();
    fixture::project(root, &["hello"]);
    std::fs::write(root.join(GREETING_FILE), "hello").unwrap();

    let (rounds, zips) = watch_rounds(&moto, root, 5, |round| match round {
        1 => edit_function_source(root, "hello from", "hello again from"),
        2 => std::fs::write(root.join(GREETING_FILE), "bonjour").unwrap(),
        3 => edit_function_source(root, "hello again from", "hello once more from"),
        _ => edit_function_source(root, "hello once more from", "hello again from"),
    })
    .await;
    let [created, hotswapped, updated, hotswapped_again, reverted] = rounds.as_slice() else {
        unreachable!("watch_rounds stops after 5 rounds")
    };

    // Round 1: the stack is created by a change set, running the first zip.
    assert!(
        created
            .output
            .contains("hello  ✓ demo-dev-hello CREATE_COMPLETE"),
        "{}",
        created.output
    );
    assert_eq!(created.deployed.executed_change_sets, 1);
    assert_eq!(created.deployed.code_sha256, code_sha256(&zips[0]));
    assert!(!created.deployed.hotswap_marker);

    // Round 2: the edit rebuilt the zip; its code was hotswapped, without a change set.
    assert_ne!(code_sha256(&zips[1]), code_sha256(&zips[0]), "a new zip");
    let out = &hotswapped.output;
    assert_eq!(
        hotswapped.deployed.executed_change_sets, 1,
        "no change set: {out}"
    );
    assert_eq!(
        hotswapped.deployed.code_sha256,
        code_sha256(&zips[1]),
        "{out}"
    );
    assert!(
        out.contains("hello  ✓ demo-dev-hello hotswapped in"),
        "{out}"
    );
    assert_eq!(
        hotswapped.deployed.template, created.deployed.template,
        "CloudFormation was not involved: {out}"
    );
    assert!(
        out.contains(
            "hello  ! demo-dev-hello has drifted from its template (hotswapped) until the next \
             full deploy (`stackcraft deploy hello --env dev`)"
        ),
        "{out}"
    );
    assert!(hotswapped.deployed.hotswap_marker, "{out}");

    // Round 3: a changed environment variable is no hotswap: a change set, in the watch.
    let out = &updated.output;
    assert!(
        out.contains(
            "hello: not hotswappable (Handler: properties other than Code changed); deploying \
             a change set"
        ),
        "{out}"
    );
    assert!(
        out.contains("hello  ✓ demo-dev-hello UPDATE_COMPLETE"),
        "{out}"
    );
    assert_eq!(updated.deployed.executed_change_sets, 2, "{out}");
    assert_eq!(
        updated.deployed.greeting.as_deref(),
        Some("bonjour"),
        "{out}"
    );
    assert_eq!(updated.deployed.code_sha256, code_sha256(&zips[2]), "{out}");
    // The stack runs its template after the change set: the hotswap is forgotten.
    assert!(out.contains(CONVERGED), "{out}");
    assert!(!updated.deployed.hotswap_marker, "{out}");

    // Round 4: another edit, hotswapped again.
    let out = &hotswapped_again.output;
    assert!(
        out.contains("hello  ✓ demo-dev-hello hotswapped in"),
        "{out}"
    );
    assert_eq!(
        hotswapped_again.deployed.code_sha256,
        code_sha256(&zips[3]),
        "{out}"
    );
    assert!(hotswapped_again.deployed.hotswap_marker, "{out}");

    // Round 5: the source is back as deployed by round 3, so is the zip, and the new template
    // is the deployed one: no change set, and the function runs the template's code again.
    let out = &reverted.output;
    assert_eq!(code_sha256(&zips[4]), code_sha256(&zips[2]), "the same zip");
    assert_eq!(reverted.deployed.executed_change_sets, 2, "{out}");
    assert!(out.contains(CONVERGED), "{out}");
    assert_eq!(
        reverted.deployed.code_sha256,
        code_sha256(&zips[2]),
        "{out}"
    );
    assert!(!reverted.deployed.hotswap_marker, "{out}");

    // The interrupt ended the watch (Ok) after round 5: a full deploy has nothing to change
    // and nothing to put back.
    let (outcome, out) = full_deploy(&moto, root).await;
    assert_eq!(outcome, StackOutcome::NoChanges, "{out}");
    assert!(!out.contains("converged"), "{out}");
    assert_eq!(
        look(&moto).await.code_sha256,
        code_sha256(&zips[2]),
        "{out}"
    );
}
