//! Snapshot of every template the shipped configuration synthesizes, in every environment.
//! A change to a template shows up as a diff in review; `UPDATE_SNAPSHOTS=1 cargo test`
//! rewrites the snapshots after an intended change. Asset hashes (`assets/<sha256>.zip`) and
//! image digests (`@sha256:<sha256>`) are written as `<sha256>` literally: they follow the workload's binary, which the
//! asset tests check on their own, and they would tie the snapshots to one toolchain.

mod common;

use std::path::Path;

use stackcraft::core::Format;

#[test]
fn every_template_matches_its_snapshot() {
    let config = common::shipped_config();
    let snapshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut checked = 0;
    let mut stale = Vec::new();
    for env in common::environments(&config) {
        let assembly = common::synth(&config, &env).unwrap();
        for stack in &assembly.stacks {
            let file = snapshots
                .join(&env)
                .join(format!("{}.template.json", stack.name));
            let actual = without_asset_hashes(&Format::Json.render(&stack.template));
            if update {
                std::fs::create_dir_all(file.parent().unwrap()).unwrap();
                std::fs::write(&file, &actual).unwrap();
            }
            let expected = std::fs::read_to_string(&file).unwrap_or_default();
            if expected != actual {
                stale.push(file.display().to_string());
            }
            checked += 1;
        }
    }
    assert!(checked >= 8, "every stack of every environment: {checked}");
    assert!(
        stale.is_empty(),
        "templates differ from their snapshots (UPDATE_SNAPSHOTS=1 to accept):\n{}",
        stale.join("\n")
    );
}

/// Replaces every 64-hex-digit asset hash (`assets/<hex>`) and image digest (`@sha256:<hex>`)
/// by `<sha256>`.
fn without_asset_hashes(text: &str) -> String {
    ["assets/", "@sha256:"]
        .iter()
        .fold(text.to_owned(), |text, marker| {
            without_hex_after(&text, marker)
        })
}

fn without_hex_after(text: &str, marker: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find(marker) {
        let (before, after) = rest.split_at(pos + marker.len());
        out.push_str(before);
        let hex = after.bytes().take_while(u8::is_ascii_hexdigit).count();
        if hex == 64 {
            out.push_str("<sha256>");
            rest = &after[64..];
        } else {
            rest = after;
        }
    }
    out.push_str(rest);
    out
}
