//! `stackcraft diff`: each synthesized template against the deployed one (GetTemplate, read by
//! the template model), resource by resource and property by property, with replacement
//! warnings from the schemas' create-only properties.

use stackcraft_core::Assembly;
use stackcraft_template::{value_to_json, Map, Resource, Template, Value};

use crate::create_only::create_only_properties;
use crate::error::DeployError;
use crate::session::Session;
use crate::ui::Ui;

/// The differences of one stack.
#[derive(Clone, Debug)]
pub struct StackDiff {
    pub stack: String,
    pub deployed_name: String,
    /// Whether the stack is deployed at all.
    pub deployed: bool,
    /// Human-readable lines; empty when the templates are equal.
    pub lines: Vec<String>,
    /// Resources a deploy would replace.
    pub replacements: Vec<String>,
}

impl StackDiff {
    pub fn differs(&self) -> bool {
        !self.deployed || !self.lines.is_empty()
    }
}

const MAX_VALUE: usize = 160;

fn show(value: Option<&Value>) -> String {
    let Some(value) = value else {
        return "(absent)".into();
    };
    let mut text = value_to_json(value)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if text.len() > MAX_VALUE {
        let mut cut = MAX_VALUE;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
    text
}

/// Whether changing the property at `key` (top-level) replaces a resource of this type.
fn replaces(resource_type: &str, key: &str) -> bool {
    create_only_properties(resource_type).is_some_and(|props| {
        props
            .iter()
            .any(|p| *p == key || p.strip_prefix(key).is_some_and(|r| r.starts_with('/')))
    })
}

fn diff_maps(prefix: &str, old: &Map, new: &Map, out: &mut Vec<(String, String, String)>) {
    for (key, new_value) in new {
        match old.get(key) {
            Some(old_value) if old_value == new_value => {}
            old_value => out.push((
                format!("{prefix}{key}"),
                show(old_value),
                show(Some(new_value)),
            )),
        }
    }
    for (key, old_value) in old {
        if !new.contains_key(key) {
            out.push((format!("{prefix}{key}"), show(Some(old_value)), show(None)));
        }
    }
}

fn attributes(r: &Resource) -> Map {
    let mut m = Map::new();
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            m.insert(k.to_owned(), v);
        }
    };
    put(
        "DependsOn",
        (!r.depends_on.is_empty())
            .then(|| Value::List(r.depends_on.iter().cloned().map(Value::String).collect())),
    );
    put("Condition", r.condition.clone().map(Value::String));
    put(
        "DeletionPolicy",
        r.deletion_policy.map(|p| Value::String(p.as_str().into())),
    );
    put(
        "UpdateReplacePolicy",
        r.update_replace_policy
            .map(|p| Value::String(p.as_str().into())),
    );
    put("UpdatePolicy", r.update_policy.clone());
    put("CreationPolicy", r.creation_policy.clone());
    put("Metadata", r.metadata.clone());
    m
}

