//! The user-facing app: blueprints + stacks written in code, and, once its configuration is
//! read, the [`Project`] every command works on.

use std::path::{Path, PathBuf};

use stackcraft_blueprints::{Blueprint, Context};
use stackcraft_config::{Config, ConfigError};
use stackcraft_core::{Assembly, Stack, StackSet};

use crate::error::Error;

type StackFn = Box<dyn Fn(&mut Stack)>;

/// An app: where its `stackcraft.toml` is, the blueprints the file may name, and stacks
/// defined in code. [`App::run`] runs the CLI on it; [`App::load`] gives library callers the
/// same [`Project`] a command works on.
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

    /// Reads the configuration at the app's path: the project, ready to build any of its
    /// environments.
    pub fn load(&self) -> Result<Project<'_>, Error> {
        Ok(self.with_config(Config::load(&self.config_path)?))
    }

    /// The project of a configuration already read (from another path, or from text).
    pub fn with_config(&self, config: Config) -> Project<'_> {
        Project { app: self, config }
    }
}

/// An app with its configuration read: what one command works on. Building an environment's
/// stacks reads nothing from disk.
pub struct Project<'a> {
    app: &'a App,
    config: Config,
}

impl Project<'_> {
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Builds every stack of an environment (those whose `environments` include it), in the
    /// order the file defines them, then the stacks defined in code.
    pub fn stacks(&self, env: &str) -> Result<StackSet, Error> {
        let config = &self.config;
        let environment = config.environment(env)?;
        let mut set = StackSet::new(&config.project.name, environment);
        for (key, value) in &config.project.tags {
            set.tag(key, value);
        }
        for (name, stack_config) in &config.stacks {
            if !stack_config.exists_in(env) {
                continue;
            }
            let blueprint = self.find_blueprint(name, &stack_config.blueprint)?;
            let mut stack = new_stack(&set, config, name);
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
                stacks: &set,
            };
            (blueprint.build)(&mut stack, &ctx)?;
            set.add_stack(stack);
        }
        for (name, build) in &self.app.code_stacks {
            if config.stacks.contains_key(name) {
                return Err(config
                    .error_at(
                        &["stacks", name],
                        format!("stack {name:?} is also defined in code"),
                    )
                    .into());
            }
            let mut stack = new_stack(&set, config, name);
            build(&mut stack);
            set.add_stack(stack);
        }
        Ok(set)
    }

    /// The names of the stacks, configured then defined in code, without building any.
    pub fn stack_names(&self) -> Vec<String> {
        let configured = self.config.stacks.keys().cloned();
        let coded = self.app.code_stacks.iter().map(|(name, _)| name.clone());
        configured.chain(coded).collect()
    }

    /// The CloudFormation stack name of a stack in an environment, without building it.
    pub fn deployed_name(&self, env: &stackcraft_core::Environment, stack: &str) -> String {
        StackSet::new(&self.config.project.name, env.clone()).deployed_name(stack)
    }

    /// Builds and synthesizes an environment: its cloud assembly, in memory.
    pub fn synth(&self, env: &str) -> Result<Assembly, Error> {
        Ok(self.stacks(env)?.synth()?)
    }

    /// The environments named, each checked against the file; every one of the file when
    /// none is named.
    pub fn environments(&self, named: &[String]) -> Result<Vec<String>, Error> {
        if named.is_empty() {
            return Ok(self.config.environments.keys().cloned().collect());
        }
        for env in named {
            self.config.environment(env)?;
        }
        Ok(named.to_vec())
    }

    fn find_blueprint(&self, stack: &str, name: &str) -> Result<Blueprint, ConfigError> {
        let blueprints = &self.app.blueprints;
        blueprints
            .iter()
            .find(|b| b.name == name)
            .copied()
            .ok_or_else(|| {
                let known: Vec<_> = blueprints.iter().map(|b| b.name).collect();
                self.config.error_at(
                    &["stacks", stack, "blueprint"],
                    format!(
                        "unknown blueprint {name:?} (available: {})",
                        known.join(", ")
                    ),
                )
            })
    }
}

/// A stack of `set`, building its workloads from the configuration's project root.
fn new_stack(set: &StackSet, config: &Config, name: &str) -> Stack {
    let mut stack = set.new_stack(name);
    stack.set_source_dir(&config.root());
    stack
}
