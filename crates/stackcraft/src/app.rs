//! The user-facing app: configuration + blueprints + stacks written in code.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use stackcraft_blueprints::{Blueprint, Context};
use stackcraft_config::{Config, ConfigError};
use stackcraft_core::Stack;

use crate::error::Error;

type StackFn = Box<dyn Fn(&mut Stack)>;

/// A project: `stackcraft.toml`, the blueprints it may name, and stacks defined in code.
pub struct App {
    config_path: PathBuf,
    blueprints: Vec<Blueprint>,
    code_stacks: Vec<(String, StackFn)>,
}

impl App {
    /// An app reading `path` (the CLI's `--config` overrides it), with the built-in blueprints.
    pub fn from_config(path: impl AsRef<Path>) -> App {
        App {
            config_path: path.as_ref().to_owned(),
            blueprints: stackcraft_blueprints::builtin(),
            code_stacks: Vec::new(),
        }
    }

    /// Adds a stack defined in code, present in every environment, after the configured ones.
    pub fn stack(mut self, name: &str, build: impl Fn(&mut Stack) + 'static) -> App {
        self.code_stacks.push((name.to_owned(), Box::new(build)));
        self
    }

    /// Makes a blueprint of the user's available to `stackcraft.toml`.
    pub fn blueprint(mut self, blueprint: Blueprint) -> App {
        self.blueprints.push(blueprint);
        self
    }

    pub fn blueprints(&self) -> &[Blueprint] {
        &self.blueprints
    }

    pub fn config_path(&self) -> &Path {
        &self.config_path
    }

    /// Runs the CLI with the process's arguments.
    pub fn run(self) -> ExitCode {
        crate::cli::run(self, std::env::args_os())
    }

    /// Reads the configuration (from `--config` if given, else the app's path).
    pub fn load_config(&self, path: Option<&Path>) -> Result<Config, Error> {
        Ok(Config::load(path.unwrap_or(&self.config_path))?)
    }

    /// Builds every stack of an environment, in the order the file defines them, then the
    /// stacks defined in code.
    pub fn build(&self, config: &Config, env: &str) -> Result<stackcraft_core::App, Error> {
        let environment = config.environment(env)?;
        let mut app = stackcraft_core::App::new(&config.project.name, environment);
        for (key, value) in &config.project.tags {
            app.tag(key, value);
        }
        for (name, stack_config) in &config.stacks {
            let blueprint = self.find_blueprint(config, name, &stack_config.blueprint)?;
            let mut stack = new_stack(&app, config, name);
            stack.set_blueprint(blueprint.name);
            if let Some(d) = &stack_config.description {
                stack.describe(d);
            }
            for (key, value) in &stack_config.tags {
                stack.tag(key, value);
            }
            for (derived, kept) in &stack_config.logical_ids {
                stack.rename_logical_id(derived, kept);
            }
            let ctx = Context {
                config,
                stack: name,
                env,
                app: &app,
            };
            (blueprint.build)(&mut stack, &ctx)?;
            app.add_stack(stack);
        }
        for (name, build) in &self.code_stacks {
            if config.stacks.contains_key(name) {
                return Err(config
                    .error_at(
                        &["stacks", name],
                        format!("stack {name:?} is also defined in code"),
                    )
                    .into());
            }
            let mut stack = new_stack(&app, config, name);
            build(&mut stack);
            app.add_stack(stack);
        }
        Ok(app)
    }

    fn find_blueprint(
        &self,
        config: &Config,
        stack: &str,
        name: &str,
    ) -> Result<Blueprint, ConfigError> {
        self.blueprints
            .iter()
            .find(|b| b.name == name)
            .copied()
            .ok_or_else(|| {
                let known: Vec<_> = self.blueprints.iter().map(|b| b.name).collect();
                config.error_at(
                    &["stacks", stack, "blueprint"],
                    format!(
                        "unknown blueprint {name:?} (available: {})",
                        known.join(", ")
                    ),
                )
            })
    }
}

/// A stack of `app`, building its workloads from the configuration's project root.
fn new_stack(app: &stackcraft_core::App, config: &Config, name: &str) -> Stack {
    let mut stack = app.new_stack(name);
    stack.set_source_dir(&config.root());
    stack
}
