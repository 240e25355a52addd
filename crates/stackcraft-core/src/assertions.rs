//! Assertions on synthesized templates for tests, in the spirit of the CDK's:
//! `template.has_resource_properties("AWS::S3::Bucket", json!({...}))`.
//!
//! Expected values match *like* objects: every key given must be present and match, keys not
//! given are ignored, at every depth; lists must have the same length and match item by item.

use serde_json::Value as Json;
use stackcraft_template::Template;

/// Whether `actual` has everything `expected` has.
pub fn matches_like(actual: &Json, expected: &Json) -> bool {
    match (actual, expected) {
        (Json::Object(a), Json::Object(e)) => e
            .iter()
            .all(|(k, ev)| a.get(k).is_some_and(|av| matches_like(av, ev))),
        (Json::Array(a), Json::Array(e)) => {
            a.len() == e.len() && a.iter().zip(e).all(|(av, ev)| matches_like(av, ev))
        }
        _ => actual == expected,
    }
}

/// Assertions on a template; each panics with the template's relevant part when it fails.
pub trait TemplateAssertions {
    /// Logical ids and whole resources (Type, Properties, policies) of one type.
    fn find_resources(&self, type_name: &str) -> Vec<(String, Json)>;
    fn resource_count_is(&self, type_name: &str, count: usize);
    /// Some resource of the type has properties like `expected`.
    fn has_resource_properties(&self, type_name: &str, expected: Json);
    /// Some resource of the type is like `expected` (whole resource: DeletionPolicy, ...).
    fn has_resource(&self, type_name: &str, expected: Json);
    /// No resource of the type has properties like `unexpected`.
    fn lacks_resource_properties(&self, type_name: &str, unexpected: Json);
    fn has_output(&self, id: &str, expected: Json);
}

impl TemplateAssertions for Template {
    fn find_resources(&self, type_name: &str) -> Vec<(String, Json)> {
        let all = self.to_value().to_json();
        all["Resources"]
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(_, r)| r["Type"] == type_name)
            .map(|(id, r)| (id.clone(), r.clone()))
            .collect()
    }

    fn resource_count_is(&self, type_name: &str, count: usize) {
        let found = self.find_resources(type_name);
        let ids: Vec<_> = found.iter().map(|(id, _)| id).collect();
        assert_eq!(found.len(), count, "{type_name} resources: {ids:?}");
    }

    fn has_resource_properties(&self, type_name: &str, expected: Json) {
        self.has_resource(type_name, serde_json::json!({ "Properties": expected }));
    }

    fn has_resource(&self, type_name: &str, expected: Json) {
        let found = self.find_resources(type_name);
        assert!(
            found.iter().any(|(_, r)| matches_like(r, &expected)),
            "no {type_name} is like\n{}\nthere are:\n{}",
            pretty(&expected),
            found
                .iter()
                .map(|(id, r)| format!("{id}: {}", pretty(r)))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    fn lacks_resource_properties(&self, type_name: &str, unexpected: Json) {
        let expected = serde_json::json!({ "Properties": unexpected });
        let found = self.find_resources(type_name);
        if let Some((id, r)) = found.iter().find(|(_, r)| matches_like(r, &expected)) {
            panic!(
                "{type_name} {id} should not be like\n{}\nbut is\n{}",
                pretty(&expected),
                pretty(r)
            );
        }
    }

    fn has_output(&self, id: &str, expected: Json) {
        let all = self.to_value().to_json();
        let output = &all["Outputs"][id];
        assert!(
            matches_like(output, &expected),
            "output {id} is {} not like {}",
            pretty(output),
            pretty(&expected)
        );
    }
}

fn pretty(v: &Json) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}
