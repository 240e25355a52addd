//! A CloudFormation template and its sections.

use indexmap::IndexMap;

use crate::error::ParseError;
use crate::value::{Map, Value};

/// The only template format version CloudFormation has.
pub const FORMAT_VERSION: &str = "2010-09-09";

/// A whole template. Sections are written in CloudFormation's documented order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Template {
    pub description: Option<String>,
    pub transform: Option<Value>,
    pub metadata: Map,
    pub parameters: IndexMap<String, Parameter>,
    pub rules: Map,
    pub mappings: Map,
    pub conditions: Map,
    pub resources: IndexMap<String, Resource>,
    pub outputs: IndexMap<String, Output>,
}

/// A template parameter. `attributes` holds every key but `Type`, in order (Default,
/// AllowedValues, NoEcho, ...), so that a parsed parameter is written back as it was read.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    pub type_: String,
    pub attributes: Map,
}

impl Parameter {
    pub fn new(type_: impl Into<String>) -> Self {
        Parameter {
            type_: type_.into(),
            attributes: Map::new(),
        }
    }

    /// Sets an attribute such as `Default`, `Description`, `AllowedValues` or `NoEcho`.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.attributes.insert(key.to_owned(), value.into());
        self
    }
}

/// What happens to a resource's physical resource when it leaves the template, or is replaced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    Delete,
    Retain,
    RetainExceptOnCreate,
    Snapshot,
}

impl Policy {
    pub fn as_str(self) -> &'static str {
        match self {
            Policy::Delete => "Delete",
            Policy::Retain => "Retain",
            Policy::RetainExceptOnCreate => "RetainExceptOnCreate",
            Policy::Snapshot => "Snapshot",
        }
    }

    fn parse(s: &str) -> Option<Policy> {
        Some(match s {
            "Delete" => Policy::Delete,
            "Retain" => Policy::Retain,
            "RetainExceptOnCreate" => Policy::RetainExceptOnCreate,
            "Snapshot" => Policy::Snapshot,
            _ => return None,
        })
    }
}

/// One entry of the `Resources` section.
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    pub type_: String,
    pub properties: Map,
    pub depends_on: Vec<String>,
    pub condition: Option<String>,
    pub deletion_policy: Option<Policy>,
    pub update_replace_policy: Option<Policy>,
    pub update_policy: Option<Value>,
    pub creation_policy: Option<Value>,
    pub metadata: Option<Value>,
}

impl Resource {
    pub fn new(type_: impl Into<String>, properties: Map) -> Self {
        Resource {
            type_: type_.into(),
            properties,
            depends_on: Vec::new(),
            condition: None,
            deletion_policy: None,
            update_replace_policy: None,
            update_policy: None,
            creation_policy: None,
            metadata: None,
        }
    }
}

/// One entry of the `Outputs` section.
#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    pub value: Value,
    pub description: Option<String>,
    /// `Export.Name`.
    pub export_name: Option<Value>,
    pub condition: Option<String>,
}

impl Output {
    pub fn new(value: impl Into<Value>) -> Self {
        Output {
            value: value.into(),
            description: None,
            export_name: None,
            condition: None,
        }
    }
}

fn put(map: &mut Map, key: &str, value: impl Into<Value>) {
    map.insert(key.to_owned(), value.into());
}

fn put_section(map: &mut Map, key: &str, section: Map) {
    if !section.is_empty() {
        map.insert(key.to_owned(), Value::Map(section));
    }
}

impl Template {
    /// The template as one value tree, sections in canonical order, empty sections left out.
    pub fn to_value(&self) -> Value {
        let mut out = Map::new();
        put(&mut out, "AWSTemplateFormatVersion", FORMAT_VERSION);
        if let Some(d) = &self.description {
            put(&mut out, "Description", d.as_str());
        }
        if let Some(t) = &self.transform {
            put(&mut out, "Transform", t.clone());
        }
        put_section(&mut out, "Metadata", self.metadata.clone());
        let params = self
            .parameters
            .iter()
            .map(|(id, p)| (id.clone(), p.to_value()))
            .collect();
        put_section(&mut out, "Parameters", params);
        put_section(&mut out, "Rules", self.rules.clone());
        put_section(&mut out, "Mappings", self.mappings.clone());
        put_section(&mut out, "Conditions", self.conditions.clone());
        let resources = self
            .resources
            .iter()
            .map(|(id, r)| (id.clone(), r.to_value()))
            .collect();
        put_section(&mut out, "Resources", resources);
        let outputs = self
            .outputs
            .iter()
            .map(|(id, o)| (id.clone(), o.to_value()))
            .collect();
        put_section(&mut out, "Outputs", outputs);
        Value::Map(out)
    }

