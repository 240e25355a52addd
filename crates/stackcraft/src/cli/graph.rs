//! `stackcraft graph`.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use stackcraft_core::SynthError;
use stackcraft_graph::Format;

use crate::app::Project;
use crate::error::Error;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Stacks to draw, with the stacks they depend on (default: every stack).
    stacks: Vec<String>,
    /// Environment to draw (default: the first of the configuration).
    #[arg(long, short, value_name = "ENV")]
    env: Option<String>,
    /// Diagram format: SVG laid out by stackcraft, or Mermaid / Graphviz DOT text to render
    /// elsewhere.
    #[arg(long, value_enum, default_value_t = GraphFormat::Svg)]
    format: GraphFormat,
    /// Write the diagram to this file (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum GraphFormat {
    Svg,
    Mermaid,
    Dot,
}

impl From<GraphFormat> for Format {
    fn from(f: GraphFormat) -> Self {
        match f {
            GraphFormat::Svg => Format::Svg,
            GraphFormat::Mermaid => Format::Mermaid,
            GraphFormat::Dot => Format::Dot,
        }
    }
}

pub(crate) fn run(project: &Project, args: Args) -> Result<(), Error> {
    let env = match args.env {
        Some(env) => env,
        None => project
            .config()
            .environments
            .keys()
            .next()
            .cloned()
            .expect("validation requires one environment"),
    };
    let mut assembly = project.synth(&env)?;
    assembly.select(&args.stacks)?;
    let diagram = stackcraft_graph::diagram(&assembly, args.format.into());
    match &args.out {
        Some(path) => write_atomically(path, &diagram),
        None => std::io::stdout()
            .write_all(diagram.as_bytes())
            .map_err(|source| io_error(Path::new("<stdout>"), source)),
    }
}

/// Writes a sibling temporary file and renames it over `path`: a failure leaves the previous
/// file as it was.
fn write_atomically(path: &Path, text: &str) -> Result<(), Error> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "diagram".into());
    let temporary = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::write(&temporary, text)
        .and_then(|()| std::fs::rename(&temporary, path))
        .map_err(|source| {
            let _ = std::fs::remove_file(&temporary);
            io_error(path, source)
        })
}

fn io_error(path: &Path, source: std::io::Error) -> Error {
    SynthError::Io {
        path: path.display().to_string(),
        source,
    }
    .into()
}
