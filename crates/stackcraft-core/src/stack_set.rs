//! A stack set: the stacks of one project in one environment, and their synthesis into
//! templates.

use std::collections::BTreeSet;

use indexmap::IndexMap;
use stackcraft_template::{Target, Template};

use crate::aspect::{ApplyTags, Aspect, Visit};
use crate::assembly::{Assembly, SynthesizedStack};
use crate::cross_stack::{self, CrossReference, Dependencies};
use crate::environment::Environment;
use crate::error::{ConstructError, SynthError};
use crate::stack::Stack;

/// The stacks of one project in one environment: what synthesizes into one cloud assembly.
///
/// (Not a CloudFormation StackSet, which deploys one template to many accounts; stackcraft
/// deploys each stack of the set to the environment's one account and region.)
pub struct StackSet {
    project: String,
    env: Environment,
    tags: IndexMap<String, String>,
    stacks: Vec<Stack>,
    aspects: Vec<Box<dyn Aspect>>,
}

impl StackSet {
    pub fn new(project: &str, env: Environment) -> Self {
        StackSet {
            project: project.to_owned(),
            env,
            tags: IndexMap::new(),
            stacks: Vec::new(),
            aspects: vec![Box::new(ApplyTags)],
        }
    }

    pub fn project(&self) -> &str {
        &self.project
    }

    pub fn env(&self) -> &Environment {
        &self.env
    }

    /// Tags every taggable resource of every stack (environment and stack tags win).
    pub fn tag(&mut self, key: &str, value: &str) -> &mut Self {
        self.tags.insert(key.to_owned(), value.to_owned());
        self
    }

    /// Adds an aspect that visits every resource at synthesis, after tagging.
    pub fn aspect(&mut self, aspect: impl Aspect + 'static) -> &mut Self {
        self.aspects.push(Box::new(aspect));
        self
    }

    /// Creates a stack and returns it to build in.
    pub fn stack(&mut self, name: &str) -> &mut Stack {
        let stack = self.new_stack(name);
        self.stacks.push(stack);
        self.stacks.last_mut().expect("just pushed")
    }

    /// A stack of this set's environment and naming, not yet added: build it while reading
    /// the set's other stacks, then [`StackSet::add_stack`] it.
    pub fn new_stack(&self, name: &str) -> Stack {
        let mut stack = Stack::new(name, self.env.clone());
        stack.set_deployed_name(&self.deployed_name(name));
        stack
    }

    pub fn add_stack(&mut self, stack: Stack) {
        self.stacks.push(stack);
    }

    pub fn stacks(&self) -> &[Stack] {
        &self.stacks
    }

    pub fn get(&self, name: &str) -> Option<&Stack> {
        self.stacks.iter().find(|s| s.name() == name)
    }

    /// A handle another stack published under `handle` (see `Stack::publish`).
    pub fn published(&self, stack: &str, handle: &str) -> Result<Target, String> {
        let producer = self
            .get(stack)
            .ok_or_else(|| format!("no stack {stack:?} is defined before this one"))?;
        producer
            .published(handle)
            .cloned()
            .ok_or_else(|| format!("stack {stack:?} publishes no {handle:?}"))
    }

    /// The CloudFormation stack name of a stack: `<project>-<env>-<stack>`.
    pub fn deployed_name(&self, stack: &str) -> String {
        format!("{}-{}-{}", self.project, self.env.name, stack)
    }

