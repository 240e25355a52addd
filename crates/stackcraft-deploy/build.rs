//! The create-only properties of every resource type, read from the generated resource types
//! of `stackcraft-resources` (which come from the pinned CloudFormation registry schemas), so
//! `diff` warns about replacements without compiling the 400 typed resources.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let generated =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../stackcraft-resources/src/generated");
    println!("cargo:rerun-if-changed={}", generated.display());
    let mut files = Vec::new();
    collect(&generated, &mut files);
    files.sort();
    let mut table: Vec<(String, Vec<String>)> = Vec::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        parse(&text, &mut table);
    }
    table.sort();
    table.dedup_by(|a, b| a.0 == b.0);
    let mut out = String::from("/// (type name, create-only properties), sorted by type name.\npub(crate) static CREATE_ONLY: &[(&str, &[&str])] = &[\n");
    for (name, props) in &table {
        let _ = writeln!(out, "    ({name:?}, &{props:?}),");
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("create_only.rs");
    std::fs::write(dest, out).unwrap();
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Finds `const TYPE_NAME: &'static str = "X";` followed by `const CREATE_ONLY: ... = &[...];`.
fn parse(text: &str, table: &mut Vec<(String, Vec<String>)>) {
    let mut rest = text;
    while let Some(i) = rest.find("const TYPE_NAME: &'static str = \"") {
        rest = &rest[i + "const TYPE_NAME: &'static str = \"".len()..];
        let Some(end) = rest.find('"') else { return };
        let name = rest[..end].to_owned();
        let Some(c) = rest.find("const CREATE_ONLY: &'static [&'static str] = &[") else {
            return;
        };
        let after = &rest[c + "const CREATE_ONLY: &'static [&'static str] = &[".len()..];
        let Some(close) = after.find("];") else {
            return;
        };
        let props = after[..close]
            .split(',')
            .map(|p| p.trim().trim_matches('"').to_owned())
            .filter(|p| !p.is_empty())
            .collect();
        table.push((name, props));
        rest = &after[close..];
    }
}
