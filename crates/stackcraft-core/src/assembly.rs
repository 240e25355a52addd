//! The cloud assembly: `manifest.json`, one template per stack and the assets, written
//! atomically and byte-identical for identical input.

use std::fs;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_json::json;
use stackcraft_template::Template;

use crate::asset::{Asset, ImageAsset, Packaging, IMAGE_REPOSITORY};
use crate::environment::Environment;
use crate::error::SynthError;
use crate::files::source_files;
use crate::site::SitePublication;

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
        let files = self.files(format);
        let parent = dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let leaf = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "stackcraft.out".into());
        fs::create_dir_all(parent).map_err(io_at(parent))?;
        let staging = parent.join(format!(".{leaf}.tmp-{}", std::process::id()));
        let result = write_files(&staging, &files).and_then(|()| swap_into_place(&staging, dir));
        if result.is_err() {
            let _ = fs::remove_dir_all(&staging);
        }
        result
    }
}

fn io_at(path: &Path) -> impl Fn(std::io::Error) -> SynthError + '_ {
    move |source| SynthError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn write_files(staging: &Path, files: &[AssemblyFile]) -> Result<(), SynthError> {
    if staging.exists() {
        fs::remove_dir_all(staging).map_err(io_at(staging))?;
    }
    for file in files {
        let (rel, result) = match file {
            AssemblyFile::Bytes(rel, bytes) => {
                let path = staging.join(rel);
                create_parent(&path)?;
                (rel, fs::write(&path, bytes))
            }
            AssemblyFile::Copy(rel, source) => {
                let path = staging.join(rel);
                create_parent(&path)?;
                (rel, copy_tree(source, &path))
            }
        };
        result.map_err(io_at(&staging.join(rel)))?;
    }
    Ok(())
}

fn create_parent(path: &Path) -> Result<(), SynthError> {
    let parent = path
        .parent()
        .expect("files are inside the staging directory");
    fs::create_dir_all(parent).map_err(io_at(parent))
}

/// Copies a file, or the [source files](crate::files) of a directory (what its hash covers and
/// deploy publishes: no hidden files, no `target/`).
fn copy_tree(source: &Path, dest: &Path) -> std::io::Result<()> {
    if source.is_dir() {
        fs::create_dir_all(dest)?;
        for file in source_files(source)? {
            let to = dest.join(&file.relative);
            fs::create_dir_all(to.parent().expect("below dest"))?;
            fs::copy(&file.path, &to)?;
        }
        Ok(())
    } else {
        fs::copy(source, dest).map(|_| ())
    }
}

/// Replaces `dir` by `staging`: two renames, with the old output removed only once the new one
/// is in place.
fn swap_into_place(staging: &Path, dir: &Path) -> Result<(), SynthError> {
    if dir.exists() {
        let old = staging.with_extension("old");
        if old.exists() {
            fs::remove_dir_all(&old).map_err(io_at(&old))?;
        }
        fs::rename(dir, &old).map_err(io_at(dir))?;
        if let Err(e) = fs::rename(staging, dir) {
            let _ = fs::rename(&old, dir);
            return Err(io_at(dir)(e));
        }
        fs::remove_dir_all(&old).map_err(io_at(&old))?;
    } else {
        fs::rename(staging, dir).map_err(io_at(dir))?;
    }
    Ok(())
}
