//! The cloud assembly: `manifest.json`, one template per stack and the assets, written
//! atomically and byte-identical for identical input.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_json::json;
use stackcraft_template::Template;

use crate::asset::{Asset, ImageAsset, Packaging, IMAGE_REPOSITORY};
use crate::environment::Environment;
use crate::error::SynthError;
use crate::site::SitePublication;
use crate::write::{write_atomically, OutputFs, StdFs};

/// Version of the manifest format.
pub const MANIFEST_VERSION: u32 = 1;

/// How templates are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Json,
    Yaml,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Yaml => "yaml",
        }
    }

    pub fn render(self, template: &Template) -> String {
        match self {
            Format::Json => template.to_json(),
            Format::Yaml => template.to_yaml(),
        }
    }
}

/// One synthesized stack.
#[derive(Clone, Debug)]
pub struct SynthesizedStack {
    /// The stack's id in the app (`storage`).
    pub name: String,
    /// The CloudFormation stack name (`demo-dev-storage`).
    pub deployed_name: String,
    pub template: Template,
    /// Stacks that must be deployed first.
    pub dependencies: Vec<String>,
    pub blueprint: Option<String>,
    /// Logical id → construct path.
    pub paths: IndexMap<String, String>,
    pub assets: Vec<Asset>,
    /// Static sites deploy publishes once the stack is deployed.
    pub sites: Vec<SitePublication>,
    /// Container images (OCI layouts) deploy pushes before the stack's change set.
    pub images: Vec<ImageAsset>,
}

/// Every stack of one environment, in dependency order.
#[derive(Clone, Debug)]
pub struct Assembly {
    pub project: String,
    pub environment: Environment,
    pub stacks: Vec<SynthesizedStack>,
}

/// A file of the assembly: its path relative to the assembly directory, and its content.
pub enum AssemblyFile {
    Bytes(String, Vec<u8>),
    /// An asset copied from where synth packaged it.
    Copy(String, PathBuf),
}

impl Assembly {
    pub fn stack(&self, name: &str) -> Option<&SynthesizedStack> {
        self.stacks.iter().find(|s| s.name == name)
    }

    /// Keeps only the named stacks and, transitively, the stacks they depend on.
    pub fn select(&mut self, names: &[String]) -> Result<(), SynthError> {
        if names.is_empty() {
            return Ok(());
        }
        let mut wanted: Vec<String> = Vec::new();
        let mut queue: Vec<String> = names.to_vec();
        while let Some(name) = queue.pop() {
            let stack = self.stack(&name).ok_or_else(|| SynthError::UnknownStack {
                name: name.clone(),
                known: self
                    .stacks
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
            if !wanted.contains(&name) {
                queue.extend(stack.dependencies.iter().cloned());
                wanted.push(name);
            }
        }
        self.stacks.retain(|s| wanted.contains(&s.name));
        Ok(())
    }

    fn template_file(stack: &SynthesizedStack, format: Format) -> String {
        format!("{}.template.{}", stack.name, format.extension())
    }

    fn asset_file(asset: &Asset) -> String {
        match asset.packaging {
            Packaging::Zip => format!("assets/{}.zip", asset.hash),
            Packaging::Directory => format!("assets/{}", asset.hash),
        }
    }

    fn image_dir(image: &ImageAsset) -> String {
        format!("images/{}", image.hex())
    }

    /// The manifest: what deploy, diff, check and graph read.
    pub fn manifest(&self, format: Format) -> serde_json::Value {
        let env = &self.environment;
        let mut stacks = serde_json::Map::new();
        let mut assets = serde_json::Map::new();
        let mut images = serde_json::Map::new();
        for stack in &self.stacks {
            for image in &stack.images {
                images.insert(
                    image.digest.clone(),
                    json!({
                        "name": image.name,
                        "path": Self::image_dir(image),
                        "repository": IMAGE_REPOSITORY,
                        "tag": image.tag(),
                    }),
                );
            }
            for asset in &stack.assets {
                assets.insert(
                    asset.hash.clone(),
                    json!({
                        "packaging": asset.packaging,
                        "path": Self::asset_file(asset),
                        "objectKey": asset.object_key,
                    }),
                );
            }
            let mut entry = json!({
                "stackName": stack.deployed_name,
                "template": Self::template_file(stack, format),
                "blueprint": stack.blueprint,
                "dependencies": stack.dependencies,
                "assets": stack.assets.iter().map(|a| &a.hash).collect::<Vec<_>>(),
                "images": stack.images.iter().map(|i| &i.digest).collect::<Vec<_>>(),
                "resources": stack.paths,
            });
            if !stack.sites.is_empty() {
                entry["sites"] = json!(stack.sites);
            }
            stacks.insert(stack.name.clone(), entry);
        }
        json!({
            "version": MANIFEST_VERSION,
            "project": self.project,
            "environment": {
                "name": env.name,
                "account": env.account,
                "region": env.region,
                "azCount": env.az_count,
                "ha": env.ha,
                "protected": env.protected,
            },
            "stacks": stacks,
            "assets": assets,
            "images": images,
        })
    }

    /// Every file of the assembly, rendered in memory (so nothing is written if rendering
    /// fails, and tests can compare runs byte for byte).
    pub fn files(&self, format: Format) -> Vec<AssemblyFile> {
        let mut manifest =
            serde_json::to_string_pretty(&self.manifest(format)).expect("the manifest serializes");
        manifest.push('\n');
        let mut files = vec![AssemblyFile::Bytes(
            "manifest.json".into(),
            manifest.into_bytes(),
        )];
        for stack in &self.stacks {
            files.push(AssemblyFile::Bytes(
                Self::template_file(stack, format),
                format.render(&stack.template).into_bytes(),
            ));
            for asset in &stack.assets {
                files.push(AssemblyFile::Copy(
                    Self::asset_file(asset),
                    asset.source.clone(),
                ));
            }
            for image in &stack.images {
                files.push(AssemblyFile::Copy(
                    Self::image_dir(image),
                    image.source.clone(),
                ));
            }
        }
        files
    }

    /// Writes the assembly to `dir` atomically: everything goes to a sibling temporary
    /// directory that then replaces `dir`, so a failure leaves the previous output as it was.
    pub fn write(&self, dir: &Path, format: Format) -> Result<(), SynthError> {
        self.write_with(dir, format, &StdFs)
    }

    /// [`write`](Self::write) through `fs_ops` (the seam tests use to make a write fail).
    pub fn write_with(
        &self,
        dir: &Path,
        format: Format,
        fs_ops: &dyn OutputFs,
    ) -> Result<(), SynthError> {
        write_atomically(dir, &self.files(format), fs_ops)
    }
}
