//! `stackcraft.toml`: the project's stacks and environments.
//!
//! ```toml
//! [project]
//! name = "shop"
//! tags = { owner = "platform" }
//!
//! [environments.dev]
//! region = "eu-central-1"
//!
//! [environments.prod]
//! account = "123456789012"
//! region = "eu-central-1"          # prod: ha, protected and 3 AZs unless set otherwise
//!
//! [environments.prod.stacks.api]  # settings of stack `api` that differ in prod
//! memory = 1024
//!
//! [stacks.api]
//! blueprint = "object-counter"
//! [stacks.api.settings]
//! prefix = "uploads/"
//!
//! [[stacks.api.suppress]]         # a finding of `stackcraft check` accepted on purpose
//! rule = "SC-S3-006"
//! resource = "Objects"            # logical id or construct path; omit for the whole stack
//! environments = ["dev"]          # optional: only there
//! reason = "..."                  # mandatory
//! ```
//!
//! Every error names the file, line, column and key, and is found before anything is written.

mod error;
mod locate;
mod raw;
pub mod settings;
mod validate;

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::de::DeserializeOwned;
use stackcraft_core::Environment;

pub use error::ConfigError;
pub use raw::{EnvConfig, ProjectConfig, StackConfig, SuppressConfig};

/// The default configuration file name.
pub const FILE_NAME: &str = "stackcraft.toml";

/// A loaded, validated configuration.
#[derive(Debug)]
pub struct Config {
    file: PathBuf,
    source: String,
    pub project: ProjectConfig,
    pub environments: IndexMap<String, EnvConfig>,
    pub stacks: IndexMap<String, StackConfig>,
}

impl Config {
    /// Reads and validates a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let source = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: path.display().to_string(),
            line: None,
            key: None,
            message: format!("cannot read the configuration: {e}"),
        })?;
        Config::parse(&source, path)
    }

    /// Validates configuration text; `path` names it in errors.
    pub fn parse(source: &str, path: &Path) -> Result<Config, ConfigError> {
        let raw = raw::deserialize(source)
            .map_err(|(key, span, message)| error::at(path, source, span, key, message))?;
        let config = Config {
            file: path.to_owned(),
            source: source.to_owned(),
            project: raw.project,
            environments: raw.environments,
            stacks: raw.stacks,
        };
        validate::config(&config)?;
        Ok(config)
    }

    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The project root workloads are built from: `[project] root`, relative to this file.
    pub fn root(&self) -> PathBuf {
        let dir = self
            .file
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        match &self.project.root {
            Some(root) => dir.join(root),
            None => dir.to_owned(),
        }
    }

    /// An error at a key of this file (`["stacks", "api", "blueprint"]`), with its line.
    pub fn error_at(&self, key: &[&str], message: impl Into<String>) -> ConfigError {
        let span = locate::span_of(&self.source, key);
        error::at(
            &self.file,
            &self.source,
            span,
            Some(key.join(".")),
            message.into(),
        )
    }

    /// `file:line` of a key, for messages that point into the file without being errors.
    pub fn place_of(&self, key: &[&str]) -> String {
        let e = self.error_at(key, "");
        match e.line {
            Some(line) => format!("{}:{line}", e.file),
            None => e.file,
        }
    }

    /// The named environment, with prod's defaults filled in.
    pub fn environment(&self, name: &str) -> Result<Environment, ConfigError> {
        let env = self.environments.get(name).ok_or_else(|| {
            let known = self
                .environments
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            self.error_at(
                &["environments"],
                format!("unknown environment {name:?} (this file defines: {known})"),
            )
        })?;
        let ha = env.ha.unwrap_or(name == "prod");
        Ok(Environment {
            name: name.to_owned(),
            account: env.account.clone(),
            region: env.region.clone(),
            az_count: env.azs.unwrap_or(if ha { 3 } else { 2 }),
            ha,
            protected: env.protected.unwrap_or(ha),
            cidr: env.cidr.clone().unwrap_or_else(|| "10.0.0.0/16".to_owned()),
            tags: env.tags.clone(),
        })
    }

    /// A stack's settings in an environment (the environment's overrides merged over the
    /// stack's own), deserialized into the blueprint's settings type. An error names the key
    /// and the line where the offending value was written.
    pub fn settings<T: DeserializeOwned + settings::SettingType>(
        &self,
        stack: &str,
        env: &str,
    ) -> Result<T, ConfigError> {
        let merged = self.merged_settings(stack, env);
        serde_path_to_error::deserialize(toml::Value::Table(merged)).map_err(|e| {
            let inner: Vec<String> = e
                .path()
                .iter()
                .map(|s| s.to_string())
                .filter(|s| s != "?")
                .collect();
            let message = e.into_inner().message().to_owned();
            self.settings_error(stack, env, &inner, message)
        })
    }

    /// An error about a stack setting, placed where the value was written: the environment's
    /// override if it sets the key, else the stack's settings.
    pub fn settings_error(
        &self,
        stack: &str,
        env: &str,
        inner: &[String],
        message: impl Into<String>,
    ) -> ConfigError {
        let inner: Vec<&str> = inner.iter().map(String::as_str).collect();
        let override_key: Vec<&str> = ["environments", env, "stacks", stack]
            .into_iter()
            .chain(inner.iter().copied())
            .collect();
        let base_key: Vec<&str> = ["stacks", stack, "settings"]
            .into_iter()
            .chain(inner.iter().copied())
            .collect();
        let key = if !inner.is_empty() && locate::span_of(&self.source, &override_key).is_some() {
            override_key
        } else if locate::span_of(&self.source, &base_key).is_some() {
            base_key
        } else {
            vec!["stacks", stack]
        };
        self.error_at(&key, message)
    }

    fn merged_settings(&self, stack: &str, env: &str) -> toml::Table {
        let mut merged = self
            .stacks
            .get(stack)
            .map(|s| s.settings.clone())
            .unwrap_or_default();
        let overrides = self.environments.get(env).and_then(|e| e.stacks.get(stack));
        if let Some(overrides) = overrides {
            merge(&mut merged, overrides);
        }
        merged
    }
}

/// Deep merge: tables merge key by key, anything else is replaced.
fn merge(base: &mut toml::Table, over: &toml::Table) {
    for (key, value) in over {
        match (base.get_mut(key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            _ => {
                base.insert(key.clone(), value.clone());
            }
        }
    }
}