    /// Reads a template from its value tree. Errors name the path of the offending key.
    pub fn from_value(value: &Value) -> Result<Template, ParseError> {
        let top = expect_map(value, "template")?;
        let mut t = Template::default();
        for (key, v) in top {
            match key.as_str() {
                "AWSTemplateFormatVersion" => {
                    if v.as_str() != Some(FORMAT_VERSION) {
                        return Err(ParseError::at(key, format!("must be \"{FORMAT_VERSION}\"")));
                    }
                }
                "Description" => t.description = Some(expect_str(v, key)?.to_owned()),
                "Transform" => t.transform = Some(v.clone()),
                "Metadata" => t.metadata = expect_map(v, key)?.clone(),
                "Rules" => t.rules = expect_map(v, key)?.clone(),
                "Mappings" => t.mappings = expect_map(v, key)?.clone(),
                "Conditions" => t.conditions = expect_map(v, key)?.clone(),
                "Parameters" => {
                    for (id, p) in expect_map(v, key)? {
                        let at = format!("Parameters.{id}");
                        t.parameters
                            .insert(id.clone(), Parameter::from_value(p, &at)?);
                    }
                }
                "Resources" => {
                    for (id, r) in expect_map(v, key)? {
                        let at = format!("Resources.{id}");
                        t.resources
                            .insert(id.clone(), Resource::from_value(r, &at)?);
                    }
                }
                "Outputs" => {
                    for (id, o) in expect_map(v, key)? {
                        let at = format!("Outputs.{id}");
                        t.outputs.insert(id.clone(), Output::from_value(o, &at)?);
                    }
                }
                other => return Err(ParseError::at(other, "is not a template section")),
            }
        }
        if t.resources.is_empty() {
            return Err(ParseError::at(
                "Resources",
                "a template needs at least one resource",
            ));
        }
        Ok(t)
    }
}

impl Parameter {
    fn to_value(&self) -> Value {
        let mut m = Map::new();
        put(&mut m, "Type", self.type_.as_str());
        m.extend(self.attributes.clone());
        Value::Map(m)
    }

    fn from_value(v: &Value, at: &str) -> Result<Parameter, ParseError> {
        let mut attributes = expect_map(v, at)?.clone();
        let type_ = match attributes.shift_remove("Type") {
            Some(Value::String(s)) => s,
            _ => {
                return Err(ParseError::at(
                    format!("{at}.Type"),
                    "a parameter needs a Type",
                ))
            }
        };
        Ok(Parameter { type_, attributes })
    }
}

impl Resource {
    fn to_value(&self) -> Value {
        let mut m = Map::new();
        put(&mut m, "Type", self.type_.as_str());
        if let Some(c) = &self.condition {
            put(&mut m, "Condition", c.as_str());
        }
        match self.depends_on.as_slice() {
            [] => {}
            [one] => put(&mut m, "DependsOn", one.as_str()),
            many => put(&mut m, "DependsOn", many.to_vec()),
        }
        if !self.properties.is_empty() {
            put(&mut m, "Properties", self.properties.clone());
        }
        if let Some(p) = self.deletion_policy {
            put(&mut m, "DeletionPolicy", p.as_str());
        }
        if let Some(p) = self.update_replace_policy {
            put(&mut m, "UpdateReplacePolicy", p.as_str());
        }
        for (key, v) in [
            ("UpdatePolicy", &self.update_policy),
            ("CreationPolicy", &self.creation_policy),
            ("Metadata", &self.metadata),
        ] {
            if let Some(v) = v {
                put(&mut m, key, v.clone());
            }
        }
        Value::Map(m)
    }

