//! What a blueprint sees while it builds a stack.

use serde::de::DeserializeOwned;
use stackcraft_config::settings::{Setting, SettingType};
use stackcraft_config::{Config, ConfigError};
use stackcraft_core::template::Target;
use stackcraft_core::{Stack, StackSet};

/// The configuration, the stack being built, and the stacks built before it.
pub struct Context<'a> {
    pub config: &'a Config,
    pub stack: &'a str,
    pub env: &'a str,
    /// Stacks defined earlier in the file, to look up what they published.
    pub stacks: &'a StackSet,
}

impl Context<'_> {
    /// The stack's settings in this environment, typed by the blueprint.
    pub fn settings<T: DeserializeOwned + SettingType>(&self) -> Result<T, ConfigError> {
        self.config.settings(self.stack, self.env)
    }

    /// An error about one of the stack's settings, placed at the line that sets it.
    pub fn setting_error(&self, key: &str, message: impl Into<String>) -> ConfigError {
        let inner: Vec<String> = key.split('.').map(str::to_owned).collect();
        self.config
            .settings_error(self.stack, self.env, &inner, message)
    }

    /// A handle that the stack named by setting `key` published as `handle`.
    pub fn published(&self, key: &str, stack: &str, handle: &str) -> Result<Target, ConfigError> {
        self.stacks
            .published(stack, handle)
            .map_err(|why| self.setting_error(key, why))
    }
}

/// Builds one stack from its settings.
pub type Build = fn(&mut Stack, &Context) -> Result<(), ConfigError>;

/// A blueprint as the CLI lists it.
#[derive(Clone, Copy)]
pub struct Blueprint {
    pub name: &'static str,
    pub summary: &'static str,
    /// The stack name `stackcraft init` gives a stack of this blueprint.
    pub stack: &'static str,
    /// The workload packages its stacks build, relative to the project root
    /// (`apps/object-counter`): `init` points the root at sources that have them.
    pub workloads: &'static [&'static str],
    /// Its settings, as declared with `stackcraft_config::settings!`: the same declaration
    /// the build parses them with (`<Settings as SettingType>::fields`).
    pub settings: fn() -> Vec<Setting>,
    pub build: Build,
}

impl Blueprint {
    /// The description of a settings type, for [`Blueprint::settings`].
    pub fn settings_of<T: SettingType>() -> Vec<Setting> {
        T::fields()
    }
}
