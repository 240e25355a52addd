//! A stack: the scope constructs are created in, and the template it becomes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use indexmap::IndexMap;
use stackcraft_template::{
    Condition, Expr, Map, Output, Parameter, Policy, Resource, ResourceType, Tagging, Target, Value,
};

use crate::asset::{Asset, ImageAsset};
use crate::environment::Environment;
use crate::error::ConstructError;
use crate::logical_id;
use crate::site::SitePublication;

/// One resource of a stack, with the construct path it was created at.
#[derive(Clone, Debug)]
pub struct Entry {
    pub path: String,
    pub resource: Resource,
    pub tagging: Tagging,
}

/// A stack under construction. Constructs are created by functions that take `&mut Stack`;
/// what they hand back are small handles (a logical id and this stack's name), so the borrow
/// checker never stands between two constructs that reference each other.
#[derive(Debug)]
pub struct Stack {
    name: Arc<str>,
    /// The CloudFormation stack name (`<project>-<env>-<stack>` in an app).
    deployed_name: String,
    /// The directory workloads are built from (the project's root).
    source_dir: PathBuf,
    env: Environment,
    description: Option<String>,
    blueprint: Option<String>,
    scope: Vec<String>,
    resources: IndexMap<String, Entry>,
    parameters: IndexMap<String, Parameter>,
    conditions: Map,
    outputs: IndexMap<String, Output>,
    tags: IndexMap<String, String>,
    /// Construct path → logical id, fixed by the user.
    pins: IndexMap<String, String>,
    /// Logical id derived from the path → logical id to use instead (code moved, resource kept).
    renames: IndexMap<String, String>,
    /// Resources linked to a resource by a named relation, by its logical id: the children a
    /// construct adds after it was created (a role's default policy on its first grant),
    /// what routes to a target group. Constructs find them again through handles, never by
    /// formatting construct paths.
    links: IndexMap<(String, String), Vec<Target>>,
    /// Handles that other stacks may look up by name.
    published: IndexMap<String, Target>,
    assets: Vec<Asset>,
    /// Static sites deploy publishes once the stack is deployed.
    sites: Vec<SitePublication>,
    images: Vec<ImageAsset>,
    /// Macros CloudFormation runs on the template (`AWS::SecretsManager-2020-07-23`).
    transforms: Vec<String>,
    errors: Vec<ConstructError>,
}

