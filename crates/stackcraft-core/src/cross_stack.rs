//! References across stacks.
//!
//! A `Ref`/`Fn::GetAtt` whose target belongs to another stack cannot be written as such. The
//! CDK turns it into `Export` + `Fn::ImportValue`, which locks the producer: an export that is
//! imported can be neither changed nor removed (the "deadly embrace"). stackcraft passes the
//! value through SSM Parameter Store instead:
//! - the producer stack gets an `AWS::SSM::Parameter` named
//!   `/stackcraft/<project>/<env>/<stack>/<LogicalId>/<Attribute>` holding the value;
//! - the consumer stack gets a template parameter of type `AWS::SSM::Parameter::Value<String>`
//!   whose default is that name, and the reference becomes `Ref` to it;
//! - the consumer depends on the producer, so deploy updates the producer first.
//!
//! CloudFormation resolves such parameters at every deploy of the consumer, so a changed value
//! flows through on the next deploy, and nothing ever locks: dropping a reference simply drops
//! the parameter at the producer's next deploy.

use std::collections::BTreeSet;

use indexmap::IndexMap;
use stackcraft_template::{Intrinsic, Map, Parameter, Resource, Target, Value};

use crate::logical_id;

/// One value that a stack reads from another.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct CrossReference {
    pub producer: String,
    pub logical_id: String,
    /// `None` for `Ref`, the attribute name for `Fn::GetAtt`.
    pub attribute: Option<String>,
}

impl CrossReference {
    fn suffix(&self) -> String {
        format!(
            "{}{}",
            self.logical_id,
            logical_id::from_path(self.attribute.as_deref().unwrap_or("Ref"))
        )
    }

    /// The SSM parameter name that carries the value.
    pub fn parameter_name(&self, project: &str, env: &str) -> String {
        format!(
            "/stackcraft/{project}/{env}/{}/{}/{}",
            self.producer,
            self.logical_id,
            self.attribute.as_deref().unwrap_or("Ref")
        )
    }

    /// Logical id of the template parameter in the consumer.
    pub fn import_id(&self) -> String {
        format!(
            "Import{}{}",
            logical_id::from_path(&self.producer),
            self.suffix()
        )
    }

    /// Logical id of the SSM parameter resource in the producer.
    pub fn export_id(&self) -> String {
        format!("Export{}", self.suffix())
    }

    /// The reference as the producer writes it.
    pub fn local_value(&self) -> Value {
        let target = Target::local(&self.logical_id);
        match &self.attribute {
            None => Intrinsic::Ref(target).into(),
            Some(attr) => Intrinsic::GetAtt(target, attr.as_str().into()).into(),
        }
    }
}

/// Replaces every reference to another stack inside `value` by `Ref` to the import parameter,
/// collecting what was imported.
pub fn rewrite(value: &mut Value, consumer: &str, found: &mut BTreeSet<CrossReference>) {
    value.walk_mut(&mut |v| {
        let Value::Fn(f) = v else { return };
        let (target, attribute) = match &**f {
            Intrinsic::Ref(t) => (t, None),
            Intrinsic::GetAtt(t, Value::String(attr)) => (t, Some(attr.clone())),
            _ => return,
        };
        let Some(producer) = target.stack.as_deref() else {
            return;
        };
        if producer == consumer {
            return;
        }
        let reference = CrossReference {
            producer: producer.to_owned(),
            logical_id: target.logical_id.clone(),
            attribute,
        };
        *v = Intrinsic::Ref(Target::local(reference.import_id())).into();
        found.insert(reference);
    });
}

/// The template parameter a consumer reads an imported value from.
pub fn import_parameter(reference: &CrossReference, project: &str, env: &str) -> Parameter {
    Parameter::new("AWS::SSM::Parameter::Value<String>")
        .with("Default", reference.parameter_name(project, env))
        .with(
            "Description",
            format!(
                "{} of {}/{} (written by that stack)",
                reference.attribute.as_deref().unwrap_or("Ref"),
                reference.producer,
                reference.logical_id
            ),
        )
}

/// The SSM parameter resource a producer writes an exported value to.
pub fn export_resource(reference: &CrossReference, project: &str, env: &str) -> Resource {
    let mut props = Map::new();
    props.insert("Name".into(), reference.parameter_name(project, env).into());
    props.insert("Type".into(), "String".into());
    props.insert("Value".into(), reference.local_value());
    props.insert(
        "Description".into(),
        "Read by another stackcraft stack; removed when no stack reads it".into(),
    );
    Resource::new("AWS::SSM::Parameter", props)
}

/// Stack dependencies from the references found: consumer → producers.
pub type Dependencies = IndexMap<String, BTreeSet<String>>;
