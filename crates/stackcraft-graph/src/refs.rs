//! The references inside a resource's properties: `Ref`, `Fn::GetAtt` and the `${Name}` /
//! `${Name.Attribute}` variables of `Fn::Sub`.

use stackcraft_template::{Intrinsic, Map, Value};

/// One reference: the logical id named, and the top-level property it was found under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference<'a> {
    pub property: &'a str,
    pub target: String,
}

/// Every reference in `properties`, in document order.
pub fn in_properties(properties: &Map) -> Vec<Reference<'_>> {
    let mut found = Vec::new();
    for (property, value) in properties {
        for target in in_value(value) {
            found.push(Reference {
                property: property.as_str(),
                target,
            });
        }
    }
    found
}

/// Every logical id (or parameter) that `value` names.
pub fn in_value(value: &Value) -> Vec<String> {
    let mut found = Vec::new();
    value.walk(&mut |v| {
        let Value::Fn(f) = v else { return };
        match &**f {
            Intrinsic::Ref(t) | Intrinsic::GetAtt(t, _) => found.push(t.logical_id.clone()),
            Intrinsic::Sub(text, variables) => {
                found.extend(
                    sub_names(text)
                        .filter(|name| !variables.contains_key(*name))
                        .map(str::to_owned),
                );
            }
            _ => {}
        }
    });
    found
}

/// The resource names in a `Fn::Sub` string: `${Name}` and `${Name.Attr}`, not pseudo
/// parameters (`${AWS::Region}`) nor literals (`${!Text}`).
fn sub_names(text: &str) -> impl Iterator<Item = &str> {
    text.split("${").skip(1).filter_map(|rest| {
        let name = &rest[..rest.find('}')?];
        let name = name.split('.').next().unwrap_or(name);
        let literal = name.starts_with('!') || name.contains("::");
        (!literal && !name.is_empty()).then_some(name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_names_skip_pseudo_parameters_and_literals() {
        let names: Vec<_> =
            sub_names("arn:${AWS::Partition}:${Api}/${Api.RootResourceId}/${!Literal}").collect();
        assert_eq!(names, ["Api", "Api"]);
    }
}