/// The differences between a deployed template (`old`) and a synthesized one (`new`):
/// (lines, replaced logical ids).
pub fn diff_templates(old: &Template, new: &Template) -> (Vec<String>, Vec<String>) {
    let mut lines = Vec::new();
    let mut replaced = Vec::new();
    if old.description != new.description {
        lines.push(format!(
            "[~] Description: {:?} → {:?}",
            old.description.as_deref().unwrap_or(""),
            new.description.as_deref().unwrap_or("")
        ));
    }
    let section = |name: &str, old: Map, new: Map, lines: &mut Vec<String>| {
        let mut changes = Vec::new();
        diff_maps("", &old, &new, &mut changes);
        for (key, before, after) in changes {
            let sign = match (before.as_str(), after.as_str()) {
                ("(absent)", _) => "+",
                (_, "(absent)") => "-",
                _ => "~",
            };
            lines.push(format!("[{sign}] {name} {key}: {before} → {after}"));
        }
    };
    let params = |t: &Template| -> Map {
        t.parameters
            .iter()
            .map(|(k, p)| {
                let mut m = p.attributes.clone();
                m.insert("Type".into(), Value::String(p.type_.clone()));
                (k.clone(), Value::Map(m))
            })
            .collect()
    };
    section("Parameter", params(old), params(new), &mut lines);
    section(
        "Condition",
        old.conditions.clone(),
        new.conditions.clone(),
        &mut lines,
    );
    section(
        "Mapping",
        old.mappings.clone(),
        new.mappings.clone(),
        &mut lines,
    );

    for (id, new_r) in &new.resources {
        let Some(old_r) = old.resources.get(id) else {
            lines.push(format!("[+] {} {id}", new_r.type_));
            continue;
        };
        if old_r == new_r {
            continue;
        }
        if old_r.type_ != new_r.type_ {
            lines.push(format!(
                "[±] {id}: type {} → {}  ⚠ REPLACEMENT (a new type is a new resource)",
                old_r.type_, new_r.type_
            ));
            replaced.push(id.clone());
            continue;
        }
        let mut changes = Vec::new();
        diff_maps("", &old_r.properties, &new_r.properties, &mut changes);
        let replacing: Vec<_> = changes
            .iter()
            .filter(|(k, _, _)| replaces(&new_r.type_, k))
            .map(|(k, _, _)| k.clone())
            .collect();
        let mut attrs = Vec::new();
        diff_maps("", &attributes(old_r), &attributes(new_r), &mut attrs);
        if replacing.is_empty() {
            lines.push(format!("[~] {} {id}", new_r.type_));
        } else {
            let stateful = if crate::changeset::is_stateful(&new_r.type_) {
                " — STATEFUL, its data is lost unless retained"
            } else {
                ""
            };
            lines.push(format!(
                "[±] {} {id}  ⚠ REPLACEMENT: {} cannot change in place{stateful}",
                new_r.type_,
                replacing.join(", ")
            ));
            replaced.push(id.clone());
        }
        for (key, before, after) in changes {
            let mark = if replacing.contains(&key) {
                "  (requires replacement)"
            } else {
                ""
            };
            lines.push(format!("      {key}: {before} → {after}{mark}"));
        }
        for (key, before, after) in attrs {
            lines.push(format!("      {key}: {before} → {after}"));
        }
    }
    for (id, old_r) in &old.resources {
        if !new.resources.contains_key(id) {
            let note = match old_r.deletion_policy {
                Some(stackcraft_template::Policy::Retain)
                | Some(stackcraft_template::Policy::RetainExceptOnCreate) => " (retained)",
                _ if crate::changeset::is_stateful(&old_r.type_) => {
                    "  ⚠ STATEFUL, its data is deleted"
                }
                _ => "",
            };
            lines.push(format!("[-] {} {id}{note}", old_r.type_));
        }
    }
    let outputs = |t: &Template| -> Map {
        t.outputs
            .iter()
            .map(|(k, o)| (k.clone(), o.value.clone()))
            .collect()
    };
    section("Output", outputs(old), outputs(new), &mut lines);
    (lines, replaced)
}

/// Diffs every stack of the assembly against what is deployed, printing as it goes.
pub async fn diff(
    session: &Session,
    assembly: &Assembly,
    ui: &Ui,
) -> Result<Vec<StackDiff>, DeployError> {
    let mut diffs = Vec::new();
    for stack in &assembly.stacks {
        let label = &stack.name;
        let deployed = session
            .cfn
            .describe_stack(&stack.deployed_name)
            .await
            .map_err(|e| session.api_error(format!("stack {label}"), e))?;
        let (deployed, lines, replacements) = match deployed {
            None => {
                let lines = stack
                    .template
                    .resources
                    .iter()
                    .map(|(id, r)| format!("[+] {} {id}", r.type_))
                    .collect();
                (false, lines, Vec::new())
            }
            Some(s) => {
                let body = session
                    .cfn
                    .get_template(&s.id)
                    .await
                    .map_err(|e| session.api_error(format!("template of stack {label}"), e))?;
                let old = stackcraft_template::parse_template(&body).map_err(|e| {
                    DeployError::DeployedTemplateUnreadable {
                        stack: label.clone(),
                        reason: e.to_string(),
                    }
                })?;
                // Compare parsed with parsed: references made by constructs carry their owning
                // stack, which a template read back does not.
                let new = stackcraft_template::parse_template(&stack.template.to_json())
                    .expect("a synthesized template reads back");
                let (lines, replaced) = diff_templates(&old, &new);
                (true, lines, replaced)
            }
        };
        let d = StackDiff {
            stack: stack.name.clone(),
            deployed_name: stack.deployed_name.clone(),
            deployed,
            lines,
            replacements,
        };
        let state = if !d.deployed {
            "not deployed: everything is new"
        } else if d.differs() {
            "differs"
        } else {
            "no differences"
        };
        ui.result(format!("Stack {label} ({}): {state}", d.deployed_name));
        for line in &d.lines {
            ui.result(format!("  {line}"));
        }
        diffs.push(d);
    }
    let n = diffs.iter().filter(|d| d.differs()).count();
    ui.result(format!(
        "{n} of {} stack(s) differ from what is deployed in {}",
        diffs.len(),
        session.env_name
    ));
    Ok(diffs)
}
