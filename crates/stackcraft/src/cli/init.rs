//! `stackcraft init`: a new project's commented `stackcraft.toml` (and with `--rust`, a binary
//! crate of the user's own), written only where nothing exists yet.

use std::path::{Path, PathBuf};

use stackcraft_blueprints::Blueprint;
use stackcraft_config::settings::{toml_string, SettingDefault};
use stackcraft_config::Config;

use crate::app::App;
use crate::error::Error;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// A blueprint to configure a stack of, with its settings' defaults written as comments;
    /// repeat for several (default: starter-data).
    #[arg(long = "blueprint", short, value_name = "NAME")]
    blueprints: Vec<String>,
    /// The project's name, prefix of every deployed stack (default: the directory's name).
    #[arg(long, value_name = "PROJECT")]
    name: Option<String>,
    /// Also scaffold a binary crate of your own (Cargo.toml, src/main.rs) with the same
    /// commands and a stack written in Rust, like examples/own-stack.
    #[arg(long)]
    rust: bool,
}

/// The scaffold's program: a stack in Rust next to the configured ones. It is also an example
/// of this crate (`examples/own_binary.rs`), so every build of the workspace compiles it.
const MAIN_RS: &str = include_str!("../../examples/own_binary.rs");

/// The blueprint `init` configures when none is named: the smallest, with nothing to build.
const FALLBACK_BLUEPRINT: &str = "starter-data";

pub(crate) fn run(app: &App, config_path: &Path, args: Args) -> Result<(), Error> {
    let dir = config_path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_owned();
    let name = match &args.name {
        Some(name) => name.clone(),
        None => name_from_dir(&dir),
    };
    let chosen = chosen_blueprints(app, &args.blueprints)?;
    let root = workload_root(&dir, &chosen);
    let config = config_text(&name, root.as_deref(), &chosen);
    // The text is checked as the commands will read it: an invalid --name fails here, with
    // the message every command would give, before anything is written.
    Config::parse(&config, config_path)?;

    let mut files: Vec<(PathBuf, String)> = vec![(config_path.to_owned(), config)];
    if args.rust {
        files.push((dir.join("Cargo.toml"), cargo_toml(&name)));
        files.push((dir.join("src/main.rs"), MAIN_RS.to_owned()));
        files.push((
            dir.join(".gitignore"),
            "/target\n/stackcraft.out\n".to_owned(),
        ));
    }
    if let Some((existing, _)) = files.iter().find(|(path, _)| path.exists()) {
        return Err(Error::Output(format!(
            "{} already exists: init writes only new files (nothing was written)",
            existing.display()
        )));
    }
    for (path, text) in &files {
        write_new(path, text)?;
        eprintln!("wrote {}", path.display());
    }
    let next = if args.rust {
        "cargo run -- synth"
    } else {
        "stackcraft synth"
    };
    eprintln!("next: `{next}` writes the templates to stackcraft.out/<env>/");
    Ok(())
}

/// The named blueprints (each once), or the fallback.
fn chosen_blueprints(app: &App, names: &[String]) -> Result<Vec<Blueprint>, Error> {
    let names: Vec<&str> = if names.is_empty() {
        vec![FALLBACK_BLUEPRINT]
    } else {
        names.iter().map(String::as_str).collect()
    };
    let mut chosen: Vec<Blueprint> = Vec::new();
    for name in names {
        let blueprint = super::blueprints::find(app, name)?;
        if chosen.iter().any(|b| b.name == blueprint.name) {
            return Err(Error::Usage(format!(
                "--blueprint {name} is given twice: init configures one stack of each"
            )));
        }
        chosen.push(blueprint);
    }
    Ok(chosen)
}

/// Where the chosen blueprints' workloads are built from when the new project has none of its
/// own: the stackcraft sources this CLI was built from, if they hold them.
fn workload_root(dir: &Path, blueprints: &[Blueprint]) -> Option<PathBuf> {
    let needed: Vec<&str> = blueprints
        .iter()
        .flat_map(|b| b.workloads)
        .copied()
        .collect();
    let has_all = |root: &Path| needed.iter().all(|w| root.join(w).is_dir());
    if has_all(dir) {
        return None;
    }
    let sources = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let sources = sources.canonicalize().ok()?;
    has_all(&sources).then_some(sources)
}

/// A project name from a directory's: lowercase letters, digits and '-', starting with a
/// letter, at most 32 characters; `app` when nothing is left.
fn name_from_dir(dir: &Path) -> String {
    let full = dir.canonicalize().unwrap_or_else(|_| dir.to_owned());
    let raw = full
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let mut name = String::new();
    for ch in raw.chars() {
        let ch = if ch.is_ascii_lowercase() || ch.is_ascii_digit() {
            ch
        } else {
            '-'
        };
        if !(ch == '-' && (name.is_empty() || name.ends_with('-'))) {
            name.push(ch);
        }
    }
    let name: String = name
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == '-')
        .chars()
        .take(32)
        .collect();
    let name = name.trim_end_matches('-');
    if name.is_empty() {
        "app".to_owned()
    } else {
        name.to_owned()
    }
}

