//! The README's "Your own stacks in Rust" example is the crate's doctest, character for
//! character, so the README shows a program that compiles against this version.

use std::path::Path;

/// The lines of the first fenced block after `heading` in the README.
fn readme_example(readme: &str, heading: &str) -> Vec<String> {
    let section = &readme[readme.find(heading).expect("the README has the section")..];
    let mut lines = section.lines().skip_while(|l| !l.starts_with("```rust"));
    lines.next().expect("the section has a Rust example");
    lines
        .take_while(|l| !l.starts_with("```"))
        .map(str::to_owned)
        .collect()
}

/// The lines of the crate documentation's `no_run` example, without the `//! ` prefix.
fn doctest(lib: &str) -> Vec<String> {
    let mut lines = lib
        .lines()
        .map_while(|l| l.strip_prefix("//!"))
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .skip_while(|l| !l.starts_with("```no_run"));
    lines.next().expect("the crate docs have an example");
    lines
        .take_while(|l| !l.starts_with("```"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_readme_example_is_the_doctest() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("../../README.md")).unwrap();
    let lib = std::fs::read_to_string(root.join("src/lib.rs")).unwrap();
    let example = readme_example(&readme, "## Your own stacks in Rust");
    assert!(example.len() > 5, "{example:?}");
    assert_eq!(
        example,
        doctest(&lib),
        "README.md's example and the doctest in src/lib.rs differ"
    );
}

/// The program `stackcraft init --rust` writes (`examples/own_binary.rs`, compiled with every
/// build of this crate) is the README's, below its header comment.
#[test]
fn the_scaffolded_program_is_the_readme_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("../../README.md")).unwrap();
    let scaffold = std::fs::read_to_string(root.join("examples/own_binary.rs")).unwrap();
    let program: Vec<String> = scaffold
        .lines()
        .skip_while(|l| l.starts_with("//!") || l.is_empty())
        .map(str::to_owned)
        .collect();
    assert_eq!(
        program,
        readme_example(&readme, "## Your own stacks in Rust"),
        "examples/own_binary.rs and README.md's example differ"
    );
}