impl Stack {
    /// A stack named `name` (its id in the app; the deployed stack name is derived from it).
    pub fn new(name: &str, env: Environment) -> Self {
        Stack {
            name: name.into(),
            deployed_name: name.to_owned(),
            source_dir: PathBuf::from("."),
            env,
            description: None,
            blueprint: None,
            scope: Vec::new(),
            resources: IndexMap::new(),
            parameters: IndexMap::new(),
            conditions: Map::new(),
            outputs: IndexMap::new(),
            tags: IndexMap::new(),
            pins: IndexMap::new(),
            renames: IndexMap::new(),
            links: IndexMap::new(),
            published: IndexMap::new(),
            assets: Vec::new(),
            sites: Vec::new(),
            images: Vec::new(),
            transforms: Vec::new(),
            errors: Vec::new(),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn env(&self) -> &Environment {
        &self.env
    }

    /// The CloudFormation stack name; names derived from it (buckets) are known at synth.
    pub fn deployed_name(&self) -> &str {
        &self.deployed_name
    }

    pub fn set_deployed_name(&mut self, name: &str) {
        self.deployed_name = name.to_owned();
    }

    /// The project's root directory, where workload assets are built from.
    pub fn source_dir(&self) -> &Path {
        &self.source_dir
    }

    pub fn set_source_dir(&mut self, dir: &Path) {
        self.source_dir = dir.to_owned();
    }

    pub fn describe(&mut self, description: impl Into<String>) -> &mut Self {
        self.description = Some(description.into());
        self
    }

    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// Records which blueprint built the stack (shown by `ls`, written to the manifest).
    pub fn set_blueprint(&mut self, blueprint: &str) {
        self.blueprint = Some(blueprint.to_owned());
    }

    pub fn blueprint(&self) -> Option<&str> {
        self.blueprint.as_deref()
    }

    /// Adds a tag to every taggable resource of this stack.
    pub fn tag(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.tags.insert(key.into(), value.into());
        self
    }

    pub fn tags(&self) -> &IndexMap<String, String> {
        &self.tags
    }

    /// Gives the construct at `path` a fixed logical id, whatever its path would make.
    /// Must be called before the construct is created.
    pub fn pin_logical_id(&mut self, path: &str, logical_id: &str) -> &mut Self {
        self.pins.insert(path.to_owned(), logical_id.to_owned());
        self
    }

    /// Keeps a resource whose code moved: the resource that would now get `derived` keeps the
    /// logical id `kept` it had before, so CloudFormation updates it instead of replacing it.
    pub fn rename_logical_id(&mut self, derived: &str, kept: &str) -> &mut Self {
        self.renames.insert(derived.to_owned(), kept.to_owned());
        self
    }

    /// Runs `build` with `id` appended to the construct path: how a construct creates its
    /// children (`Network/PublicSubnet1/RouteTable`).
    pub fn scope<R>(&mut self, id: &str, build: impl FnOnce(&mut Stack) -> R) -> R {
        self.scope.push(id.to_owned());
        let out = build(self);
        self.scope.pop();
        out
    }

    /// The construct path of a child `id` of the current scope.
    pub fn path_of(&self, id: &str) -> String {
        let mut path = self.scope.join("/");
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str(id);
        path
    }

    /// Adds a typed resource at `id` in the current scope and returns its handle.
    pub fn add<R: ResourceType>(&mut self, id: &str, resource: R) -> R::Ref {
        let path = self.path_of(id);
        self.add_at(&path, resource)
    }

    /// Adds a typed resource at a full construct path, whatever the current scope: how a
    /// construct adds a child after it was created (a role's default policy on first grant).
    pub fn add_at<R: ResourceType>(&mut self, path: &str, resource: R) -> R::Ref {
        let target = self.insert(path, R::TYPE_NAME, resource.into_properties(), R::TAGGING);
        R::Ref::from(target)
    }

    /// Adds a resource of any type (the escape hatch for types without generated code).
    pub fn add_raw(
        &mut self,
        id: &str,
        type_name: &str,
        properties: Map,
        tagging: Tagging,
    ) -> Target {
        let path = self.path_of(id);
        self.insert(&path, type_name, properties, tagging)
    }

    fn insert(&mut self, path: &str, type_name: &str, properties: Map, tagging: Tagging) -> Target {
        let logical_id = self.allocate_logical_id(path);
        self.resources.insert(
            logical_id.clone(),
            Entry {
                path: path.to_owned(),
                resource: Resource::new(type_name, properties),
                tagging,
            },
        );
        Target::in_stack(logical_id, self.name.clone())
    }

    /// The construct path a resource of this stack was created at.
    pub fn path_of_target(&self, target: &Target) -> Option<&str> {
        self.resources
            .get(&target.logical_id)
            .map(|e| e.path.as_str())
    }

    /// Links `to` to `from` under `relation` (once; links keep their order).
    pub fn link(&mut self, from: &Target, relation: &str, to: &Target) {
        let linked = self
            .links
            .entry((from.logical_id.clone(), relation.to_owned()))
            .or_default();
        if !linked.contains(to) {
            linked.push(to.clone());
        }
    }

    /// What was linked to `from` under `relation`, in the order it was linked.
    pub fn linked(&self, from: &Target, relation: &str) -> &[Target] {
        self.links
            .get(&(from.logical_id.clone(), relation.to_owned()))
            .map_or(&[], Vec::as_slice)
    }

    /// The child `id` that [`Stack::child_or_add`] added under `owner`, if any.
    pub fn child(&self, owner: &Target, id: &str) -> Option<Target> {
        self.linked(owner, id).first().cloned()
    }

    /// The child `id` of `owner` (at `<owner's path>/<id>`), created with `create` on first
    /// use: how a construct adds a resource lazily (a role's default policy on its first
    /// grant, a bucket policy on its first statement) and finds it again by handle.
    pub fn child_or_add<R: ResourceType>(
        &mut self,
        owner: &Target,
        id: &str,
        create: impl FnOnce() -> R,
    ) -> Target {
        if let Some(child) = self.child(owner, id) {
            return child;
        }
        let owner_path = self
            .path_of_target(owner)
            .unwrap_or_else(|| {
                panic!(
                    "{} is not a resource of stack {}",
                    owner.logical_id, self.name
                )
            })
            .to_owned();
        let resource = create();
        let child = self.insert(
            &format!("{owner_path}/{id}"),
            R::TYPE_NAME,
            resource.into_properties(),
            R::TAGGING,
        );
        self.link(owner, id, &child);
        child
    }

    /// The resource created at a construct path, if any.
    pub fn lookup(&self, path: &str) -> Option<Target> {
        self.resources
            .iter()
            .find(|(_, e)| e.path == path)
            .map(|(id, _)| Target::in_stack(id.clone(), self.name.clone()))
    }

    /// Sets one property of a resource (constructs' options that come after creation).
    pub fn set_property(&mut self, target: &Target, key: &str, value: impl Into<Value>) {
        self.resource_mut(target)
            .properties
            .insert(key.to_owned(), value.into());
    }

    fn allocate_logical_id(&mut self, path: &str) -> String {
        let derived = logical_id::from_path(path);
        let id = match self.pins.get(path) {
            Some(pinned) => pinned.clone(),
            None => self.renames.get(&derived).cloned().unwrap_or(derived),
        };
        if let Some(reason) = logical_id::invalid_reason(&id) {
            self.error(path, format!("logical id {id:?}: {reason}"));
        } else if let Some(existing) = self.resources.get(&id) {
            let message = format!(
                "logical id {id} is already used by {}/{}; give one of them another id, or pin one",
                self.name, existing.path
            );
            self.error(path, message);
        }
        id
    }

    /// The resource a handle points at, to set attributes such as `DependsOn` or policies.
    pub fn resource_mut(&mut self, target: &Target) -> &mut Resource {
        &mut self
            .resources
            .get_mut(&target.logical_id)
            .unwrap_or_else(|| {
                panic!(
                    "{} is not a resource of stack {}",
                    target.logical_id, self.name
                )
            })
            .resource
    }

    pub fn resource(&self, target: &Target) -> Option<&Resource> {
        self.resources.get(&target.logical_id).map(|e| &e.resource)
    }

    /// Sets the deletion and update-replace policies together (cfn-lint wants both).
    pub fn set_removal_policy(&mut self, target: &Target, policy: Policy) {
        let r = self.resource_mut(target);
        r.deletion_policy = Some(policy);
        r.update_replace_policy = Some(match policy {
            Policy::RetainExceptOnCreate => Policy::Retain,
            other => other,
        });
    }

    /// Suppresses a check on one resource, with the reason a reviewer reads. `rule` is a rule
    /// id of `stackcraft check` (`SC-S3-006`) or a checkov / cfn_nag id; the suppression is
    /// written for every checker that has an id for the same rule (`Metadata.stackcraft.suppress`,
    /// `Metadata.checkov.skip`, `Metadata.cfn_nag.rules_to_suppress`), so each of them shows the
    /// same reason.
    /// An empty reason is an error of the construct.
    pub fn suppress(&mut self, target: &Target, rule: &str, reason: &str) {
        if reason.trim().is_empty() {
            let path = self
                .resources
                .get(&target.logical_id)
                .map_or_else(|| target.logical_id.clone(), |e| e.path.clone());
            self.error(&path, format!("the suppression of {rule} needs a reason"));
            return;
        }
        let metadata = self
            .resource_mut(target)
            .metadata
            .get_or_insert_with(|| Value::Map(Map::new()));
        let Value::Map(metadata) = metadata else {
            panic!("resource metadata is a map")
        };
        for (checker, list, entry) in stackcraft_check::metadata_entries(rule, reason) {
            let section = metadata
                .entry(checker.to_owned())
                .or_insert_with(|| Value::Map(Map::new()));
            if let Value::Map(section) = section {
                let items = section
                    .entry(list.to_owned())
                    .or_insert_with(|| Value::List(Vec::new()));
                if let Value::List(items) = items {
                    items.push(entry);
                }
            }
        }
    }

    /// Makes `dependent` wait for `dependency`.
    pub fn add_dependency(&mut self, dependent: &Target, dependency: &Target) {
        let deps = &mut self.resource_mut(dependent).depends_on;
        if !deps.contains(&dependency.logical_id) {
            deps.push(dependency.logical_id.clone());
        }
    }

    /// Adds a template parameter; returns `Ref` to it.
    pub fn parameter<T>(&mut self, id: &str, parameter: Parameter) -> Expr<T> {
        self.parameters.insert(id.to_owned(), parameter);
        stackcraft_template::ref_(id)
    }

    /// Adds a named condition; returns its name for `Fn::If` and `Resource.condition`.
    pub fn condition(&mut self, name: &str, condition: Condition) -> String {
        self.conditions.insert(name.to_owned(), condition.0);
        name.to_owned()
    }

    /// Adds a stack output (printed after deploy, written to `--outputs-file`).
    pub fn output(&mut self, id: &str, value: impl Into<Value>) -> &mut Output {
        if let Some(reason) = logical_id::invalid_reason(id) {
            self.error(&format!("Outputs/{id}"), reason.to_owned());
        }
        self.outputs.insert(id.to_owned(), Output::new(value));
        self.outputs.get_mut(id).expect("just inserted")
    }

    /// Lets other stacks look this handle up by `name` (see `StackSet::published`).
    pub fn publish(&mut self, name: &str, target: &Target) {
        self.published.insert(name.to_owned(), target.clone());
    }

    pub fn published(&self, name: &str) -> Option<&Target> {
        self.published.get(name)
    }

    /// Registers a file asset (a Lambda zip, a site directory) that deploy uploads.
    pub fn add_asset(&mut self, asset: Asset) {
        if !self.assets.iter().any(|a| a.hash == asset.hash) {
            self.assets.push(asset);
        }
    }

    pub fn assets(&self) -> &[Asset] {
        &self.assets
    }

    /// Registers a static site that deploy publishes after the stack is deployed. Its `path`
    /// is the construct path below the stack (`Site`); the stack's name is prepended.
    pub fn add_site(&mut self, mut site: SitePublication) {
        site.path = format!("{}/{}", self.name, site.path);
        self.sites.push(site);
    }

    pub fn sites(&self) -> &[SitePublication] {
        &self.sites
    }

    /// The site registered at construct path `path` (below the stack), to add to.
    pub fn site_mut(&mut self, path: &str) -> Option<&mut SitePublication> {
        let full = format!("{}/{}", self.name, path);
        self.sites.iter_mut().find(|s| s.path == full)
    }

    /// A site's `config.json` that reads an output the stack does not have: checked at
    /// synth, when every output is known.
    pub(crate) fn site_errors(&self) -> Vec<ConstructError> {
        let mut errors = Vec::new();
        for site in &self.sites {
            for (key, output) in &site.config {
                if !self.outputs.contains_key(output) {
                    errors.push(ConstructError {
                        path: site.path.clone(),
                        message: format!(
                            "config.json key {key:?} reads output {output:?}, which the stack \
                             does not have (outputs: {})",
                            self.outputs.keys().cloned().collect::<Vec<_>>().join(", ")
                        ),
                    });
                }
            }
        }
        errors
    }

    /// Registers a container image that deploy pushes to the image repository.
    pub fn add_image(&mut self, image: ImageAsset) {
        if !self.images.iter().any(|i| i.digest == image.digest) {
            self.images.push(image);
        }
    }

    pub fn images(&self) -> &[ImageAsset] {
        &self.images
    }

    /// Asks CloudFormation to run a macro on the template (once, however often asked), e.g.
    /// `AWS::SecretsManager-2020-07-23` for hosted secret rotation.
    pub fn add_transform(&mut self, name: &str) {
        if !self.transforms.iter().any(|t| t == name) {
            self.transforms.push(name.to_owned());
        }
    }

    pub fn transforms(&self) -> &[String] {
        &self.transforms
    }

    /// Records an invalid construct; synthesis fails with every recorded error.
    pub fn error(&mut self, path: &str, message: String) {
        self.errors.push(ConstructError {
            path: format!("{}/{}", self.name, path),
            message,
        });
    }

    pub fn errors(&self) -> &[ConstructError] {
        &self.errors
    }

    pub fn entries(&self) -> impl Iterator<Item = (&String, &Entry)> {
        self.resources.iter()
    }

    pub(crate) fn conditions(&self) -> &Map {
        &self.conditions
    }

    pub(crate) fn outputs(&self) -> &IndexMap<String, Output> {
        &self.outputs
    }

    pub(crate) fn parameters(&self) -> &IndexMap<String, Parameter> {
        &self.parameters
    }
}
