//! The contract between the generated typed resources and the construct layer.

use crate::value::{Map, Target};

/// How a resource type takes tags, if it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tagging {
    /// Not taggable.
    None,
    /// `Tags: [{Key, Value}, ...]`.
    List,
    /// `Tags: {key: value, ...}`.
    Map,
}

/// A typed CloudFormation resource type (generated from the registry schema).
pub trait ResourceType {
    /// The CloudFormation type name, e.g. `AWS::S3::Bucket`.
    const TYPE_NAME: &'static str;
    /// How the `Tags` property is shaped.
    const TAGGING: Tagging;
    /// Properties whose change replaces the resource (`createOnlyProperties` of the schema).
    const CREATE_ONLY: &'static [&'static str];
    /// The typed handle returned when the resource is added to a stack; its methods build
    /// `Ref` and `Fn::GetAtt` expressions.
    type Ref: From<Target>;

    /// The `Properties` map as it is written in the template.
    fn into_properties(self) -> Map;
}
