//! Schema unions (`oneOf`, `anyOf`, a list of `type`s), read as the list of their shapes.
//!
//! Alternatives that only constrain (`{"required": [...]}`, `{}`) say which properties go
//! together, not what a value looks like: they are left out.

use serde_json::{Map as JMap, Value as J};

/// Keys that give an alternative a shape of its own.
const SHAPE_KEYS: &[&str] = &[
    "type",
    "$ref",
    "properties",
    "patternProperties",
    "items",
    "enum",
    "oneOf",
    "anyOf",
];

/// The shapes of a union schema, or `None` when it is no union (or only constrains).
pub fn alternatives(p: &J) -> Option<Vec<J>> {
    let alts: Vec<J> = if let Some(types) = p.get("type").and_then(J::as_array) {
        types
            .iter()
            .filter(|t| t.as_str() != Some("null"))
            .map(|t| {
                let mut alt = p.clone();
                alt["type"] = t.clone();
                alt
            })
            .collect()
    } else {
        let list = p
            .get("oneOf")
            .or_else(|| p.get("anyOf"))
            .and_then(J::as_array)?;
        list.iter()
            .filter(|a| SHAPE_KEYS.iter().any(|k| a.get(k).is_some()))
            .cloned()
            .collect()
    };
    (!alts.is_empty()).then_some(alts)
}

/// One object schema with the properties of every alternative (the first spelling of a
/// property wins); required are the properties every alternative requires.
pub fn merge_objects(union: &J, objects: &[&J]) -> J {
    let mut properties = JMap::new();
    for o in objects {
        if let Some(props) = o.get("properties").and_then(J::as_object) {
            for (k, v) in props {
                properties.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
    }
    let required_of = |o: &J| -> Vec<String> {
        o.get("required")
            .and_then(J::as_array)
            .map(|r| r.iter().filter_map(J::as_str).map(str::to_owned).collect())
            .unwrap_or_default()
    };
    let mut required = required_of(objects[0]);
    for o in &objects[1..] {
        let theirs = required_of(o);
        required.retain(|r| theirs.contains(r));
    }
    let mut merged = JMap::new();
    merged.insert("type".into(), J::from("object"));
    if let Some(d) = union.get("description") {
        merged.insert("description".into(), d.clone());
    }
    merged.insert("properties".into(), J::Object(properties));
    merged.insert("required".into(), J::from(required));
    J::Object(merged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn alternatives_leave_out_constraints() {
        let p = json!({"oneOf": [{"required": ["A"]}, {"type": "string"}, {}]});
        assert_eq!(alternatives(&p), Some(vec![json!({"type": "string"})]));
        assert_eq!(alternatives(&json!({"oneOf": [{"required": ["A"]}]})), None);
        let t = json!({"type": ["string", "null", "integer"]});
        assert_eq!(
            alternatives(&t),
            Some(vec![json!({"type": "string"}), json!({"type": "integer"})])
        );
    }

    #[test]
    fn merge() {
        let a = json!({"properties": {"X": {"type": "string"}, "K": {}}, "required": ["X", "K"]});
        let b = json!({"properties": {"Y": {"type": "string"}, "K": {}}, "required": ["Y", "K"]});
        let m = merge_objects(&json!({"description": "d"}), &[&a, &b]);
        assert_eq!(
            m,
            json!({"type": "object", "description": "d",
                   "properties": {"X": {"type": "string"}, "K": {}, "Y": {"type": "string"}},
                   "required": ["K"]})
        );
    }
}