/// The configuration: dev and prod, and one stack per blueprint with its settings' defaults
/// as comments (from the same declaration the blueprint parses them with).
fn config_text(name: &str, root: Option<&Path>, blueprints: &[Blueprint]) -> String {
    let mut t = String::new();
    t.push_str(&format!(
        "# The stacks and environments of {name}. `stackcraft synth` writes every stack of every\n\
         # environment to stackcraft.out/<env>/; `stackcraft blueprints NAME` lists a blueprint's\n\
         # settings with their types, defaults and docs.\n\n\
         [project]\n\
         name = {}                       # deployed stacks are named <project>-<env>-<stack>\n",
        toml_string(name)
    ));
    if let Some(root) = root {
        t.push_str(&format!(
            "# The workloads (apps/...) are built from the stackcraft sources:\n\
             root = {}\n",
            toml_string(&root.display().to_string())
        ));
    }
    t.push('\n');
    t.push_str(
        "# dev is cheap (2 zones, nothing retained); prod is highly available and protected (3\n\
         # zones, retained data, deletion protection) because it is named prod. `ha`,\n\
         # `protected` and `azs` can be set on any environment.\n\
         [environments.dev]\n\
         region = \"eu-central-1\"\n\
         cidr = \"10.10.0.0/16\"               # network range (default 10.0.0.0/16)\n\n\
         [environments.prod]\n\
         # account = \"123456789012\"          # deploy refuses credentials of another account\n\
         region = \"eu-central-1\"\n\
         cidr = \"10.40.0.0/16\"\n\n\
         # Settings of a stack that differ in prod go here:\n\
         # [environments.prod.stacks.<stack>]\n",
    );
    for blueprint in blueprints {
        let stack = blueprint.stack;
        t.push_str(&format!(
            "\n# {}: {}\n[stacks.{stack}]\nblueprint = {}\n",
            blueprint.name,
            blueprint.summary,
            toml_string(blueprint.name)
        ));
        let settings = (blueprint.settings)();
        if settings.is_empty() {
            continue;
        }
        t.push_str(&format!(
            "\n# The defaults, commented out (`stackcraft blueprints {}` lists every key).\n\
             [stacks.{stack}.settings]\n",
            blueprint.name
        ));
        for setting in settings {
            for line in super::blueprints::wrap(&setting.doc, 94) {
                t.push_str(&format!("# {line}\n"));
            }
            match &setting.default {
                SettingDefault::Value(v) => t.push_str(&format!("# {} = {v}\n", setting.key)),
                SettingDefault::Unset => {
                    t.push_str(&format!("# {} = <{}>\n", setting.key, setting.type_name))
                }
                SettingDefault::Required => t.push_str(&format!(
                    "# {} = <{}>  (required: set it)\n",
                    setting.key, setting.type_name
                )),
            }
        }
    }
    t
}

/// The scaffold's manifest: a binary depending on the stackcraft sources this CLI was built
/// from (the crates are not on crates.io).
fn cargo_toml(name: &str) -> String {
    let source = Path::new(env!("CARGO_MANIFEST_DIR"));
    format!(
        "[package]\n\
         name = {}\n\
         version = \"0.1.0\"\n\
         edition = \"2021\"\n\
         publish = false\n\n\
         [dependencies]\n\
         # The constructs, the blueprints and every command of the `stackcraft` CLI; the sources\n\
         # this project was created from. `default-features = false` leaves out the AWS SDK\n\
         # (and bootstrap, deploy, diff, destroy, outputs): synth, check and graph only.\n\
         stackcraft = {{ path = {} }}\n",
        toml_string(name),
        toml_string(&source.display().to_string())
    )
}

/// Creates `path` (and its directory) with `text`; never replaces a file.
fn write_new(path: &Path, text: &str) -> Result<(), Error> {
    use std::io::Write;
    let failed = |e: std::io::Error| Error::Output(format!("cannot write {}: {e}", path.display()));
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(failed)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(failed)?;
    file.write_all(text.as_bytes()).map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::name_from_dir;
    use std::path::Path;

    #[test]
    fn project_names_come_from_the_directory() {
        assert_eq!(name_from_dir(Path::new("/x/My Shop_2")), "my-shop-2");
        assert_eq!(name_from_dir(Path::new("/x/2fast")), "fast");
        assert_eq!(name_from_dir(Path::new("/x/---")), "app");
    }
}