    fn from_value(v: &Value, at: &str) -> Result<Resource, ParseError> {
        let map = expect_map(v, at)?;
        let type_ = match map.get("Type") {
            Some(Value::String(s)) => s.clone(),
            _ => {
                return Err(ParseError::at(
                    format!("{at}.Type"),
                    "a resource needs a Type",
                ))
            }
        };
        let mut r = Resource::new(type_, Map::new());
        for (key, v) in map {
            let here = || format!("{at}.{key}");
            match key.as_str() {
                "Type" => {}
                "Properties" => r.properties = expect_map(v, &here())?.clone(),
                "Condition" => r.condition = Some(expect_str(v, &here())?.to_owned()),
                "DependsOn" => {
                    r.depends_on = match v {
                        Value::String(s) => vec![s.clone()],
                        Value::List(items) => items
                            .iter()
                            .map(|i| expect_str(i, &here()).map(str::to_owned))
                            .collect::<Result<_, _>>()?,
                        _ => return Err(ParseError::at(here(), "must be a name or a list")),
                    }
                }
                "DeletionPolicy" => r.deletion_policy = Some(policy(v, &here())?),
                "UpdateReplacePolicy" => r.update_replace_policy = Some(policy(v, &here())?),
                "UpdatePolicy" => r.update_policy = Some(v.clone()),
                "CreationPolicy" => r.creation_policy = Some(v.clone()),
                "Metadata" => r.metadata = Some(v.clone()),
                other => {
                    return Err(ParseError::at(
                        format!("{at}.{other}"),
                        "is not a resource attribute",
                    ))
                }
            }
        }
        Ok(r)
    }
}

impl Output {
    fn to_value(&self) -> Value {
        let mut m = Map::new();
        if let Some(d) = &self.description {
            put(&mut m, "Description", d.as_str());
        }
        if let Some(c) = &self.condition {
            put(&mut m, "Condition", c.as_str());
        }
        put(&mut m, "Value", self.value.clone());
        if let Some(name) = &self.export_name {
            let mut export = Map::new();
            put(&mut export, "Name", name.clone());
            put(&mut m, "Export", export);
        }
        Value::Map(m)
    }

    fn from_value(v: &Value, at: &str) -> Result<Output, ParseError> {
        let map = expect_map(v, at)?;
        let value = map
            .get("Value")
            .cloned()
            .ok_or_else(|| ParseError::at(format!("{at}.Value"), "an output needs a Value"))?;
        let mut o = Output::new(value);
        for (key, v) in map {
            let here = format!("{at}.{key}");
            match key.as_str() {
                "Value" => {}
                "Description" => o.description = Some(expect_str(v, &here)?.to_owned()),
                "Condition" => o.condition = Some(expect_str(v, &here)?.to_owned()),
                "Export" => {
                    let name = expect_map(v, &here)?.get("Name").cloned();
                    o.export_name = Some(name.ok_or_else(|| {
                        ParseError::at(format!("{here}.Name"), "an export needs a Name")
                    })?);
                }
                other => {
                    return Err(ParseError::at(
                        format!("{at}.{other}"),
                        "is not an output attribute",
                    ))
                }
            }
        }
        Ok(o)
    }
}

fn expect_map<'a>(v: &'a Value, at: &str) -> Result<&'a Map, ParseError> {
    v.as_map()
        .ok_or_else(|| ParseError::at(at, "must be a mapping"))
}

fn expect_str<'a>(v: &'a Value, at: &str) -> Result<&'a str, ParseError> {
    v.as_str()
        .ok_or_else(|| ParseError::at(at, "must be a string"))
}

fn policy(v: &Value, at: &str) -> Result<Policy, ParseError> {
    expect_str(v, at).and_then(|s| {
        Policy::parse(s).ok_or_else(|| {
            ParseError::at(
                at,
                format!("unknown policy {s:?} (Delete, Retain, RetainExceptOnCreate, Snapshot)"),
            )
        })
    })
}
