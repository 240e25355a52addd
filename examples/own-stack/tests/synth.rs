//! The example binary synthesizes its configured stack and its own stack.

use std::process::Command;

#[test]
fn the_own_binary_synthesizes_configured_and_coded_stacks() {
    let dir = tempfile::tempdir().unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_own-stack"))
        .args(["synth", "--env", "prod", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("prod/manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["stacks"]["data"]["blueprint"], "starter-data");
    assert_eq!(manifest["stacks"]["notes"]["stackName"], "notes-prod-notes");
    let notes = std::fs::read_to_string(dir.path().join("prod/notes.template.json")).unwrap();
    assert!(notes.contains("\"AWS::AppConfig::Application\""), "{notes}");
    assert!(
        notes.contains("\"DeletionProtectionEnabled\": true"),
        "prod tables are protected"
    );
}
