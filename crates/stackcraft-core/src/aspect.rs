//! Aspects: visitors over every resource of every stack, run at synthesis. Tags are one;
//! checks and organisation-wide policies are others.

use indexmap::IndexMap;
use stackcraft_template::{Map, Resource, Tagging, Value};

use crate::environment::Environment;

/// Where the visited resource is.
pub struct Visit<'a> {
    pub stack: &'a str,
    pub env: &'a Environment,
    pub path: &'a str,
    pub logical_id: &'a str,
    pub tagging: Tagging,
    /// The tags that apply here: project, then environment, then stack (later wins).
    pub tags: &'a IndexMap<String, String>,
}

/// A visitor over resources. It may change the resource it is shown.
pub trait Aspect {
    fn visit(&self, at: &Visit<'_>, resource: &mut Resource);
}

/// Adds the applicable tags to every taggable resource; a tag the resource sets itself wins.
pub struct ApplyTags;

impl Aspect for ApplyTags {
    fn visit(&self, at: &Visit<'_>, resource: &mut Resource) {
        if at.tags.is_empty() {
            return;
        }
        match at.tagging {
            Tagging::None => {}
            Tagging::List => {
                // An Auto Scaling group's tags also say whether its instances get them.
                let propagate = resource.type_ == "AWS::AutoScaling::AutoScalingGroup";
                let tags = resource
                    .properties
                    .entry("Tags".to_owned())
                    .or_insert_with(|| Value::List(Vec::new()));
                if let Value::List(items) = tags {
                    for (key, value) in at.tags {
                        let present = items
                            .iter()
                            .any(|t| t.get("Key").and_then(Value::as_str) == Some(key));
                        if !present {
                            let mut tag = Map::new();
                            tag.insert("Key".into(), key.as_str().into());
                            tag.insert("Value".into(), value.as_str().into());
                            if propagate {
                                tag.insert("PropagateAtLaunch".into(), true.into());
                            }
                            items.push(Value::Map(tag));
                        }
                    }
                }
            }
            Tagging::Map => {
                let tags = resource
                    .properties
                    .entry("Tags".to_owned())
                    .or_insert_with(|| Value::Map(Map::new()));
                if let Value::Map(map) = tags {
                    for (key, value) in at.tags {
                        map.entry(key.clone())
                            .or_insert_with(|| value.as_str().into());
                    }
                }
            }
        }
    }
}