    /// Turns every stack into a template: aspects, cross-stack references, dependency order.
    /// Fails with every invalid construct at once, naming each by its path.
    pub fn synth(&self) -> Result<Assembly, SynthError> {
        let errors: Vec<ConstructError> = self
            .stacks
            .iter()
            .flat_map(|s| s.errors().iter().cloned().chain(s.site_errors()))
            .collect();
        if !errors.is_empty() {
            return Err(SynthError::Invalid(errors));
        }

        let mut templates: IndexMap<String, Template> = IndexMap::new();
        let mut dependencies = Dependencies::new();
        let mut exports: IndexMap<String, BTreeSet<CrossReference>> = IndexMap::new();
        for stack in &self.stacks {
            let (template, imports) = self.stack_template(stack);
            let deps = dependencies.entry(stack.name().to_owned()).or_default();
            for reference in imports {
                if self.get(&reference.producer).is_none() {
                    return Err(SynthError::UnknownStack {
                        name: reference.producer.clone(),
                        known: self.stack_names(),
                    });
                }
                deps.insert(reference.producer.clone());
                exports
                    .entry(reference.producer.clone())
                    .or_default()
                    .insert(reference);
            }
            templates.insert(stack.name().to_owned(), template);
        }
        for (producer, references) in exports {
            let template = templates
                .get_mut(&producer)
                .expect("producer checked above");
            for reference in references {
                let resource =
                    cross_stack::export_resource(&reference, &self.project, &self.env.name);
                template.resources.insert(reference.export_id(), resource);
            }
        }

        let order = topological_order(&dependencies)?;
        let stacks = order
            .into_iter()
            .map(|name| {
                let stack = self.get(&name).expect("ordered names come from the stacks");
                SynthesizedStack {
                    deployed_name: stack.deployed_name().to_owned(),
                    template: templates.shift_remove(&name).expect("one template a stack"),
                    dependencies: dependencies[&name].iter().cloned().collect(),
                    blueprint: stack.blueprint().map(str::to_owned),
                    paths: stack
                        .entries()
                        .map(|(id, e)| (id.clone(), e.path.clone()))
                        .collect(),
                    assets: stack.assets().to_vec(),
                    sites: stack.sites().to_vec(),
                    images: stack.images().to_vec(),
                    name,
                }
            })
            .collect();
        Ok(Assembly {
            project: self.project.clone(),
            environment: self.env.clone(),
            stacks,
        })
    }

    fn stack_names(&self) -> String {
        self.stacks
            .iter()
            .map(Stack::name)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// One stack's template, with aspects applied and references to other stacks rewritten
    /// into imports; returns the imports found.
    fn stack_template(&self, stack: &Stack) -> (Template, BTreeSet<CrossReference>) {
        let mut tags = self.tags.clone();
        tags.extend(self.env.tags.clone());
        tags.extend(stack.tags().clone());

        let transform = match stack.transforms() {
            [] => None,
            [one] => Some(one.as_str().into()),
            many => Some(many.iter().map(String::as_str).collect::<Vec<_>>().into()),
        };
        let mut template = Template {
            description: stack.description().map(str::to_owned),
            transform,
            conditions: stack.conditions().clone(),
            parameters: stack.parameters().clone(),
            outputs: stack.outputs().clone(),
            ..Template::default()
        };
        let mut imports = BTreeSet::new();
        for (logical_id, entry) in stack.entries() {
            let mut resource = entry.resource.clone();
            let at = Visit {
                stack: stack.name(),
                env: &self.env,
                path: &entry.path,
                logical_id,
                tagging: entry.tagging,
                tags: &tags,
            };
            for aspect in &self.aspects {
                aspect.visit(&at, &mut resource);
            }
            for value in resource.properties.values_mut() {
                cross_stack::rewrite(value, stack.name(), &mut imports);
            }
            template.resources.insert(logical_id.clone(), resource);
        }
        for output in template.outputs.values_mut() {
            cross_stack::rewrite(&mut output.value, stack.name(), &mut imports);
        }
        for reference in &imports {
            let parameter = cross_stack::import_parameter(reference, &self.project, &self.env.name);
            template.parameters.insert(reference.import_id(), parameter);
        }
        (template, imports)
    }
}

/// Stacks ordered so that every stack comes after those it depends on; ties keep the order
/// the stacks were defined in.
fn topological_order(dependencies: &Dependencies) -> Result<Vec<String>, SynthError> {
    let mut done: Vec<String> = Vec::with_capacity(dependencies.len());
    while done.len() < dependencies.len() {
        let next = dependencies
            .iter()
            .find(|(name, deps)| !done.contains(name) && deps.iter().all(|d| done.contains(d)));
        match next {
            Some((name, _)) => done.push(name.clone()),
            None => {
                let stuck: Vec<_> = dependencies
                    .keys()
                    .filter(|n| !done.contains(n))
                    .cloned()
                    .collect();
                return Err(SynthError::Cycle(stuck.join(" → ")));
            }
        }
    }
    Ok(done)
}
