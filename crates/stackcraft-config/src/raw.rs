//! The file's shape, as serde reads it: unknown keys are errors everywhere except inside a
//! stack's `settings`, which belong to its blueprint and are checked against it.

use indexmap::IndexMap;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawConfig {
    pub project: ProjectConfig,
    #[serde(default)]
    pub environments: IndexMap<String, EnvConfig>,
    #[serde(default)]
    pub stacks: IndexMap<String, StackConfig>,
}

/// `[project]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectConfig {
    /// Prefix of every deployed stack name: `<name>-<env>-<stack>`.
    pub name: String,
    /// Where workloads (`apps/...`) are built from, relative to this file (default: its
    /// directory).
    pub root: Option<std::path::PathBuf>,
    /// Tags for every taggable resource.
    #[serde(default)]
    pub tags: IndexMap<String, String>,
}

/// `[environments.<name>]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvConfig {
    /// Twelve-digit AWS account id; deploy refuses credentials of another account.
    pub account: Option<String>,
    pub region: String,
    /// Availability zones (default 2, 3 when `ha`).
    pub azs: Option<u8>,
    /// Highly available and safe (default: true for `prod` only).
    pub ha: Option<bool>,
    /// `destroy` needs `--force` (default: same as `ha`).
    pub protected: Option<bool>,
    /// IPv4 range for networks (default 10.0.0.0/16).
    pub cidr: Option<String>,
    #[serde(default)]
    pub tags: IndexMap<String, String>,
    /// Per-stack settings that differ in this environment.
    #[serde(default)]
    pub stacks: IndexMap<String, toml::Table>,
}

/// `[stacks.<name>]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StackConfig {
    pub blueprint: String,
    pub description: Option<String>,
    #[serde(default)]
    pub tags: IndexMap<String, String>,
    /// The blueprint's own settings.
    #[serde(default)]
    pub settings: toml::Table,
    /// Logical ids to keep after code moved: derived id → id the resource already has.
    #[serde(default)]
    pub logical_ids: IndexMap<String, String>,
    /// Findings of `stackcraft check` accepted on purpose (`[[stacks.<name>.suppress]]`).
    #[serde(default)]
    pub suppress: Vec<SuppressConfig>,
    /// The environments the stack exists in (default: every one), for a stack that belongs
    /// to one place only: a pipeline in a tooling account, certificates in `us-east-1`.
    #[serde(default)]
    pub environments: Vec<String>,
}

impl StackConfig {
    /// Whether the stack is built in `env`.
    pub fn exists_in(&self, env: &str) -> bool {
        self.environments.is_empty() || self.environments.iter().any(|e| e == env)
    }
}

/// `[[stacks.<name>.suppress]]`: one accepted finding, with the reason a reviewer reads.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuppressConfig {
    /// A rule id of `stackcraft check` (`SC-S3-006`), or a checkov / cfn_nag id of one.
    pub rule: String,
    /// A logical id or construct path of the stack; none means every resource of the stack.
    pub resource: Option<String>,
    /// The environments it applies in (default: every one), for a finding that only a cheaper
    /// environment has.
    #[serde(default)]
    pub environments: Vec<String>,
    pub reason: String,
}

impl SuppressConfig {
    pub fn applies_in(&self, env: &str) -> bool {
        self.environments.is_empty() || self.environments.iter().any(|e| e == env)
    }
}

/// Where and why the file could not be read: key path, byte span, message.
pub(crate) type ShapeError = (Option<String>, Option<std::ops::Range<usize>>, String);

/// Reads the file's shape.
pub(crate) fn deserialize(source: &str) -> Result<RawConfig, ShapeError> {
    let table =
        toml::de::DeTable::parse(source).map_err(|e| (None, e.span(), e.message().to_owned()))?;
    let de = serde::de::IntoDeserializer::into_deserializer(table);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let key = e.path().to_string();
        let key = (key != ".").then_some(key);
        let inner = e.into_inner();
        (key, inner.span(), inner.message().to_owned())
    })
}
